//! Concurrent requests are serialised safely.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestCloud, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_sign_ups_all_succeed() {
    let cloud = Arc::new(TestCloud::start().await);
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let cloud = Arc::clone(&cloud);
            tokio::spawn(async move {
                let email = format!("user{i}@example.com");
                cloud
                    .call("SignUp", json!({"ClientId": cloud.demo_client(), "Username": email, "Password": PASSWORD}))
                    .await
            })
        })
        .collect();
    let mut subs = std::collections::HashSet::new();
    for task in tasks {
        let (status, body) = task.await.expect("task");
        assert_eq!(status, StatusCode::OK, "{body}");
        subs.insert(body["UserSub"].as_str().expect("sub").to_owned());
    }
    assert_eq!(subs.len(), 20);
    let outbox = cloud.outbox().await;
    assert_eq!(
        outbox.iter().filter(|m| m["purpose"] == "sign-up").count(),
        20
    );
    for i in 0..20 {
        let (status, user) = cloud
            .admin("AdminGetUser", json!({"UserPoolId": cloud.demo_pool(), "Username": format!("user{i}@example.com")}))
            .await;
        assert_eq!(status, StatusCode::OK, "{user}");
    }
}

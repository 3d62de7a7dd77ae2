//! What a web page in the user's browser can reach: the AWS-shaped routes answer CORS (browser
//! SDKs use them), the local cloud's own paths do not, and those refuse a DNS-rebound host.

use reqwest::header::{ACCESS_CONTROL_ALLOW_ORIGIN, HOST, ORIGIN};
use reqwest::StatusCode;

use crate::support::TestCloud;

const PAGE: &str = "https://evil.example";

#[tokio::test]
async fn another_origin_cannot_read_the_outbox_but_can_call_the_apis() {
    let cloud = TestCloud::start().await;
    let outbox = cloud
        .http
        .get(format!("{}/_local/outbox", cloud.endpoint()))
        .header(ORIGIN, PAGE)
        .send()
        .await
        .expect("outbox");
    assert_eq!(
        outbox.status(),
        StatusCode::OK,
        "a browser tab may still open it"
    );
    assert!(
        outbox.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none(),
        "no CORS on the outbox"
    );

    // The preflight a page's fetch of LocalIdP's user admin needs (JSON body) is not granted.
    let preflight = cloud
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/_local/idp/users", cloud.endpoint()),
        )
        .header(ORIGIN, PAGE)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("preflight");
    assert!(preflight
        .headers()
        .get(ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());

    // The Cognito API keeps answering browsers, as AWS does for browser SDKs.
    let api = cloud
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/", cloud.endpoint()))
        .header(ORIGIN, PAGE)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-amz-target",
        )
        .send()
        .await
        .expect("api preflight");
    assert_eq!(
        api.headers()
            .get(ACCESS_CONTROL_ALLOW_ORIGIN)
            .and_then(|v| v.to_str().ok()),
        Some("*")
    );
}

#[tokio::test]
async fn the_local_paths_refuse_a_rebound_host_name() {
    let cloud = TestCloud::start().await;
    let get = |host: &'static str| {
        let request = cloud
            .http
            .get(format!("{}/_local/outbox", cloud.endpoint()))
            .header(HOST, host);
        async move { request.send().await.expect("outbox").status() }
    };
    assert_eq!(
        get("attacker.example:4566").await,
        StatusCode::MISDIRECTED_REQUEST
    );
    assert_eq!(get("localhost:4566").await, StatusCode::OK);
    assert_eq!(get("127.0.0.1:4566").await, StatusCode::OK);
    assert_eq!(get("[::1]:4566").await, StatusCode::OK);
    // The AWS-shaped routes do not care (S3 virtual hosts, proxies).
    let jwks = cloud
        .http
        .get(format!(
            "{}/{}/.well-known/jwks.json",
            cloud.endpoint(),
            cloud.demo_pool()
        ))
        .header(HOST, "attacker.example")
        .send()
        .await
        .expect("jwks");
    assert_eq!(jwks.status(), StatusCode::OK);
}

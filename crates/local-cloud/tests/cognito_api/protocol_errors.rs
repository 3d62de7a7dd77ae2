//! Bad requests get AWS-shaped errors, and the server keeps serving after each.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_error, TestCloud, PASSWORD};

#[tokio::test]
async fn malformed_json_is_a_serialization_exception() {
    let cloud = TestCloud::start().await;
    let response = cloud.raw("SignUp", b"{\"ClientId\": ".to_vec(), None).await;
    assert_error(&response, "SerializationException", None);
    cloud.assert_serving().await;

    let response = cloud.raw("SignUp", b"[1, 2, 3]".to_vec(), None).await;
    assert_error(&response, "SerializationException", None);
    cloud.assert_serving().await;
}

#[tokio::test]
async fn wrong_member_types_name_the_member_not_the_value() {
    let cloud = TestCloud::start().await;
    let response = cloud
        .call(
            "SignUp",
            json!({"ClientId": cloud.demo_client(), "Username": "a@b.c", "Password": 98765432}),
        )
        .await;
    assert_error(&response, "SerializationException", None);
    let message = response.1["message"].as_str().expect("message");
    assert!(message.contains("Password"), "{message}");
    assert!(!message.contains("98765432"), "{message}");
    cloud.assert_serving().await;
}

#[tokio::test]
async fn missing_required_members_are_invalid_parameters() {
    let cloud = TestCloud::start().await;
    let response = cloud
        .call("SignUp", json!({"Username": "a@b.c", "Password": PASSWORD}))
        .await;
    assert_error(
        &response,
        "InvalidParameterException",
        Some("1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null"),
    );
    let response = cloud
        .call(
            "InitiateAuth",
            json!({"ClientId": cloud.demo_client(), "AuthFlow": "USER_SRP_AUTH"}),
        )
        .await;
    assert_error(
        &response,
        "InvalidParameterException",
        Some("Missing required parameter USERNAME"),
    );
    let response = cloud
        .call(
            "InitiateAuth",
            json!({"ClientId": "nosuchclient", "AuthFlow": "USER_SRP_AUTH"}),
        )
        .await;
    assert_error(&response, "ResourceNotFoundException", None);
    cloud.assert_serving().await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let cloud = TestCloud::start().await;
    let padding = "x".repeat(1024 * 1024 + 1);
    let body = json!({"ClientId": cloud.demo_client(), "Username": padding})
        .to_string()
        .into_bytes();
    let (status, error) = cloud.raw("SignUp", body, None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error["__type"], "RequestEntityTooLargeException");
    cloud.assert_serving().await;
}

#[tokio::test]
async fn unknown_operations_and_targets_are_unknown_operation_exceptions() {
    let cloud = TestCloud::start().await;
    let response = cloud.call("StealAllTheUsers", json!({})).await;
    assert_error(&response, "UnknownOperationException", None);
    cloud.assert_serving().await;

    let response = cloud
        .http
        .post(cloud.endpoint() + "/")
        .header("content-type", "application/x-amz-json-1.1")
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok()),
        Some("UnknownOperationException")
    );
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/x-amz-json-1.1")
    );
    cloud.assert_serving().await;
}

#[tokio::test]
async fn browsers_get_cors_preflight_answers() {
    let cloud = TestCloud::start().await;
    let response = cloud
        .http
        .request(reqwest::Method::OPTIONS, cloud.endpoint() + "/")
        .header("origin", "http://localhost:1420")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-amz-target,x-amz-user-agent",
        )
        .send()
        .await
        .expect("preflight");
    assert!(response.status().is_success());
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("*")
    );
}

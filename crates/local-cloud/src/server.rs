//! The HTTP server: routes, body limit, panic isolation, CORS, and AWS-shaped error rendering.
//!
//! Routes (one listener serves them all), decided by [`is_s3_request`]:
//! * `POST /` with `X-Amz-Target` — the Cognito user-pool and identity-pool APIs (AWS JSON 1.1,
//!   see [`crate::protocol`]).
//! * `GET /<poolId>/.well-known/jwks.json` and `…/openid-configuration` — token verification
//!   keys and OIDC discovery, at `<issuer>/.well-known/…` as on AWS.
//! * `GET /_local/outbox` — every message sent, oldest first; `GET /_local/health` — liveness.
//! * `/_hosted/<domain>/…` — the hosted UI of pools with a domain, and `/_local/idp/…` — the
//!   built-in OIDC provider (see [`crate::hosted_ui`]; merged in as a router of its own).
//! * Everything else — S3, path-style (`/<bucket>/<key>`), served by s3s ([`crate::s3`]).
//!   Pool ids (`us-east-1_AbC`), `_local` and `_hosted` can never be bucket names (no `_` or
//!   capitals in bucket names), so the namespaces cannot collide.
//!
//! Robustness: JSON bodies over 1 MiB are refused with 413 before being buffered (S3 bodies
//! stream to disk and have no such limit); a panic anywhere in
//! a request becomes a 500 `InternalErrorException` for that request only (tower-http's
//! `CatchPanic` around the router, and the store's own unwind guard around each operation).
//! Logs name the operation, the outcome and the request id, never a body.
//!
//! Browsers: the AWS-shaped routes (the JSON APIs, the hosted UI, S3) answer CORS for any
//! origin, as Cognito and S3 do for browser SDKs. The local cloud's own paths (`/_local/…`:
//! the outbox with every code and temporary password in plain text, LocalIdP's user admin) get
//! no CORS headers, so a web page of another origin cannot read them, and they refuse a `Host`
//! that is a DNS name other than `localhost` (421), so a DNS-rebinding page cannot reach them as
//! its own origin either. A browser tab typing the outbox address still works.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{Any, CorsLayer};

use crate::clock::Clock;
use crate::credentials::AdminCredentials;
use crate::error::{CognitoError, ErrorKind};
use crate::jwt;
use crate::protocol;
use crate::store::Store;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
const JSON_1_1: &str = "application/x-amz-json-1.1";

/// What every handler shares.
pub struct App {
    /// The store.
    pub store: Arc<Store>,
    /// The admin key SigV4 signatures are checked against.
    pub admin: AdminCredentials,
    /// The region of this local cloud.
    pub region: String,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The injected clock.
    pub clock: Arc<dyn Clock>,
    /// How long temporary credentials last.
    pub credentials_ttl: std::time::Duration,
}

/// Whether a request is for S3 rather than the JSON APIs or the local cloud's own paths.
pub fn is_s3_request(method: &http::Method, path: &str, headers: &http::HeaderMap) -> bool {
    if headers.contains_key("x-amz-target") {
        return false;
    }
    // `_local` and `_hosted` can never be bucket names (no `_` in bucket names).
    if path.starts_with("/_local/")
        || path.starts_with("/_hosted/")
        || (path == "/" && method == http::Method::POST)
    {
        return false;
    }
    // `/<poolId>/.well-known/…`: a pool id has an underscore, which no bucket name has.
    let mut segments = path.trim_start_matches('/').splitn(2, '/');
    let first = segments.next().unwrap_or_default();
    let rest = segments.next().unwrap_or_default();
    !(first.contains('_') && rest.starts_with(".well-known/"))
}

type BoxedService =
    tower::util::BoxCloneSyncService<Request<Body>, Response, std::convert::Infallible>;

/// Whether a request is S3's DeleteObjects (`POST /<bucket>?delete`).
fn is_delete_objects(request: &Request<Body>) -> bool {
    request.method() == http::Method::POST
        && request.uri().query().is_some_and(|q| {
            q.split('&')
                .any(|p| p == "delete" || p.starts_with("delete="))
        })
}

async fn serve_s3(s3: s3s::service::S3Service, request: Request<Body>) -> Response {
    // DeleteObjects: its digest header is checked against the body here (s3s does not), the
    // verdict handed on in the request's extensions (see `s3::delete_objects`).
    let request = if is_delete_objects(&request) {
        let (mut parts, body) = request.into_parts();
        let Ok(body) = axum::body::to_bytes(body, crate::s3::delete_objects::MAX_BODY).await else {
            return s3_error_response(
                StatusCode::BAD_REQUEST,
                "MalformedXML",
                "The XML you provided was not well-formed or did not validate against our published schema",
            );
        };
        let verdict = crate::s3::delete_objects::verify_body(&parts.headers, &body);
        parts.extensions.insert(verdict);
        Request::from_parts(parts, Body::from(body))
    } else {
        request
    };
    let sends_body = sends_a_body(request.headers());
    let request = request.map(s3s::Body::http_body_unsync);
    match s3.call(request).await {
        Ok(response) => {
            let mut response = response.map(Body::new);
            // An error answered before the body was read (a refused PutObject, say): with
            // `Expect: 100-continue` the client never sends that body, and if the connection
            // stayed open the next request's first bytes would be read as it — a `GET` then
            // arrives as `ET` and fails its signature. Closing the connection avoids that.
            if sends_body
                && (response.status().is_client_error() || response.status().is_server_error())
            {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            response
        }
        Err(_) => {
            tracing::error!("the S3 service failed a request");
            s3_error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "We encountered an internal error. Please try again.",
            )
        }
    }
}

/// Whether a request announces a body (a non-zero `Content-Length`, or chunked transfer).
fn sends_a_body(headers: &http::HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .is_some_and(|n| n > 0)
}

/// An S3 error document (for the few errors answered before s3s sees the request).
fn s3_error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    response
}

/// Builds the router: the JSON APIs and local paths, and S3 for everything else.
pub fn router(app: Arc<App>, s3: s3s::service::S3Service) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([
            http::Method::GET,
            http::Method::POST,
            http::Method::PUT,
            http::Method::DELETE,
            http::Method::HEAD,
            http::Method::OPTIONS,
        ])
        .allow_headers(Any)
        .expose_headers([
            header::HeaderName::from_static("x-amzn-requestid"),
            header::HeaderName::from_static("x-amzn-errortype"),
            header::HeaderName::from_static("x-amzn-errormessage"),
            header::ETAG,
        ]);
    let api = json_router(app);
    let aws_shaped: BoxedService =
        tower::util::BoxCloneSyncService::new(tower::service_fn(move |request: Request<Body>| {
            let api = api.clone();
            let s3 = s3.clone();
            async move {
                if is_s3_request(request.method(), request.uri().path(), request.headers()) {
                    Ok(serve_s3(s3, request).await)
                } else {
                    tower::ServiceExt::oneshot(api, request).await
                }
            }
        }));
    let with_cors: BoxedService = tower::util::BoxCloneSyncService::new(
        tower::ServiceBuilder::new()
            .layer(cors)
            .service(aws_shaped.clone()),
    );
    let dispatch = tower::service_fn(move |request: Request<Body>| {
        let with_cors = with_cors.clone();
        let local_only = aws_shaped.clone();
        async move {
            if !request.uri().path().starts_with("/_local/") {
                return tower::ServiceExt::oneshot(with_cors, request).await;
            }
            if !loopback_host(request.headers()) {
                tracing::warn!(
                    "a request for the local cloud's own paths named another host; refused"
                );
                return Ok((StatusCode::MISDIRECTED_REQUEST, "Misdirected Request").into_response());
            }
            tower::ServiceExt::oneshot(local_only, request).await
        }
    });
    Router::new()
        .fallback_service(dispatch)
        .layer(CatchPanicLayer::custom(panic_response))
}

/// Whether the `Host` header names this machine: `localhost` or an IP literal (a page that
/// rebinds its own DNS name to 127.0.0.1 still sends that name). No `Host` (HTTP/1.0 tools)
/// passes: browsers always send one.
pub fn loopback_host(headers: &http::HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST) else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        // `[::1]:4566`
        Some(rest) => {
            return rest
                .split(']')
                .next()
                .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok())
        }
        None => host.rsplit_once(':').map_or(host, |(name, _port)| name),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

fn json_router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", post(api))
        .route("/_local/health", get(health))
        .route("/_local/outbox", get(outbox))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .fallback(not_found)
        .with_state(Arc::clone(&app))
        .merge(crate::hosted_ui::router(app))
}

/// Renders a [`CognitoError`] the way AWS JSON 1.1 services do.
pub fn error_response(err: &CognitoError, request_id: &str) -> Response {
    let body = serde_json::json!({ "__type": err.kind.wire_name(), "message": err.message });
    let mut response = (err.kind.status(), body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_1_1));
    headers.insert(
        "x-amzn-errortype",
        HeaderValue::from_static(err.kind.wire_name()),
    );
    if let Ok(message) = HeaderValue::from_str(&err.message) {
        headers.insert("x-amzn-errormessage", message);
    }
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    error_response(&CognitoError::internal(), &uuid::Uuid::new_v4().to_string())
}

async fn api(State(app): State<Arc<App>>, request: Request<Body>) -> Response {
    let started = Instant::now();
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(err) => {
            let too_large = std::error::Error::source(&err)
                .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
            let err = if too_large {
                CognitoError::new(
                    ErrorKind::RequestEntityTooLarge,
                    format!("Request body exceeds {MAX_BODY_BYTES} bytes"),
                )
            } else {
                CognitoError::new(
                    ErrorKind::Serialization,
                    "The request body could not be read.",
                )
            };
            tracing::info!(request_id, error = err.kind.wire_name(), "request refused");
            return error_response(&err, &request_id);
        }
    };
    let (op, result) = protocol::handle(Arc::clone(&app), &parts, body).await;
    let op_name = op.map_or("unknown", |op| op.name());
    let elapsed_ms = started.elapsed().as_millis();
    match result {
        Ok(body) => {
            tracing::info!(request_id, operation = op_name, elapsed_ms, "ok");
            let mut response = (StatusCode::OK, body).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_1_1));
            if let Ok(id) = HeaderValue::from_str(&request_id) {
                headers.insert("x-amzn-requestid", id);
            }
            response
        }
        Err(err) => {
            if err.kind == ErrorKind::InternalError {
                tracing::error!(
                    request_id,
                    operation = op_name,
                    elapsed_ms,
                    "internal error"
                );
            } else {
                tracing::info!(
                    request_id,
                    operation = op_name,
                    elapsed_ms,
                    error = err.kind.wire_name(),
                    "refused"
                );
            }
            error_response(&err, &request_id)
        }
    }
}

async fn health() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn outbox(State(app): State<Arc<App>>) -> Response {
    let store = Arc::clone(&app.store);
    let messages = tokio::task::spawn_blocking(move || {
        store.inspect(|inner| inner.outbox.messages().to_vec())
    })
    .await;
    match messages {
        Ok(Ok(messages)) => Json(messages).into_response(),
        _ => error_response(&CognitoError::internal(), &uuid::Uuid::new_v4().to_string()),
    }
}

fn pool_missing(pool_id: &str) -> Response {
    let mut response = error_response(
        &CognitoError::pool_not_found(pool_id),
        &uuid::Uuid::new_v4().to_string(),
    );
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

async fn jwks(State(app): State<Arc<App>>, Path(pool_id): Path<String>) -> Response {
    let store = Arc::clone(&app.store);
    let id = pool_id.clone();
    let key = tokio::task::spawn_blocking(move || {
        store
            .inspect(|inner| {
                let record = inner.state.pool(&id)?.signing_key.clone();
                inner.keys.get(&id, &record)
            })
            .and_then(|key| key)
    })
    .await;
    match key {
        Ok(Ok(key)) => Json(serde_json::json!({ "keys": [key.jwk()] })).into_response(),
        Ok(Err(err)) if err.kind == ErrorKind::ResourceNotFound => pool_missing(&pool_id),
        _ => error_response(&CognitoError::internal(), &uuid::Uuid::new_v4().to_string()),
    }
}

async fn openid_configuration(
    State(app): State<Arc<App>>,
    Path(pool_id): Path<String>,
) -> Response {
    let store = Arc::clone(&app.store);
    let id = pool_id.clone();
    let exists = tokio::task::spawn_blocking(move || {
        store
            .inspect(|inner| inner.state.pool(&id).map(|_| ()))
            .and_then(|found| found)
    })
    .await;
    match exists {
        Ok(Ok(())) => {
            let issuer = jwt::issuer(&app.endpoint, &pool_id);
            Json(serde_json::json!({
                "issuer": issuer,
                "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
                "response_types_supported": ["code", "token"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "phone", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "claims_supported": ["sub", "email", "email_verified", "cognito:username", "iss", "aud", "exp", "iat", "auth_time", "token_use"],
            }))
            .into_response()
        }
        Ok(Err(_)) => pool_missing(&pool_id),
        Err(_) => error_response(&CognitoError::internal(), &uuid::Uuid::new_v4().to_string()),
    }
}

async fn not_found() -> Response {
    let mut response = error_response(
        &CognitoError::new(ErrorKind::UnknownOperation, "No such resource."),
        &uuid::Uuid::new_v4().to_string(),
    );
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing() {
        let none = http::HeaderMap::new();
        let mut target = http::HeaderMap::new();
        target.insert(
            "x-amz-target",
            HeaderValue::from_static("AWSCognitoIdentityService.GetId"),
        );
        let get = http::Method::GET;
        let put = http::Method::PUT;
        let post = http::Method::POST;
        assert!(!is_s3_request(&post, "/", &target));
        assert!(
            !is_s3_request(&post, "/", &none),
            "JSON without a target is the API's error"
        );
        assert!(!is_s3_request(&get, "/_local/outbox", &none));
        assert!(!is_s3_request(
            &get,
            "/us-east-1_AbC/.well-known/jwks.json",
            &none
        ));
        assert!(is_s3_request(
            &put,
            "/coffer-demo/private/x/.well-known/jwks.json",
            &none
        ));
        assert!(is_s3_request(
            &put,
            "/coffer-demo/private/us-east-1:abc/f.txt",
            &none
        ));
        assert!(is_s3_request(&get, "/coffer-demo", &none));
        assert!(is_s3_request(&get, "/", &none), "ListBuckets");
        assert!(is_s3_request(&post, "/coffer-demo/k?uploads", &none));
    }
}

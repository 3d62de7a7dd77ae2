//! Verification of AWS Signature Version 4 on admin operations.
//!
//! Design: the request's `Authorization` header is parsed (credential scope, signed headers,
//! signature), the scope and the request time are checked with the wording AWS uses, and then
//! the request is signed again with the `aws-sigv4` crate, the same code the Rust SDK signs
//! with: the headers the client listed as signed, the body, the `X-Amz-Date` the client sent, the
//! admin secret. The two signatures are compared in constant time.
//!
//! Only the admin key of this local cloud is accepted (`UnrecognizedClientException` otherwise).
//! Requests more than five minutes away from the injected clock are refused ("Signature
//! expired" / "Signature not yet current"), as AWS does. Presigned (query-string) requests are not
//! supported: Cognito's API is never called that way.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4::SigningParams;
use aws_smithy_runtime_api::client::identity::Identity;
use http::HeaderMap;
use subtle::ConstantTimeEq;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::credentials::AdminCredentials;
use crate::error::{CognitoError, ErrorKind};

/// The signing name of the Cognito user-pool API.
pub const SERVICE: &str = "cognito-idp";
/// The signing name of the Cognito identity-pool API.
pub const IDENTITY_SERVICE: &str = "cognito-identity";
/// How far a request's time may be from the server's.
pub const MAX_SKEW: Duration = Duration::from_secs(5 * 60);
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The parts of an HTTP request a signature covers.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// `POST`.
    pub method: &'a str,
    /// Path and query as received (e.g. `/`).
    pub path_and_query: &'a str,
    /// All request headers.
    pub headers: &'a HeaderMap,
    /// The raw body.
    pub body: &'a [u8],
}

/// Parsed `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
#[derive(Debug, PartialEq, Eq)]
struct Authorization<'a> {
    access_key_id: &'a str,
    scope_date: &'a str,
    scope_region: &'a str,
    scope_service: &'a str,
    scope_terminator: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn incomplete(message: impl Into<String>) -> CognitoError {
    CognitoError::new(ErrorKind::IncompleteSignature, message)
}

fn invalid(message: impl Into<String>) -> CognitoError {
    CognitoError::new(ErrorKind::InvalidSignature, message)
}

fn mismatch() -> CognitoError {
    invalid(
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    )
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, CognitoError> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .filter(|rest| rest.starts_with(' '))
        .ok_or_else(|| {
            incomplete(format!(
                "Unsupported signing algorithm; expected {ALGORITHM}."
            ))
        })?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (name, value) = part.trim().split_once('=').unwrap_or((part.trim(), ""));
        match name {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed_headers = Some(value),
            "Signature" => signature = Some(value),
            _ => {}
        }
    }
    let mut missing = Vec::new();
    for (name, value) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ] {
        if value.is_none_or(str::is_empty) {
            missing.push(format!("Authorization header requires '{name}' parameter."));
        }
    }
    if !missing.is_empty() {
        return Err(incomplete(missing.join(" ")));
    }
    let (credential, signed_headers, signature) = (
        credential.unwrap_or_default(),
        signed_headers.unwrap_or_default(),
        signature.unwrap_or_default(),
    );
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, scope_date, scope_region, scope_service, scope_terminator] = scope[..]
    else {
        return Err(incomplete(format!(
            "Credential should have exactly 5 parts: <access key>/<date>/<region>/<service>/aws4_request; it has {}.",
            scope.len()
        )));
    };
    Ok(Authorization {
        access_key_id,
        scope_date,
        scope_region,
        scope_service,
        scope_terminator,
        signed_headers: signed_headers.split(';').collect(),
        signature,
    })
}

fn parse_amz_date(value: &str) -> Option<OffsetDateTime> {
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    PrimitiveDateTime::parse(value, format)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

fn format_amz_date(t: OffsetDateTime) -> String {
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    t.format(format).unwrap_or_default()
}

/// Verifies the SigV4 signature of a user-pool API `request` against the admin key, for
/// `region`, at `now`.
pub fn verify(
    admin: &AdminCredentials,
    region: &str,
    now: OffsetDateTime,
    request: RequestParts<'_>,
) -> Result<(), CognitoError> {
    verify_for(admin, region, SERVICE, now, request)
}

/// Like [`verify`] for the API whose signing name is `service`.
pub fn verify_for(
    admin: &AdminCredentials,
    region: &str,
    service: &str,
    now: OffsetDateTime,
    request: RequestParts<'_>,
) -> Result<(), CognitoError> {
    let Some(header) = request.headers.get(http::header::AUTHORIZATION) else {
        return Err(CognitoError::new(
            ErrorKind::MissingAuthenticationToken,
            "Missing Authentication Token",
        ));
    };
    let header = header
        .to_str()
        .map_err(|_| incomplete("The Authorization header is not valid ASCII."))?;
    let auth = parse_authorization(header)?;

    let known_key: bool = auth
        .access_key_id
        .as_bytes()
        .ct_eq(admin.access_key_id.as_bytes())
        .into();
    if !known_key {
        return Err(CognitoError::new(
            ErrorKind::UnrecognizedClient,
            "The security token included in the request is invalid.",
        ));
    }

    let date_value = request
        .headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."))?;
    let signed_at = parse_amz_date(date_value).ok_or_else(|| {
        incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{date_value}'."
        ))
    })?;
    if signed_at < now - MAX_SKEW {
        return Err(invalid(format!(
            "Signature expired: {} is now earlier than {} ({} - 5 min.)",
            format_amz_date(signed_at),
            format_amz_date(now - MAX_SKEW),
            format_amz_date(now)
        )));
    }
    if signed_at > now + MAX_SKEW {
        return Err(invalid(format!(
            "Signature not yet current: {} is still later than {} ({} + 5 min.)",
            format_amz_date(signed_at),
            format_amz_date(now + MAX_SKEW),
            format_amz_date(now)
        )));
    }
    if auth.scope_date != &date_value[..8] {
        return Err(invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{date_value}'.",
            auth.scope_date,
            &date_value[..8]
        )));
    }
    if auth.scope_region != region {
        return Err(invalid(format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            auth.scope_region
        )));
    }
    if auth.scope_service != service {
        return Err(invalid(format!(
            "Credential should be scoped to correct service: '{service}'. "
        )));
    }
    if auth.scope_terminator != "aws4_request" {
        return Err(invalid(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'. ",
            auth.scope_terminator
        )));
    }

    let expected = resign(
        admin,
        region,
        service,
        signed_at,
        &auth.signed_headers,
        request,
    )?;
    let matches: bool = expected.as_bytes().ct_eq(auth.signature.as_bytes()).into();
    if matches {
        Ok(())
    } else {
        Err(mismatch())
    }
}

/// Signs the listed headers and the body again with the admin secret; returns the hex signature.
fn resign(
    admin: &AdminCredentials,
    region: &str,
    service: &str,
    signed_at: OffsetDateTime,
    signed_headers: &[&str],
    request: RequestParts<'_>,
) -> Result<String, CognitoError> {
    // The crate derives the canonical Host from the Host header; without it there is nothing to
    // sign against (and AWS requires Host to be signed).
    if !signed_headers.contains(&"host") || !request.headers.contains_key(http::header::HOST) {
        return Err(mismatch());
    }
    let mut headers = Vec::new();
    for name in signed_headers {
        let values = request.headers.get_all(*name);
        let mut any = false;
        for value in values {
            any = true;
            headers.push((*name, value.to_str().map_err(|_| mismatch())?));
        }
        if !any {
            return Err(mismatch());
        }
    }
    let host = request
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .ok_or_else(mismatch)?;
    let uri = format!("http://{host}{}", request.path_and_query);
    let signable = SignableRequest::new(
        request.method,
        uri,
        headers.into_iter(),
        SignableBody::Bytes(request.body),
    )
    .map_err(|_| mismatch())?;

    let identity: Identity = Credentials::new(
        admin.access_key_id.clone(),
        admin.secret_access_key.expose().to_owned(),
        None,
        None,
        "local-cloud",
    )
    .into();
    let mut settings = SigningSettings::default();
    // Sign exactly what the client signed, whatever it is.
    settings.excluded_headers = None;
    let params = SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(SystemTime::from(signed_at))
        .settings(settings)
        .build()
        .map_err(|_| CognitoError::internal())?
        .into();
    let output = sign(signable, &params).map_err(|_| mismatch())?;
    Ok(output.signature().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::SecretAccessKey;

    fn admin() -> AdminCredentials {
        AdminCredentials {
            access_key_id: "AKIAEXAMPLE000000000".into(),
            secret_access_key: SecretAccessKey::new(
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            ),
        }
    }

    fn now() -> OffsetDateTime {
        parse_amz_date("20240102T030405Z").expect("valid")
    }

    /// Signs like a client would, with the same crate, returning the headers to send.
    fn signed_headers(secret: &str, at: OffsetDateTime, body: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("host", "127.0.0.1:4566".parse().expect("valid"));
        headers.insert(
            "content-type",
            "application/x-amz-json-1.1".parse().expect("valid"),
        );
        headers.insert(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ListUserPools"
                .parse()
                .expect("valid"),
        );
        let identity: Identity =
            Credentials::new("AKIAEXAMPLE000000000", secret, None, None, "test").into();
        let params = SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name(SERVICE)
            .time(SystemTime::from(at))
            .settings(SigningSettings::default())
            .build()
            .expect("params")
            .into();
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().expect("ascii")))
            .collect();
        let signable = SignableRequest::new(
            "POST",
            "http://127.0.0.1:4566/",
            pairs.into_iter(),
            SignableBody::Bytes(body),
        )
        .expect("signable");
        let (instructions, _) = sign(signable, &params).expect("signs").into_parts();
        let mut request = http::Request::builder().body(()).expect("request");
        *request.headers_mut() = headers;
        instructions.apply_to_request_http1x(&mut request);
        request.headers().clone()
    }

    fn parts<'a>(headers: &'a HeaderMap, body: &'a [u8]) -> RequestParts<'a> {
        RequestParts {
            method: "POST",
            path_and_query: "/",
            headers,
            body,
        }
    }

    #[test]
    fn a_correct_signature_verifies() {
        let body = br#"{"MaxResults":10}"#;
        let headers = signed_headers(admin().secret_access_key.expose(), now(), body);
        verify(&admin(), "us-east-1", now(), parts(&headers, body)).expect("verifies");
    }

    #[test]
    fn wrong_secret_tampered_body_and_old_requests_are_refused() {
        let body = br#"{"MaxResults":10}"#;
        let wrong = signed_headers("not-the-secret", now(), body);
        let err = verify(&admin(), "us-east-1", now(), parts(&wrong, body)).expect_err("wrong key");
        assert_eq!(err.kind, ErrorKind::InvalidSignature);

        let right = signed_headers(admin().secret_access_key.expose(), now(), body);
        let err = verify(
            &admin(),
            "us-east-1",
            now(),
            parts(&right, br#"{"MaxResults":60}"#),
        )
        .expect_err("tampered body");
        assert_eq!(err.kind, ErrorKind::InvalidSignature);

        let err = verify(
            &admin(),
            "us-east-1",
            now() + Duration::from_secs(301),
            parts(&right, body),
        )
        .expect_err("too old");
        assert!(err
            .message
            .starts_with("Signature expired: 20240102T030405Z is now earlier than"));

        let err = verify(&admin(), "eu-west-1", now(), parts(&right, body)).expect_err("region");
        assert_eq!(err.kind, ErrorKind::InvalidSignature);
    }

    #[test]
    fn missing_and_unknown_keys_have_their_own_errors() {
        let headers = HeaderMap::new();
        let err = verify(&admin(), "us-east-1", now(), parts(&headers, b"")).expect_err("unsigned");
        assert_eq!(err.kind, ErrorKind::MissingAuthenticationToken);

        let mut headers = signed_headers(admin().secret_access_key.expose(), now(), b"");
        let forged = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .expect("signed")
            .replace("AKIAEXAMPLE000000000", "AKIAOTHER00000000000");
        headers.insert("authorization", forged.parse().expect("valid"));
        let err =
            verify(&admin(), "us-east-1", now(), parts(&headers, b"")).expect_err("unknown key");
        assert_eq!(err.kind, ErrorKind::UnrecognizedClient);
        assert_eq!(
            err.message,
            "The security token included in the request is invalid."
        );
    }

    #[test]
    fn authorization_header_parsing() {
        let parsed = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        )
        .expect("parses");
        assert_eq!(parsed.access_key_id, "AKID");
        assert_eq!(parsed.signed_headers, vec!["host", "x-amz-date"]);
        assert_eq!(parsed.signature, "abc");
        let err = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/cognito-idp/aws4_request",
        )
        .expect_err("incomplete");
        assert_eq!(err.kind, ErrorKind::IncompleteSignature);
    }
}

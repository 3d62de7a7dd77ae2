//! The one-shot loopback listener (RFC 8252 §7.3): binds the redirect URI's port on
//! 127.0.0.1 (and on `[::1]` when the system has IPv6 loopback), answers requests until one
//! valid callback arrives (see [`super::callback`] for what counts), then closes.
//!
//! Each connection gets one request: its head is read (at most 8 KiB, within 5 s) and parsed
//! with `httparse`; the answer is a short HTML page and `Connection: close`. The code is never
//! logged; refusals are logged by kind only.

use std::future::Future;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::Url;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::callback::{self, Expected, RequestHead, Verdict};
use super::OAuthError;
use crate::secret::VerificationCode;

const MAX_HEAD_BYTES: usize = 8 * 1024;
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// A redirect URI the listener can serve: `http`, a loopback host, an explicit port.
pub fn loopback_port_and_path(uri: &Url) -> Option<(u16, String)> {
    let loopback = matches!(
        uri.host(),
        Some(oauth2::url::Host::Domain("localhost"))
            | Some(oauth2::url::Host::Ipv4(Ipv4Addr::LOCALHOST))
            | Some(oauth2::url::Host::Ipv6(Ipv6Addr::LOCALHOST))
    );
    if uri.scheme() != "http" || !loopback || uri.query().is_some() || uri.fragment().is_some() {
        return None;
    }
    Some((uri.port()?, uri.path().to_owned()))
}

/// A bound listener waiting for one callback.
#[derive(Debug)]
pub struct LoopbackListener {
    v4: TcpListener,
    v6: Option<TcpListener>,
    port: u16,
    path: String,
    redirect_uri: Url,
}

impl LoopbackListener {
    /// Binds the port of `redirect_uri` (which must pass [`loopback_port_and_path`]).
    pub async fn bind(redirect_uri: &Url) -> Result<Self, OAuthError> {
        let (port, path) =
            loopback_port_and_path(redirect_uri).ok_or(OAuthError::NoLoopbackRedirect)?;
        let v4_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let v4 =
            TcpListener::bind(v4_addr)
                .await
                .map_err(|source| OAuthError::PortUnavailable {
                    address: v4_addr.to_string(),
                    source,
                })?;
        // [::1] where available: `localhost` may resolve to it first.
        let v6 = TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port)))
            .await
            .ok();
        Ok(Self {
            v4,
            v6,
            port,
            path,
            redirect_uri: redirect_uri.clone(),
        })
    }

    /// The redirect URI this listener serves.
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// Serves requests until a callback with `state` arrives, `timeout` passes or `cancel`
    /// completes. Consumes the listener: the port is closed when this returns.
    pub async fn wait_for_code(
        self,
        state: &str,
        timeout: Duration,
        cancel: impl Future<Output = ()>,
    ) -> Result<VerificationCode, OAuthError> {
        let expected = Expected {
            path: &self.path,
            port: self.port,
            state,
        };
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        tokio::pin!(cancel);
        loop {
            let accepted = tokio::select! {
                () = &mut deadline => return Err(OAuthError::TimedOut),
                () = &mut cancel => return Err(OAuthError::Cancelled),
                accepted = self.v4.accept() => accepted,
                accepted = accept_optional(self.v6.as_ref()) => accepted,
            };
            let Ok((stream, _peer)) = accepted else {
                continue;
            };
            if let Some(outcome) = serve_one(stream, &expected).await {
                return outcome;
            }
        }
    }
}

async fn accept_optional(
    listener: Option<&TcpListener>,
) -> std::io::Result<(TcpStream, SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

/// Reads one request, answers it; `Some` when the wait is over.
async fn serve_one(
    mut stream: TcpStream,
    expected: &Expected<'_>,
) -> Option<Result<VerificationCode, OAuthError>> {
    let head = match tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await {
        Ok(Some(head)) => head,
        _ => {
            respond(&mut stream, 400, "Bad request.").await;
            return None;
        }
    };
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    if !matches!(request.parse(&head), Ok(httparse::Status::Complete(_))) {
        respond(&mut stream, 400, "Bad request.").await;
        return None;
    }
    let host = request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("host"))
        .and_then(|h| std::str::from_utf8(h.value).ok());
    let verdict = callback::judge(
        &RequestHead {
            method: request.method.unwrap_or_default(),
            target: request.path.unwrap_or_default(),
            host,
        },
        expected,
    );
    match verdict {
        Verdict::NotFound => {
            respond(&mut stream, 404, "Not found.").await;
            None
        }
        Verdict::Refused(refusal) => {
            tracing::warn!(
                ?refusal,
                "refused a request to the sign-in redirect listener"
            );
            respond(
                &mut stream,
                400,
                "This sign-in link is not valid. Start again from the app.",
            )
            .await;
            None
        }
        Verdict::Code(code) => {
            respond(
                &mut stream,
                200,
                "Signed in. You can close this window and return to the app.",
            )
            .await;
            Some(Ok(code))
        }
        Verdict::Error { error, description } => {
            respond(
                &mut stream,
                200,
                "The sign-in did not complete. You can close this window and return to the app.",
            )
            .await;
            Some(Err(OAuthError::Denied { error, description }))
        }
        Verdict::Malformed => {
            respond(
                &mut stream,
                400,
                "The sign-in did not complete. You can close this window and return to the app.",
            )
            .await;
            Some(Err(OAuthError::MalformedCallback))
        }
    }
}

/// The bytes up to the blank line ending the head, or `None` if too long or closed early.
async fn read_head(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0u8; 1024];
    loop {
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        head.extend_from_slice(&buffer[..read]);
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            return Some(head);
        }
        if head.len() > MAX_HEAD_BYTES {
            return None;
        }
    }
}

async fn respond(stream: &mut TcpStream, status: u16, message: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Coffer</title></head>\
         <body style=\"font-family:system-ui,sans-serif;margin:4rem auto;max-width:30rem\">\
         <p id=\"message\">{message}</p></body></html>"
    );
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\
         X-Frame-Options: DENY\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    // The browser may already have gone; nothing to do about a failed write.
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_uris_with_a_port_are_usable() {
        let ok = |s: &str| loopback_port_and_path(&Url::parse(s).unwrap());
        assert_eq!(
            ok("http://127.0.0.1:53682/callback"),
            Some((53682, "/callback".into()))
        );
        assert_eq!(ok("http://localhost:8080/cb"), Some((8080, "/cb".into())));
        assert_eq!(ok("http://[::1]:9/x"), Some((9, "/x".into())));
        assert_eq!(ok("https://127.0.0.1:53682/callback"), None);
        assert_eq!(ok("http://example.com:53682/callback"), None);
        assert_eq!(ok("http://127.0.0.1/callback"), None);
    }
}

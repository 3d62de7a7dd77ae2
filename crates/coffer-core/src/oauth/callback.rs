//! Judging one request that reached the loopback listener (pure).
//!
//! Only `GET <registered path>` with a loopback `Host` on our port is a callback at all; any
//! other path (the browser's `/favicon.ico`) is a 404 and the listener keeps waiting. A
//! callback whose `state` is not ours is refused and forgotten — it cannot end or hijack the
//! sign-in — and so is a request whose `Host` is not a loopback name (a DNS-rebinding page
//! could otherwise reach the listener). A callback with our `state` ends the wait: with the
//! code, or with the provider's `error`.

use std::collections::HashMap;

use reqwest::Url;

use super::request::state_matches;
use crate::secret::VerificationCode;

/// What the listener expects.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The redirect URI's path, e.g. `/callback`.
    pub path: &'a str,
    /// The port the listener is bound to.
    pub port: u16,
    /// The `state` that was sent.
    pub state: &'a str,
}

/// The parts of an HTTP request the judgment needs.
#[derive(Debug, Clone, Copy)]
pub struct RequestHead<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// The request target, e.g. `/callback?code=…&state=…`.
    pub target: &'a str,
    /// The `Host` header.
    pub host: Option<&'a str>,
}

/// Why a request was refused (the listener keeps waiting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `Host` is missing or not `127.0.0.1`/`localhost`/`[::1]` with our port.
    ForeignHost,
    /// Not a GET.
    Method,
    /// `state` missing or not ours.
    WrongState,
}

/// The verdict on one request.
#[derive(Debug)]
pub enum Verdict {
    /// Not the callback path: answer 404, keep waiting.
    NotFound,
    /// Refused: answer 400, keep nothing, keep waiting.
    Refused(Refusal),
    /// Our callback with a code: the wait is over.
    Code(VerificationCode),
    /// Our callback with an error from the authorization server: the wait is over.
    Error {
        /// `error`, e.g. `access_denied`.
        error: String,
        /// `error_description`, when given.
        description: Option<String>,
    },
    /// Our callback, but with neither `code` nor `error`.
    Malformed,
}

/// Whether `host` (a `Host` header value) names this machine's loopback on `port`.
pub fn is_loopback_host(host: &str, port: u16) -> bool {
    let Some((name, host_port)) = host.rsplit_once(':') else {
        return false;
    };
    host_port.parse::<u16>().ok() == Some(port)
        && matches!(
            name.to_ascii_lowercase().as_str(),
            "127.0.0.1" | "localhost" | "[::1]"
        )
}

/// Printable, bounded text from the query (server-controlled, so shortened and stripped).
fn tame(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// Judges one request.
pub fn judge(request: &RequestHead<'_>, expected: &Expected<'_>) -> Verdict {
    if !request
        .host
        .is_some_and(|host| is_loopback_host(host, expected.port))
    {
        return Verdict::Refused(Refusal::ForeignHost);
    }
    // The target is origin-form; give it a base to parse against.
    let Ok(url) = Url::parse("http://loopback.invalid").and_then(|base| base.join(request.target))
    else {
        return Verdict::NotFound;
    };
    if url.path() != expected.path {
        return Verdict::NotFound;
    }
    if request.method != "GET" {
        return Verdict::Refused(Refusal::Method);
    }
    let mut query: HashMap<String, String> = HashMap::new();
    for (name, value) in url.query_pairs() {
        // A repeated parameter is suspicious; keep the first and let the checks decide.
        query
            .entry(name.into_owned())
            .or_insert_with(|| value.into_owned());
    }
    let state_ok = query
        .get("state")
        .is_some_and(|state| state_matches(expected.state, state));
    if !state_ok {
        return Verdict::Refused(Refusal::WrongState);
    }
    if let Some(error) = query.get("error") {
        return Verdict::Error {
            error: tame(error),
            description: query.get("error_description").map(|d| tame(d)),
        };
    }
    match query.remove("code") {
        Some(code) if !code.is_empty() => Verdict::Code(VerificationCode::new(code)),
        _ => Verdict::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPECTED: Expected<'static> = Expected {
        path: "/callback",
        port: 53682,
        state: "s7ate",
    };

    fn get(target: &str) -> Verdict {
        judge(
            &RequestHead {
                method: "GET",
                target,
                host: Some("127.0.0.1:53682"),
            },
            &EXPECTED,
        )
    }

    #[test]
    fn a_code_with_our_state_is_accepted() {
        match get("/callback?code=the-code&state=s7ate") {
            Verdict::Code(code) => assert_eq!(code.expose(), "the-code"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn error_callbacks_become_typed_errors() {
        match get("/callback?error=access_denied&error_description=User%20said%20no&state=s7ate") {
            Verdict::Error { error, description } => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("User said no"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn wrong_or_missing_state_is_refused() {
        assert!(matches!(
            get("/callback?code=x&state=other"),
            Verdict::Refused(Refusal::WrongState)
        ));
        assert!(matches!(
            get("/callback?code=x"),
            Verdict::Refused(Refusal::WrongState)
        ));
        assert!(matches!(
            get("/callback?error=access_denied&state=forged"),
            Verdict::Refused(Refusal::WrongState)
        ));
    }

    #[test]
    fn missing_code_and_other_paths() {
        assert!(matches!(get("/callback?state=s7ate"), Verdict::Malformed));
        assert!(matches!(
            get("/callback?state=s7ate&code="),
            Verdict::Malformed
        ));
        assert!(matches!(get("/favicon.ico"), Verdict::NotFound));
        assert!(matches!(
            get("/callback/extra?code=x&state=s7ate"),
            Verdict::NotFound
        ));
    }

    #[test]
    fn host_header_must_be_loopback_with_our_port() {
        assert!(is_loopback_host("127.0.0.1:53682", 53682));
        assert!(is_loopback_host("localhost:53682", 53682));
        assert!(is_loopback_host("LOCALHOST:53682", 53682));
        assert!(is_loopback_host("[::1]:53682", 53682));
        assert!(!is_loopback_host("127.0.0.1:53683", 53682));
        assert!(!is_loopback_host("attacker.example:53682", 53682));
        assert!(!is_loopback_host("127.0.0.1", 53682));
        assert!(!is_loopback_host("localhost.attacker.example:53682", 53682));
        for host in [Some("evil.example:53682"), None] {
            let verdict = judge(
                &RequestHead {
                    method: "GET",
                    target: "/callback?code=x&state=s7ate",
                    host,
                },
                &EXPECTED,
            );
            assert!(matches!(verdict, Verdict::Refused(Refusal::ForeignHost)));
        }
    }

    #[test]
    fn only_get_is_a_callback() {
        let verdict = judge(
            &RequestHead {
                method: "POST",
                target: "/callback?code=x&state=s7ate",
                host: Some("127.0.0.1:53682"),
            },
            &EXPECTED,
        );
        assert!(matches!(verdict, Verdict::Refused(Refusal::Method)));
    }
}

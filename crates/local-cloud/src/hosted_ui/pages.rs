//! The hosted UI's HTML: small, self-contained pages (inline CSS, no script, no external
//! resources), every dynamic value HTML-escaped, served with `no-store` and framing forbidden.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}\
main{max-width:22rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;\
box-shadow:0 1px 4px #0002}h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem}\
input[type=text],input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem}\
button,.button{display:block;width:100%;margin-top:1rem;padding:.6rem;text-align:center;box-sizing:border-box}\
.error{color:#b00020}.muted{color:#555;font-size:.9rem}";

/// A complete page with the hosted UI's security headers.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        title = escape(title),
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    no_store(headers);
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Marks a response as not cacheable (pages with CSRF tokens, token responses).
pub fn no_store(headers: &mut axum::http::HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// An error page that does not send the browser anywhere (used when the redirect URI itself
/// cannot be trusted).
pub fn error_page(status: StatusCode, message: &str) -> Response {
    page(
        status,
        "Sign-in error",
        &format!(
            "<h1>Something went wrong</h1><p class=\"error\" id=\"error\">{}</p>",
            escape(message)
        ),
    )
}

/// What a login form needs.
pub struct LoginForm<'a> {
    /// Page heading.
    pub heading: &'a str,
    /// Where the form posts.
    pub action: &'a str,
    /// The login page's key.
    pub page_key: &'a str,
    /// The page's CSRF token.
    pub csrf: &'a str,
    /// The label of the name field.
    pub username_label: &'a str,
    /// The name typed before, when the page is shown again after a failure.
    pub username: &'a str,
    /// An error from the previous attempt.
    pub error: Option<&'a str>,
    /// Extra HTML after the form (provider buttons, sign-up link), already escaped.
    pub footer: &'a str,
}

/// A username + password form. The password goes in the POST body only.
pub fn login_form(form: &LoginForm<'_>) -> String {
    let error = form
        .error
        .map(|e| format!("<p class=\"error\" id=\"error\">{}</p>", escape(e)))
        .unwrap_or_default();
    format!(
        "<h1>{heading}</h1>{error}\
         <form method=\"post\" action=\"{action}\" autocomplete=\"on\">\
         <input type=\"hidden\" name=\"page\" value=\"{page}\">\
         <input type=\"hidden\" name=\"_csrf\" value=\"{csrf}\">\
         <label for=\"username\">{label}</label>\
         <input type=\"text\" id=\"username\" name=\"username\" value=\"{username}\" autocomplete=\"username\" required autofocus>\
         <label for=\"password\">Password</label>\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\
         <button type=\"submit\" id=\"sign-in\">Sign in</button></form>{footer}",
        heading = escape(form.heading),
        action = escape(form.action),
        page = escape(form.page_key),
        csrf = escape(form.csrf),
        label = escape(form.username_label),
        username = escape(form.username),
        footer = form.footer,
    )
}

/// Sets the page's CSRF cookie (double submit: the form field must match it).
pub fn with_csrf_cookie(mut response: Response, name: &str, csrf: &str, path: &str) -> Response {
    let cookie = format!("{name}={csrf}; Path={path}; HttpOnly; SameSite=Strict");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The value of cookie `name` in a request's headers.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// A `302 Found` to `location`, not cacheable.
pub fn redirect(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    match HeaderValue::from_str(location) {
        Ok(value) => {
            headers.insert(header::LOCATION, value);
        }
        Err(_) => return error_page(StatusCode::BAD_REQUEST, "The redirect URL is not valid."),
    }
    no_store(headers);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; csrf_x=2; csrf=3"),
        );
        assert_eq!(cookie(&headers, "csrf").as_deref(), Some("3"));
        assert_eq!(cookie(&headers, "b"), None);
    }
}

//! The HTTP exchange as plain data: what an adapter wants sent and what came back.
//! The core never performs I/O; the Wasm shell (or a test) turns these into fetches.

use crate::error::is_credential_header;

#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    /// Header names as they will be sent; later entries replace earlier ones of the same name.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Credential headers are shown as `[redacted]`: a request in a log must not leak its key.
impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let shown = if is_credential_header(k) {
                    "[redacted]"
                } else {
                    v.as_str()
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body)
            .finish()
    }
}

impl HttpRequest {
    pub fn post_json(url: String, body: String) -> Self {
        HttpRequest {
            method: "POST",
            url,
            headers: vec![("content-type".into(), "application/json".into())],
            body,
        }
    }

    /// Sets a header, replacing any earlier value under the same (case-insensitive) name.
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.remove_header(name);
        self.headers
            .push((name.to_ascii_lowercase(), value.to_string()));
    }

    /// Removes `name`, matched case-insensitively (a caller's `null` header).
    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response head with a transport-specific body (a JS `Response` in Wasm, bytes in tests).
#[derive(Debug)]
pub struct HttpResponse<B> {
    pub status: u16,
    /// Lower-cased header names.
    pub headers: Vec<(String, String)>,
    pub body: B,
}

/// Joins an API root and a path with exactly one slash between them.
pub fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        crate::bytes::trim_end_byte(base, b'/'),
        crate::bytes::trim_start_byte(path, b'/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_url_has_one_slash() {
        assert_eq!(join_url("http://h/v1/", "/chat"), "http://h/v1/chat");
        assert_eq!(join_url("http://h/v1", "chat"), "http://h/v1/chat");
    }

    #[test]
    fn debug_redacts_credentials() {
        let mut r = HttpRequest::post_json("u".into(), "{}".into());
        r.set_header("authorization", "Bearer sk-secret");
        let shown = format!("{r:?}");
        assert!(
            !shown.contains("sk-secret") && shown.contains("[redacted]"),
            "{shown}"
        );
    }

    #[test]
    fn set_header_replaces_case_insensitively() {
        let mut r = HttpRequest::post_json("u".into(), "{}".into());
        r.set_header("Authorization", "a");
        r.set_header("authorization", "b");
        assert_eq!(r.header("AUTHORIZATION"), Some("b"));
        assert_eq!(r.headers.len(), 2);
    }
}

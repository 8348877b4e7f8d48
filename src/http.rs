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
        // A loop, not `retain`, whose generic machinery was 0.4 kB of code for this.
        let mut i = 0;
        while i < self.headers.len() {
            if self.headers[i].0.eq_ignore_ascii_case(name) {
                self.headers.remove(i);
            } else {
                i += 1;
            }
        }
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

/// Whether a URL carries credentials in its authority (`https://user:pass@host/`):
/// `fetch` refuses such URLs, quoting them, and every request would hold them.
pub fn has_credentials(url: &str) -> bool {
    let rest = crate::bytes::split_once(url, "://").map_or(url, |(_, rest)| rest);
    // Bytes, not `str` patterns: this loop is all the .wasm needs for it.
    for b in rest.bytes() {
        match b {
            b'/' | b'?' | b'#' => return false,
            b'@' => return true,
            _ => {}
        }
    }
    false
}

/// A model id as path segments of a request URL (Gemini's `models/{model}`, Azure's
/// `deployments/{deployment}`): each segment percent-encoded but for the characters
/// model ids are made of, so that no id can leave the API root (`..`), add a query
/// (`?`) or cut the path (`#`) with the key header along. `/` separates segments where
/// `slashes` allows it (Gemini's `tunedModels/x`); an id that cannot be one (empty or
/// dot segments, control characters) is refused, naming `provider`.
pub fn model_path(model: &str, slashes: bool, provider: &str) -> crate::error::Result<String> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Bytes, pushed as ASCII: the output is ASCII by construction.
    let mut out: Vec<u8> = Vec::with_capacity(model.len());
    let mut segment = 0;
    let bytes = model.as_bytes();
    for i in 0..=bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(b'/');
        let why = if b == b'/' {
            let s = &out[segment..];
            if s.is_empty() || s == b"." || s == b".." {
                "it has an empty, `.` or `..` path segment"
            } else if i < bytes.len() && !slashes {
                "it holds a `/`"
            } else {
                out.push(b'/');
                segment = out.len();
                continue;
            }
        } else if b < 0x20 || b == 0x7f {
            "it holds a control character"
        } else {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@' | b'+') {
                out.push(b);
            } else {
                out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            }
            continue;
        };
        return Err(crate::error::Error::invalid(
            "model",
            format!("{provider} cannot take this model id in its URL: {why}"),
        ));
    }
    out.pop();
    Ok(String::from_utf8(out).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_urls_are_found_in_the_authority_only() {
        assert!(has_credentials("https://user:pass@host/v1"));
        assert!(has_credentials("http://token@127.0.0.1:1"));
        assert!(!has_credentials("https://host/v1/@scope"));
        assert!(!has_credentials("https://host/v1?q=a@b"));
        assert!(!has_credentials("http://127.0.0.1:8080/v1"));
    }

    #[test]
    fn model_ids_stay_inside_their_path_segments() {
        assert_eq!(
            model_path("gemini-2.5-flash", true, "gemini").unwrap(),
            "gemini-2.5-flash"
        );
        assert_eq!(
            model_path("tunedModels/my-model_1", true, "gemini").unwrap(),
            "tunedModels/my-model_1"
        );
        assert_eq!(
            model_path("m?alt=json#x", true, "gemini").unwrap(),
            "m%3Falt%3Djson%23x"
        );
        assert_eq!(
            model_path("a:b c%", false, "azure").unwrap(),
            "a%3Ab%20c%25"
        );
        assert_eq!(model_path("naïve", false, "azure").unwrap(), "na%C3%AFve");
        for bad in ["../../v1/files", "a/../b", "a//b", ".", "x\n"] {
            let e = model_path(bad, true, "gemini").unwrap_err();
            assert_eq!(e.param.as_deref(), Some("model"), "{bad}");
            assert!(
                e.message.contains("gemini cannot take this model id"),
                "{}",
                e.message
            );
        }
        assert!(model_path("a/b", false, "azure")
            .unwrap_err()
            .message
            .contains("`/`"));
    }

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

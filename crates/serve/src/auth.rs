//! Bearer tokens: `Authorization: Bearer <token>` on every `/v1/` request when the
//! server was given `--token-file`, and on every `/admin/` request with the separate
//! `--admin-token-file` (each route group checks only its own token). The comparison is constant-time (the `subtle`
//! crate's `ConstantTimeEq`), so response timing does not tell how much of a guess
//! was right; only the token's length can leak.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::error::{ApiError, Error, Result};

/// The token every protected request must present.
#[derive(Clone)]
pub struct Token(Arc<[u8]>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.write_str("Token(..)")
    }
}

impl Token {
    /// A token from its text (surrounding whitespace ignored); empty is refused.
    pub fn new(text: &str) -> Result<Self> {
        let t = text.trim();
        if t.is_empty() {
            return Err(Error::Config("the token is empty".into()));
        }
        Ok(Token(t.as_bytes().into()))
    }

    /// Reads the token from the first line of a file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            what: "token file",
            path: path.to_path_buf(),
            source,
        })?;
        Self::new(text.lines().next().unwrap_or_default())
            .map_err(|_| Error::Config(format!("token file {}: empty", path.display())))
    }

    /// Whether `header` (the `Authorization` value) carries this token, compared in
    /// constant time.
    pub fn accepts(&self, header: Option<&[u8]>) -> bool {
        let Some(given) = header.and_then(|h| h.strip_prefix(b"Bearer ")) else {
            return false;
        };
        bool::from(given.ct_eq(&self.0))
    }

    /// Whether two tokens are equal (the server refuses one token for both roles).
    pub fn same_as(&self, other: &Token) -> bool {
        bool::from(self.0.ct_eq(&other.0))
    }
}

/// Middleware: 401 unless the request carries the token.
pub async fn require_token(State(token): State<Token>, req: Request, next: Next) -> Response {
    let header = req.headers().get(AUTHORIZATION).map(|v| v.as_bytes());
    if token.accepts(header) {
        next.run(req).await
    } else {
        let mut r = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing or wrong bearer token (Authorization: Bearer <token>)",
        )
        .into_response();
        r.headers_mut().insert(
            axum::http::header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer"),
        );
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_the_exact_bearer_token() -> Result<()> {
        let t = Token::new(" s3cret\n")?;
        assert!(t.accepts(Some(b"Bearer s3cret")));
        assert!(!t.accepts(Some(b"Bearer s3cre")));
        assert!(!t.accepts(Some(b"Bearer s3cretx")));
        assert!(!t.accepts(Some(b"s3cret")));
        assert!(!t.accepts(None));
        assert!(Token::new("  ").is_err());
        assert_eq!(format!("{t:?}"), "Token(..)");
        assert!(t.same_as(&Token::new("s3cret")?));
        assert!(!t.same_as(&Token::new("s3cret2")?));
        Ok(())
    }
}

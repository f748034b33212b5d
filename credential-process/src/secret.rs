//! The redacting wrapper for values that must never reach stderr, logs or error
//! messages: the web identity token, the secret access key and the session token.
//! `Debug` and `Display` print a placeholder; the value is reached only through
//! [`Secret::expose`], so every site that handles the real value is easy to find.

use serde::Deserialize;
use std::fmt;

/// A string that prints as `<redacted>`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The real value. Call only where the value goes to stdout, the cache file or STS.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How much of a user's input an error message may repeat.
pub const ECHO_LIMIT: usize = 40;

/// A user's input as an error message may repeat it: a JWT (a token pasted in the
/// wrong place) is not shown at all, a URL's user-info is masked, and anything else
/// is cut to [`ECHO_LIMIT`] characters — so no secret reaches stderr whole.
pub fn echo_input(input: &str) -> String {
    let trimmed = input.trim();
    if trimmed.starts_with("eyJ") && trimmed.matches('.').count() >= 2 {
        return format!("<a JWT of {} characters, not shown>", trimmed.len());
    }
    let masked = match input.split_once("://") {
        Some((scheme, rest)) => match rest
            .split('/')
            .next()
            .and_then(|authority| authority.rsplit_once('@'))
        {
            Some((_, host)) => format!(
                "{scheme}://***@{host}{}",
                &rest[rest.find('/').unwrap_or(rest.len())..]
            ),
            None => input.to_owned(),
        },
        None => input.to_owned(),
    };
    match masked.char_indices().nth(ECHO_LIMIT) {
        Some((at, _)) => format!("{}...", &masked[..at]),
        None => masked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_input_never_carries_a_token_or_a_password() {
        let jwt = format!("eyJhbGciOiJSUzI1NiJ9.{}.{}", "a".repeat(300), "b".repeat(300));
        assert_eq!(
            echo_input(&jwt),
            format!("<a JWT of {} characters, not shown>", jwt.len())
        );
        assert_eq!(
            echo_input("http://user:pw@127.0.0.1:1/x"),
            "http://***@127.0.0.1:1/x"
        );
        assert_eq!(echo_input("short"), "short");
        assert_eq!(
            echo_input(&"x".repeat(100)),
            format!("{}...", "x".repeat(ECHO_LIMIT))
        );
    }

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Secret::new("wJalrXUtnFEMI");
        assert_eq!(format!("{secret:?} {secret}"), "<redacted> <redacted>");
        assert_eq!(secret.expose(), "wJalrXUtnFEMI");
    }
}

//! Reading a JWT without verifying it: the header (`alg`, `kid`, `typ`) and the claims
//! STS and `doctor` look at (`iss`, `sub`, `aud`, `exp`, `iat`, `nbf`), plus the checks
//! the helper makes before it spends a network call (audience, expiry). Verification is
//! STS's job; this module only reads what the token says about itself.
//!
//! `aud` is a string or an array of strings (RFC 7519 §4.1.3); numeric dates may be
//! integers or decimals and are truncated to whole seconds.

use crate::secret::echo_input;
use crate::time::Timestamp;
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Deserializer};

/// STS refuses web identity tokens longer than this many characters.
pub const MAX_TOKEN_LENGTH: usize = 20_000;

/// Base64url as JWTs use it; padding tolerated because some issuers emit it.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a token cannot be read or will not be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The text is not three dot-separated parts.
    #[error("failed to read the token as a JWT: expected three dot-separated parts, found {parts}")]
    NotAJwt { parts: usize },
    /// A part is not base64url.
    #[error("failed to decode the JWT {part}: not base64url")]
    NotBase64 { part: &'static str },
    /// A part is not the JSON object it should be.
    #[error("failed to parse the JWT {part} as JSON: {reason}")]
    NotJson { part: &'static str, reason: String },
    /// Longer than STS accepts.
    #[error("the token is {length} characters long; STS accepts at most {MAX_TOKEN_LENGTH}")]
    TooLong { length: usize },
    /// Empty input, e.g. an empty file during a kubelet write.
    #[error("the token is empty")]
    Empty,
    /// More than one line, e.g. a token command that prints something after the token.
    #[error(
        "the token text spans {lines} lines: expected one JWT on one line (only trailing whitespace is cut)"
    )]
    SeveralLines { lines: usize },
    /// Whitespace before or inside the token.
    #[error("the token text contains whitespace: expected one JWT with nothing before or after it")]
    Whitespace,
    /// No `aud` claim at all.
    #[error(
        "the token has no audience (aud); expected {expected:?}: mount a projected ServiceAccount token \
         with audience {expected} (kubectl awsoidc inject does)"
    )]
    NoAudience { expected: String },
    /// `aud` does not list the expected audience.
    #[error(
        "the token's audience is {found:?}, expected {expected:?}: mount a projected ServiceAccount token \
         with audience {expected} instead of the default token (kubectl awsoidc inject does)"
    )]
    WrongAudience { found: Vec<String>, expected: String },
    /// `exp` is not in the future.
    #[error("token expired at {expired_at}: the kubelet should have refreshed it; check the token volume")]
    Expired { expired_at: Timestamp },
}

/// The JOSE header of a JWT.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Header {
    /// Signature algorithm, e.g. `RS256`.
    pub alg: Option<String>,
    /// The id of the signing key in the issuer's JWKS.
    pub kid: Option<String>,
    /// Token type, usually `JWT`.
    pub typ: Option<String>,
}

/// The registered claims the exchange depends on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Claims {
    /// Issuer; must equal the IAM OIDC provider URL byte for byte.
    pub iss: Option<String>,
    /// Subject; `system:serviceaccount:NS:SA` for ServiceAccount tokens.
    pub sub: Option<String>,
    /// Audiences; empty when the claim is missing.
    #[serde(default, deserialize_with = "string_or_array")]
    pub aud: Vec<String>,
    /// Expiry.
    #[serde(default, deserialize_with = "numeric_date")]
    pub exp: Option<Timestamp>,
    /// Issued at.
    #[serde(default, deserialize_with = "numeric_date")]
    pub iat: Option<Timestamp>,
    /// Not before.
    #[serde(default, deserialize_with = "numeric_date")]
    pub nbf: Option<Timestamp>,
}

/// A decoded, unverified JWT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwt {
    /// The header.
    pub header: Header,
    /// The claims.
    pub claims: Claims,
}

/// Decode the header and claims of a compact JWT without verifying its signature.
/// Surrounding whitespace (a trailing newline in a file) is ignored.
pub fn decode(token: &str) -> Result<Jwt, TokenError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(TokenError::Empty);
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header, claims, _signature] = parts[..] else {
        return Err(TokenError::NotAJwt { parts: parts.len() });
    };
    Ok(Jwt {
        header: decode_part(header, "header")?,
        claims: decode_part(claims, "claims")?,
    })
}

/// The one compact JWT `text` holds: trailing whitespace (a file's final newline) is
/// cut; other whitespace, further lines, or a part that is not base64url are refused,
/// so that STS never receives anything but the token.
pub fn compact(text: &str) -> Result<&str, TokenError> {
    let token = text.trim_end();
    if token.is_empty() {
        return Err(TokenError::Empty);
    }
    let lines = token.lines().count();
    if lines > 1 {
        return Err(TokenError::SeveralLines { lines });
    }
    if token.contains(char::is_whitespace) {
        return Err(TokenError::Whitespace);
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err(TokenError::NotAJwt { parts: parts.len() });
    };
    for (part, name) in [(header, "header"), (claims, "claims"), (signature, "signature")] {
        BASE64URL
            .decode(part)
            .map_err(|_| TokenError::NotBase64 { part: name })?;
    }
    Ok(token)
}

fn decode_part<T: for<'de> Deserialize<'de>>(part: &str, name: &'static str) -> Result<T, TokenError> {
    let bytes = BASE64URL
        .decode(part)
        .map_err(|_| TokenError::NotBase64 { part: name })?;
    serde_json::from_slice(&bytes).map_err(|e| TokenError::NotJson {
        part: name,
        reason: e.to_string(),
    })
}

impl Claims {
    /// The namespace and ServiceAccount name in `sub`, if it names one.
    pub fn service_account(&self) -> Option<(&str, &str)> {
        self.sub
            .as_deref()
            .and_then(crate::contract::parse_service_account_subject)
    }

    /// Refuse a token whose `aud` does not contain `expected`.
    pub fn check_audience(&self, expected: &str) -> Result<(), TokenError> {
        if self.aud.is_empty() {
            return Err(TokenError::NoAudience {
                expected: echo_input(expected),
            });
        }
        if self.aud.iter().any(|aud| aud == expected) {
            Ok(())
        } else {
            Err(TokenError::WrongAudience {
                found: self.aud.clone(),
                expected: echo_input(expected),
            })
        }
    }

    /// Refuse a token whose `exp` is not after `now`. A token without `exp` is left to STS.
    pub fn check_not_expired(&self, now: Timestamp) -> Result<(), TokenError> {
        match self.exp {
            Some(expired_at) if expired_at <= now => Err(TokenError::Expired { expired_at }),
            _ => Ok(()),
        }
    }
}

/// Refuse a token STS would refuse for its length alone.
pub fn check_length(token: &str) -> Result<(), TokenError> {
    let length = token.trim().len();
    if length > MAX_TOKEN_LENGTH {
        Err(TokenError::TooLong { length })
    } else {
        Ok(())
    }
}

fn string_or_array<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(OneOrMany::One(aud)) => vec![aud],
        Some(OneOrMany::Many(auds)) => auds,
    })
}

fn numeric_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Timestamp>, D::Error> {
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    if let Some(seconds) = number.as_i64() {
        return Ok(Some(Timestamp(seconds)));
    }
    match number.as_f64() {
        // The range check keeps the cast exact enough and away from saturation surprises.
        Some(seconds) if seconds.is_finite() && seconds.abs() < 1e15 => Ok(Some(Timestamp(seconds as i64))),
        _ => Err(serde::de::Error::custom(format!(
            "numeric date {number} is out of range"
        ))),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An unsigned JWT with the given claims, as tests across the crate need one.
    pub(crate) fn jwt(claims: &serde_json::Value) -> String {
        let encode =
            |value: &serde_json::Value| base64::prelude::BASE64_URL_SAFE_NO_PAD.encode(value.to_string());
        let header = serde_json::json!({"alg": "RS256", "kid": "key-1", "typ": "JWT"});
        format!("{}.{}.c2lnbmF0dXJl", encode(&header), encode(claims))
    }

    #[test]
    fn service_account_token_claims_are_read() {
        let token = jwt(&serde_json::json!({
            "iss": "https://127.0.0.1:6443", "sub": "system:serviceaccount:team-a:app",
            "aud": ["sts.amazonaws.com"], "exp": 1_767_323_045, "iat": 1_767_319_445.5, "nbf": 1_767_319_445,
            "kubernetes.io": {"namespace": "team-a"}
        }));
        let jwt = decode(&format!("{token}\n")).expect("decodes");
        assert_eq!(jwt.header.kid.as_deref(), Some("key-1"));
        assert_eq!(jwt.header.alg.as_deref(), Some("RS256"));
        assert_eq!(jwt.claims.iss.as_deref(), Some("https://127.0.0.1:6443"));
        assert_eq!(jwt.claims.aud, ["sts.amazonaws.com"]);
        assert_eq!(jwt.claims.exp, Some(Timestamp(1_767_323_045)));
        assert_eq!(jwt.claims.iat, Some(Timestamp(1_767_319_445)));
        assert_eq!(jwt.claims.service_account(), Some(("team-a", "app")));
    }

    #[test]
    fn audience_may_be_a_single_string() {
        let jwt = decode(&jwt(&serde_json::json!({"aud": "sts.amazonaws.com"}))).expect("decodes");
        assert_eq!(jwt.claims.aud, ["sts.amazonaws.com"]);
        assert_eq!(jwt.claims.check_audience("sts.amazonaws.com"), Ok(()));
    }

    #[test]
    fn default_service_account_token_is_refused_naming_both_audiences() {
        let claims = decode(&jwt(
            &serde_json::json!({"aud": ["https://kubernetes.default.svc"]}),
        ))
        .expect("decodes")
        .claims;
        let message = claims
            .check_audience("sts.amazonaws.com")
            .expect_err("wrong audience")
            .to_string();
        assert!(
            message.contains("[\"https://kubernetes.default.svc\"]"),
            "{message}"
        );
        assert!(message.contains("expected \"sts.amazonaws.com\""), "{message}");
    }

    #[test]
    fn token_without_audience_is_refused_naming_the_expected_one() {
        let claims = decode(&jwt(&serde_json::json!({"sub": "x"})))
            .expect("decodes")
            .claims;
        let message = claims
            .check_audience("sts.amazonaws.com")
            .expect_err("no audience")
            .to_string();
        assert!(
            message.contains("no audience") && message.contains("sts.amazonaws.com"),
            "{message}"
        );
    }

    #[test]
    fn expired_token_is_refused_with_the_utc_time() {
        let claims = Claims {
            exp: Some(Timestamp(1_767_323_045)),
            ..Claims::default()
        };
        let message = claims
            .check_not_expired(Timestamp(1_767_323_046))
            .expect_err("expired")
            .to_string();
        assert!(
            message.starts_with("token expired at 2026-01-02T03:04:05Z"),
            "{message}"
        );
        assert_eq!(claims.check_not_expired(Timestamp(1_767_323_044)), Ok(()));
        assert!(claims.check_not_expired(Timestamp(1_767_323_045)).is_err());
    }

    #[test]
    fn an_audience_flag_holding_a_token_is_not_repeated() {
        let token = jwt(&serde_json::json!({"aud": "sts.amazonaws.com"}));
        let claims = decode(&token).expect("decodes").claims;
        let message = claims.check_audience(&token).expect_err("wrong").to_string();
        assert!(
            !message.contains(&token) && message.contains("not shown"),
            "{message}"
        );
        let no_aud = Claims::default()
            .check_audience(&token)
            .expect_err("none")
            .to_string();
        assert!(!no_aud.contains(&token), "{no_aud}");
    }

    #[test]
    fn only_one_compact_jwt_with_trailing_whitespace_is_accepted() {
        let token = jwt(&serde_json::json!({"sub": "x"}));
        assert_eq!(compact(&format!("{token}\n")), Ok(token.as_str()));
        assert_eq!(compact(&format!("{token} \r\n\t\n")), Ok(token.as_str()));
        assert_eq!(
            compact(&format!("{token}\nsecond line junk")),
            Err(TokenError::SeveralLines { lines: 2 })
        );
        assert_eq!(
            compact(&format!("{token}\nx\n")),
            Err(TokenError::SeveralLines { lines: 2 })
        );
        assert_eq!(compact(&format!("{token} extra")), Err(TokenError::Whitespace));
        assert_eq!(compact(&format!(" {token}")), Err(TokenError::Whitespace));
        assert_eq!(
            compact(&format!("{token}!!")),
            Err(TokenError::NotBase64 { part: "signature" })
        );
        assert_eq!(
            compact(&format!("{token}.x")),
            Err(TokenError::NotAJwt { parts: 4 })
        );
        assert_eq!(compact(" \n"), Err(TokenError::Empty));
        for problem in [TokenError::SeveralLines { lines: 2 }, TokenError::Whitespace] {
            assert!(!problem.to_string().contains('\n'));
        }
    }

    #[test]
    fn malformed_tokens_say_what_is_wrong() {
        assert_eq!(decode("  \n"), Err(TokenError::Empty));
        assert_eq!(decode("a.b"), Err(TokenError::NotAJwt { parts: 2 }));
        assert_eq!(decode("!!.e30.x"), Err(TokenError::NotBase64 { part: "header" }));
        assert!(matches!(
            decode("e30.WzFd.x"),
            Err(TokenError::NotJson { part: "claims", .. })
        ));
        assert!(matches!(
            decode("e30.eyJleHAiOiJzb29uIn0.x"),
            Err(TokenError::NotJson { .. })
        ));
        assert_eq!(
            check_length(&"a".repeat(MAX_TOKEN_LENGTH + 1)),
            Err(TokenError::TooLong { length: 20_001 })
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = decode(&text);
        }

        #[test]
        fn arbitrary_json_parts_never_panic(header in "\\PC{0,60}", claims in "\\PC{0,120}") {
            let token = format!(
                "{}.{}.sig",
                base64::prelude::BASE64_URL_SAFE_NO_PAD.encode(header),
                base64::prelude::BASE64_URL_SAFE_NO_PAD.encode(claims),
            );
            let _ = decode(&token);
        }

        #[test]
        fn claims_shaped_json_never_panics(
            aud in prop_oneof![Just(serde_json::Value::Null), any::<String>().prop_map(serde_json::Value::from)],
            exp in any::<f64>(),
            sub in any::<Option<String>>(),
        ) {
            let claims = serde_json::json!({"aud": aud, "exp": exp, "sub": sub});
            if let Ok(jwt) = decode(&jwt(&claims)) {
                let _ = jwt.claims.check_audience("sts.amazonaws.com");
                let _ = jwt.claims.check_not_expired(Timestamp(0));
                let _ = jwt.claims.service_account();
            }
        }
    }
}

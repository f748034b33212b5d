//! The OIDC discovery document and the JWKS as AWS reads them, and the pure checks of
//! their content: the `issuer` equals the issuer byte for byte, the `jwks_uri` is on the
//! issuer's host, on port 443 and not on a private address, every key has a `kid` and
//! is meant for signatures, and a token's signature verifies with the key its header
//! names (RS256 and ES256, the algorithms STS accepts).
//!
//! Every check returns [`Finding`]s instead of printing or failing, so `enable` (which
//! waits for the documents) and `doctor` (which walks the chain) share them. Fetching
//! the documents is not done here.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::issuer::{self, Issuer};

/// The JWS algorithms STS verifies ID tokens with.
pub const SUPPORTED_ALGORITHMS: [&str; 2] = ["RS256", "ES256"];

/// The port AWS fetches an issuer's discovery document and keys on.
pub const AWS_FETCH_PORT: u16 = 443;

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("failed to parse the discovery document: {0}")]
    ParseDiscovery(#[source] serde_json::Error),
    #[error("failed to parse the JWKS: {0}")]
    ParseJwks(#[source] serde_json::Error),
}

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the token is signed with {0}, which STS does not accept (use RS256 or ES256)")]
    UnsupportedAlgorithm(String),
    #[error("key {kid:?} is a {kty} key, but the token is signed with {alg}")]
    KeyTypeMismatch { kid: String, kty: String, alg: String },
    #[error("key {kid:?} lacks its {0} component", kid = .1)]
    MissingComponent(&'static str, String),
    #[error("key {kid:?} has a {0} component that is not base64url", kid = .1)]
    BadComponent(&'static str, String),
    #[error("key {kid:?} is on curve {crv}, but ES256 needs P-256")]
    WrongCurve { kid: String, crv: String },
    #[error("the signature does not verify with key {0:?}")]
    Invalid(String),
}

/// The fields of `/.well-known/openid-configuration` AWS uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DiscoveryDocument {
    pub issuer: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
}

impl DiscoveryDocument {
    pub fn parse(text: &str) -> Result<Self, DiscoveryError> {
        serde_json::from_str(text).map_err(DiscoveryError::ParseDiscovery)
    }
}

/// A JSON Web Key Set.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl Jwks {
    pub fn parse(text: &str) -> Result<Self, DiscoveryError> {
        serde_json::from_str(text).map_err(DiscoveryError::ParseJwks)
    }

    /// The key with identifier `kid`.
    pub fn key(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|key| key.kid.as_deref() == Some(kid))
    }
}

/// One public key of a JWKS (RSA: `n`, `e`; EC: `crv`, `x`, `y`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub kid: Option<String>,
    pub alg: Option<String>,
    #[serde(rename = "use")]
    pub key_use: Option<String>,
    pub n: Option<String>,
    pub e: Option<String>,
    pub crv: Option<String>,
    pub x: Option<String>,
    pub y: Option<String>,
}

impl Jwk {
    fn label(&self) -> String {
        self.kid.clone().unwrap_or_else(|| "(no kid)".to_owned())
    }
}

/// How much a finding matters: a warning works today but is fragile or too open; a
/// failure makes AWS refuse the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warn,
    Fail,
}

/// What a finding is about, so callers can tell findings apart without reading prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The discovery `issuer` differs from the issuer URL.
    IssuerMismatch,
    /// The `jwks_uri` is not an https URL with a host.
    JwksUriInvalid,
    /// The `jwks_uri` is on another host than the issuer (the thumbprint must cover both).
    JwksHostDiffers,
    /// A URL AWS must fetch is on a private, loopback or link-local address.
    PrivateAddress,
    /// A URL AWS must fetch is not on port 443.
    NonStandardPort,
    /// The JWKS has no key at all.
    NoKeys,
    /// A key lacks `kid`.
    KeyWithoutKid,
    /// A key is marked for something other than signatures.
    KeyNotForSigning,
    /// A key's type or algorithm is not one STS verifies.
    UnsupportedKey,
    /// The token names a key the JWKS does not have.
    NoKeyForToken,
    /// The token's `alg` differs from its key's `alg`.
    AlgorithmMismatch,
    /// The token's signature does not verify.
    BadSignature,
}

impl Rule {
    /// Rules about whether AWS's servers can reach a URL over the internet (they do not
    /// apply when the AWS endpoints are a local stand-in).
    pub fn is_reachability(self) -> bool {
        matches!(self, Rule::PrivateAddress | Rule::NonStandardPort)
    }
}

/// One problem a check found, in words that show both values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
}

impl Finding {
    fn new(rule: Rule, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            rule,
            severity,
            message: message.into(),
        }
    }
}

/// The discovery document's `issuer` must equal the issuer URL as a plain string.
pub fn check_issuer(issuer: &Issuer, document: &DiscoveryDocument) -> Vec<Finding> {
    issuer::describe_mismatch(issuer.url(), &document.issuer)
        .map(|why| {
            Finding::new(
                Rule::IssuerMismatch,
                Severity::Fail,
                format!("discovery issuer {why}"),
            )
        })
        .into_iter()
        .collect()
}

/// Everything a discovery document must satisfy for `issuer`, in one call (what
/// `enable` checks once the document answers): the `issuer` string, the issuer's own
/// address, and the `jwks_uri`. Callers that talk to a stand-in AWS drop the findings
/// whose [`Rule::is_reachability`] holds.
pub fn check_document(issuer: &Issuer, document: &DiscoveryDocument) -> Vec<Finding> {
    let mut findings = check_issuer(issuer, document);
    findings.extend(check_fetchable(
        &format!("the issuer {issuer}"),
        issuer.host(),
        issuer.port(),
    ));
    findings.extend(check_jwks_uri(issuer, &document.jwks_uri));
    findings
}

/// The URL AWS fetches must be reachable from the internet: a public address on port 443.
pub fn check_fetchable(what: &str, host: &str, port: u16) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(kind) = non_public_address(host) {
        findings.push(Finding::new(
            Rule::PrivateAddress,
            Severity::Fail,
            format!("{what} is on {host}, a {kind} address AWS cannot reach"),
        ));
    }
    if port != AWS_FETCH_PORT {
        findings.push(Finding::new(
            Rule::NonStandardPort,
            Severity::Fail,
            format!("{what} is on port {port}; AWS fetches OIDC documents on port {AWS_FETCH_PORT} only"),
        ));
    }
    findings
}

/// The `jwks_uri` must be an https URL AWS can fetch, best on the issuer's own host.
pub fn check_jwks_uri(issuer: &Issuer, jwks_uri: &str) -> Vec<Finding> {
    let Some((host, port)) = https_host_port(jwks_uri) else {
        return vec![Finding::new(
            Rule::JwksUriInvalid,
            Severity::Fail,
            format!("jwks_uri {jwks_uri:?} is not an https URL with a host"),
        )];
    };
    let mut findings = check_fetchable(&format!("jwks_uri {jwks_uri}"), host, port);
    if !host.eq_ignore_ascii_case(issuer.host()) {
        findings.push(Finding::new(
            Rule::JwksHostDiffers,
            Severity::Warn,
            format!(
                "jwks_uri is on host {host}, the issuer on {}: the provider's thumbprints must cover both hosts",
                issuer.host()
            ),
        ));
    }
    findings
}

/// Every key must carry a `kid`, be a signing key and be of a type STS verifies.
pub fn check_keys(jwks: &Jwks) -> Vec<Finding> {
    if jwks.keys.is_empty() {
        return vec![Finding::new(Rule::NoKeys, Severity::Fail, "the JWKS has no keys")];
    }
    let mut findings = Vec::new();
    for (index, key) in jwks.keys.iter().enumerate() {
        let position = index + 1;
        if key.kid.as_deref().is_none_or(str::is_empty) {
            findings.push(Finding::new(
                Rule::KeyWithoutKid,
                Severity::Fail,
                format!(
                    "key {position} ({}) has no kid; STS needs a kid on every key",
                    key.kty
                ),
            ));
        }
        match key.key_use.as_deref() {
            Some("sig") | None => {}
            Some(other) => findings.push(Finding::new(
                Rule::KeyNotForSigning,
                Severity::Fail,
                format!("key {position} ({}) has use {other:?}, not \"sig\"", key.label()),
            )),
        }
        if !matches!(
            (key.kty.as_str(), key.crv.as_deref()),
            ("RSA", _) | ("EC", Some("P-256"))
        ) {
            findings.push(Finding::new(
                Rule::UnsupportedKey,
                Severity::Warn,
                format!(
                    "key {position} ({}) is {} {}; STS verifies RSA and EC P-256 keys only",
                    key.label(),
                    key.kty,
                    key.crv.as_deref().unwrap_or("")
                ),
            ));
        }
    }
    findings
}

/// The key that verifies a token whose header names `alg` and `kid`, or why there is none.
pub fn key_for_token<'a>(jwks: &'a Jwks, alg: Option<&str>, kid: Option<&str>) -> Result<&'a Jwk, Finding> {
    let alg = alg.unwrap_or("none");
    if !SUPPORTED_ALGORITHMS.contains(&alg) {
        return Err(Finding::new(
            Rule::UnsupportedKey,
            Severity::Fail,
            format!("the token is signed with {alg}; STS accepts RS256 and ES256"),
        ));
    }
    let Some(kid) = kid else {
        return Err(Finding::new(
            Rule::NoKeyForToken,
            Severity::Fail,
            "the token header has no kid, so STS cannot pick a key",
        ));
    };
    let Some(key) = jwks.key(kid) else {
        let known: Vec<String> = jwks.keys.iter().map(Jwk::label).collect();
        return Err(Finding::new(
            Rule::NoKeyForToken,
            Severity::Fail,
            format!(
                "the token names key {kid:?}, the JWKS has no key {kid} (its keys: {})",
                known.join(", ")
            ),
        ));
    };
    match key.alg.as_deref() {
        Some(key_alg) if key_alg != alg => Err(Finding::new(
            Rule::AlgorithmMismatch,
            Severity::Fail,
            format!("the token is signed with {alg}, key {kid:?} is for {key_alg}"),
        )),
        _ => Ok(key),
    }
}

/// Verify the compact JWT `token`, signed with `alg` (RS256 or ES256) as its header
/// says, with `key`.
pub fn verify_signature(token: &str, alg: &str, key: &Jwk) -> Result<(), SignatureError> {
    use ring::signature;

    let (encoded_header, encoded_claims, encoded_signature) =
        split_token(token).ok_or_else(|| SignatureError::Invalid(key.label()))?;
    let signing_input = format!("{encoded_header}.{encoded_claims}");
    let signature_bytes =
        decode_base64url(encoded_signature).ok_or_else(|| SignatureError::Invalid(key.label()))?;
    let component = |name: &'static str, value: &Option<String>| -> Result<Vec<u8>, SignatureError> {
        let text = value
            .as_deref()
            .ok_or_else(|| SignatureError::MissingComponent(name, key.label()))?;
        decode_base64url(text).ok_or_else(|| SignatureError::BadComponent(name, key.label()))
    };
    let type_mismatch = || SignatureError::KeyTypeMismatch {
        kid: key.label(),
        kty: key.kty.clone(),
        alg: alg.to_owned(),
    };
    let verified = match alg {
        "RS256" => {
            if key.kty != "RSA" {
                return Err(type_mismatch());
            }
            let public = signature::RsaPublicKeyComponents {
                n: component("n", &key.n)?,
                e: component("e", &key.e)?,
            };
            public.verify(
                &signature::RSA_PKCS1_2048_8192_SHA256,
                signing_input.as_bytes(),
                &signature_bytes,
            )
        }
        "ES256" => {
            if key.kty != "EC" {
                return Err(type_mismatch());
            }
            if key.crv.as_deref() != Some("P-256") {
                return Err(SignatureError::WrongCurve {
                    kid: key.label(),
                    crv: key.crv.clone().unwrap_or_default(),
                });
            }
            let mut point = vec![0x04];
            point.extend(component("x", &key.x)?);
            point.extend(component("y", &key.y)?);
            signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(signing_input.as_bytes(), &signature_bytes)
        }
        other => return Err(SignatureError::UnsupportedAlgorithm(other.to_owned())),
    };
    verified.map_err(|_| SignatureError::Invalid(key.label()))
}

/// Why `host` (a name or an IP literal, IPv6 in brackets) is not publicly reachable.
/// Names other than `localhost` are not resolved here and count as public.
pub fn non_public_address(host: &str) -> Option<&'static str> {
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return Some("loopback");
    }
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    match literal.parse::<IpAddr>().ok()? {
        IpAddr::V4(address) => ipv4_kind(address),
        IpAddr::V6(address) => match address.to_ipv4_mapped() {
            Some(mapped) => ipv4_kind(mapped),
            None => ipv6_kind(address),
        },
    }
}

fn ipv4_kind(address: Ipv4Addr) -> Option<&'static str> {
    let [first, second, ..] = address.octets();
    if address.is_loopback() {
        Some("loopback")
    } else if address.is_private() {
        Some("private")
    } else if address.is_link_local() {
        Some("link-local")
    } else if first == 100 && (64..128).contains(&second) {
        Some("carrier-grade NAT (100.64.0.0/10)")
    } else if address.is_unspecified() {
        Some("unspecified")
    } else {
        None
    }
}

fn ipv6_kind(address: Ipv6Addr) -> Option<&'static str> {
    let first = address.segments()[0];
    if address.is_loopback() {
        Some("loopback")
    } else if first & 0xfe00 == 0xfc00 {
        Some("private (unique local)")
    } else if first & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if address.is_unspecified() {
        Some("unspecified")
    } else {
        None
    }
}

/// Host and port of an `https://` URL, or `None` when it is not one.
fn https_host_port(url: &str) -> Option<(&str, u16)> {
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let (host, port) = match authority.rfind(':') {
        Some(at) if !authority[at..].contains(']') => (&authority[..at], authority[at + 1..].parse().ok()?),
        _ => (authority, AWS_FETCH_PORT),
    };
    (!host.is_empty()).then_some((host, port))
}

/// The header, claims and signature parts of a compact JWT.
fn split_token(token: &str) -> Option<(&str, &str, &str)> {
    let mut parts = token.trim().split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(header), Some(claims), Some(signature), None) => Some((header, claims, signature)),
        _ => None,
    }
}

/// Decode base64url, tolerating the padding some encoders add.
fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

    fn rules(findings: &[Finding]) -> Vec<Rule> {
        findings.iter().map(|finding| finding.rule).collect()
    }

    fn issuer(url: &str) -> Issuer {
        Issuer::parse(url).unwrap()
    }

    #[test]
    fn discovery_issuer_with_extra_trailing_slash_fails_naming_it() {
        let document = DiscoveryDocument::parse(
            r#"{"issuer":"https://oidc.example.internal/c1/","jwks_uri":"https://oidc.example.internal/c1/keys"}"#,
        )
        .unwrap();
        let findings = check_issuer(&issuer("https://oidc.example.internal/c1"), &document);
        assert_eq!(rules(&findings), [Rule::IssuerMismatch]);
        let message = &findings[0].message;
        assert!(
            message.contains("\"https://oidc.example.internal/c1/\""),
            "{message}"
        );
        assert!(
            message.contains("\"https://oidc.example.internal/c1\""),
            "{message}"
        );
        assert!(message.contains("trailing slash"), "{message}");
    }

    #[test]
    fn internal_jwks_uri_is_private_on_another_port_and_host() {
        let findings = check_jwks_uri(
            &issuer("https://api.example.internal"),
            "https://10.250.0.5:6443/openid/v1/jwks",
        );
        assert_eq!(
            rules(&findings),
            [Rule::PrivateAddress, Rule::NonStandardPort, Rule::JwksHostDiffers]
        );
        assert!(findings[0].message.contains("10.250.0.5"));
        assert!(findings[1].message.contains("6443"));
        assert_eq!(findings[2].severity, Severity::Warn);
    }

    #[test]
    fn jwks_uri_on_the_issuer_host_passes() {
        let findings = check_jwks_uri(
            &issuer("https://api.example.com/c1"),
            "https://API.example.com/openid/v1/jwks",
        );
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(
            rules(&check_jwks_uri(
                &issuer("https://a.example"),
                "http://a.example/k"
            )),
            [Rule::JwksUriInvalid]
        );
    }

    #[test]
    fn a_document_is_checked_in_one_call() {
        let document = DiscoveryDocument::parse(
            r#"{"issuer":"https://127.0.0.1:6443/","jwks_uri":"https://127.0.0.1:6443/openid/v1/jwks"}"#,
        )
        .unwrap();
        let findings = check_document(&issuer("https://127.0.0.1:6443"), &document);
        assert_eq!(
            rules(&findings),
            [
                Rule::IssuerMismatch,
                Rule::PrivateAddress,
                Rule::NonStandardPort,
                Rule::PrivateAddress,
                Rule::NonStandardPort
            ]
        );
        let kept: Vec<Rule> = findings
            .iter()
            .map(|f| f.rule)
            .filter(|rule| !rule.is_reachability())
            .collect();
        assert_eq!(kept, [Rule::IssuerMismatch]);
        let good = DiscoveryDocument::parse(
            r#"{"issuer":"https://oidc.example.com","jwks_uri":"https://oidc.example.com/openid/v1/jwks"}"#,
        )
        .unwrap();
        assert!(check_document(&issuer("https://oidc.example.com"), &good).is_empty());
    }

    #[test]
    fn address_kinds() {
        assert_eq!(non_public_address("127.0.0.1"), Some("loopback"));
        assert_eq!(non_public_address("[::1]"), Some("loopback"));
        assert_eq!(non_public_address("172.20.1.1"), Some("private"));
        assert_eq!(non_public_address("169.254.169.254"), Some("link-local"));
        assert_eq!(
            non_public_address("100.64.0.1"),
            Some("carrier-grade NAT (100.64.0.0/10)")
        );
        assert_eq!(non_public_address("[fd00::1]"), Some("private (unique local)"));
        assert_eq!(non_public_address("[fe80::1]"), Some("link-local"));
        assert_eq!(non_public_address("[::ffff:10.0.0.1]"), Some("private"));
        assert_eq!(non_public_address("localhost"), Some("loopback"));
        assert_eq!(non_public_address("8.8.8.8"), None);
        assert_eq!(non_public_address("api.example.com"), None);
    }

    #[test]
    fn ipv6_jwks_uri_keeps_its_port() {
        assert_eq!(
            https_host_port("https://[2001:db8::1]:8443/k"),
            Some(("[2001:db8::1]", 8443))
        );
        assert_eq!(
            https_host_port("https://[2001:db8::1]/k"),
            Some(("[2001:db8::1]", 443))
        );
        assert_eq!(https_host_port("https:///k"), None);
    }

    #[test]
    fn keys_without_kid_or_for_encryption_fail() {
        let jwks = Jwks::parse(
            r#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"RSA","kid":"k2","use":"enc","n":"AQAB","e":"AQAB"}]}"#,
        )
        .unwrap();
        assert_eq!(
            rules(&check_keys(&jwks)),
            [Rule::KeyWithoutKid, Rule::KeyNotForSigning]
        );
        assert_eq!(rules(&check_keys(&Jwks { keys: vec![] })), [Rule::NoKeys]);
    }

    #[test]
    fn token_naming_an_absent_kid_finds_no_key() {
        let jwks = Jwks::parse(r#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}"#).unwrap();
        let finding = key_for_token(&jwks, Some("RS256"), Some("k1")).unwrap_err();
        assert_eq!(finding.rule, Rule::NoKeyForToken);
        assert!(finding.message.contains("no key k1"), "{}", finding.message);
    }

    #[test]
    fn algorithm_must_match_the_key_and_be_supported() {
        let jwks = Jwks::parse(r#"{"keys":[{"kty":"RSA","kid":"k1","alg":"RS256","n":"AQAB","e":"AQAB"}]}"#)
            .unwrap();
        assert_eq!(
            key_for_token(&jwks, Some("ES256"), Some("k1")).unwrap_err().rule,
            Rule::AlgorithmMismatch
        );
        assert_eq!(
            key_for_token(&jwks, Some("HS256"), Some("k1")).unwrap_err().rule,
            Rule::UnsupportedKey
        );
        assert_eq!(
            key_for_token(&jwks, None, Some("k1")).unwrap_err().rule,
            Rule::UnsupportedKey
        );
        assert_eq!(
            key_for_token(&jwks, Some("RS256"), None).unwrap_err().rule,
            Rule::NoKeyForToken
        );
        assert!(key_for_token(&jwks, Some("RS256"), Some("k1")).is_ok());
    }

    fn es256_token_and_key(kid: &str) -> (String, Jwk) {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        let point = pair.public_key().as_ref();
        let key = Jwk {
            kty: "EC".into(),
            kid: Some(kid.into()),
            alg: Some("ES256".into()),
            key_use: Some("sig".into()),
            n: None,
            e: None,
            crv: Some("P-256".into()),
            x: Some(URL_SAFE_NO_PAD.encode(&point[1..33])),
            y: Some(URL_SAFE_NO_PAD.encode(&point[33..65])),
        };
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"ES256","kid":"{kid}"}}"#));
        let claims = URL_SAFE_NO_PAD.encode(r#"{"sub":"system:serviceaccount:a:b"}"#);
        let input = format!("{header}.{claims}");
        let signature = pair.sign(&rng, input.as_bytes()).unwrap();
        (
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref())),
            key,
        )
    }

    #[test]
    fn es256_signature_verifies_and_tampering_is_caught() {
        let (token, key) = es256_token_and_key("k1");
        assert_eq!(verify_signature(&token, "ES256", &key), Ok(()));
        let (header, rest) = token.split_once('.').unwrap();
        let (_, signature) = rest.split_once('.').unwrap();
        let forged_claims = URL_SAFE_NO_PAD.encode(r#"{"sub":"system:serviceaccount:a:admin"}"#);
        let forged = format!("{header}.{forged_claims}.{signature}");
        assert_eq!(
            verify_signature(&forged, "ES256", &key),
            Err(SignatureError::Invalid("k1".into()))
        );
        let (_, other_key) = es256_token_and_key("k1");
        assert_eq!(
            verify_signature(&token, "ES256", &other_key),
            Err(SignatureError::Invalid("k1".into()))
        );
    }

    #[test]
    fn key_type_must_fit_the_algorithm() {
        let (token, mut key) = es256_token_and_key("k1");
        key.kty = "RSA".into();
        assert!(matches!(
            verify_signature(&token, "ES256", &key),
            Err(SignatureError::KeyTypeMismatch { .. })
        ));
    }

    #[test]
    fn malformed_token_does_not_verify() {
        let (_, key) = es256_token_and_key("k1");
        assert_eq!(
            verify_signature("a.b", "ES256", &key),
            Err(SignatureError::Invalid("k1".into()))
        );
        assert_eq!(
            verify_signature("a.b.!!", "ES256", &key),
            Err(SignatureError::Invalid("k1".into()))
        );
    }
}

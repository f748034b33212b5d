//! The issuer identity contract. AWS compares the token's `iss`, the discovery
//! document's `issuer`, the IAM provider's URL and the trust policy's condition-key
//! prefix as plain strings, so this module is the one place that turns an issuer URL
//! into each of those forms and says why a URL cannot work.
//!
//! Forms of `https://api.example.com/c1`:
//! - provider URL (as IAM stores it, no scheme): `api.example.com/c1`
//! - condition keys: `api.example.com/c1:sub`, `api.example.com/c1:aud`
//! - provider ARN: `arn:aws:iam::ACCOUNT:oidc-provider/api.example.com/c1`

use std::fmt;

/// Why a string is not a usable issuer URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssuerError {
    #[error("issuer {0:?} must start with https:// (IAM only federates HTTPS issuers)")]
    NotHttps(String),
    #[error("issuer {0:?} has no host")]
    NoHost(String),
    #[error("issuer {0:?} must not contain a query or fragment")]
    QueryOrFragment(String),
}

/// A validated issuer URL, kept byte for byte as given: a trailing slash or a port
/// is part of the identity and is never normalised away.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Issuer(String);

impl Issuer {
    pub fn parse(url: &str) -> Result<Self, IssuerError> {
        let rest = url
            .strip_prefix("https://")
            .ok_or_else(|| IssuerError::NotHttps(url.to_owned()))?;
        if rest.contains(['?', '#']) {
            return Err(IssuerError::QueryOrFragment(url.to_owned()));
        }
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() || host.starts_with(':') {
            return Err(IssuerError::NoHost(url.to_owned()));
        }
        Ok(Self(url.to_owned()))
    }

    /// The URL exactly as the token's `iss` must carry it.
    pub fn url(&self) -> &str {
        &self.0
    }

    /// The provider URL as IAM stores it: the issuer without `https://`.
    pub fn provider_url(&self) -> &str {
        &self.0["https://".len()..]
    }

    /// `host[:port]` of the issuer.
    pub fn authority(&self) -> &str {
        self.provider_url().split('/').next().unwrap_or_default()
    }

    /// The host without a port (brackets kept for IPv6 literals).
    pub fn host(&self) -> &str {
        split_port(self.authority()).0
    }

    /// The port the issuer is served on (443 unless given).
    pub fn port(&self) -> u16 {
        split_port(self.authority()).1.unwrap_or(443)
    }

    /// The discovery document's URL (the issuer plus `/.well-known/openid-configuration`).
    pub fn discovery_url(&self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.0.trim_end_matches('/')
        )
    }

    /// The trust-policy condition key for `claim` (`sub` or `aud`).
    pub fn condition_key(&self, claim: &str) -> String {
        format!("{}:{claim}", self.provider_url())
    }

    /// The ARN IAM gives this issuer's provider in `account` (partition `aws`).
    pub fn provider_arn(&self, account: &str) -> String {
        format!("arn:aws:iam::{account}:oidc-provider/{}", self.provider_url())
    }
}

impl fmt::Display for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Split `host[:port]`, keeping IPv6 literals (`[::1]:6443`) whole.
fn split_port(authority: &str) -> (&str, Option<u16>) {
    let port_at = if authority.starts_with('[') {
        authority.find("]:").map(|at| at + 1)
    } else {
        authority.rfind(':')
    };
    match port_at {
        Some(at) => match authority[at + 1..].parse() {
            Ok(port) => (&authority[..at], Some(port)),
            Err(_) => (authority, None),
        },
        None => (authority, None),
    }
}

/// How two issuer strings that should be equal differ, in words a user can act on.
pub fn describe_mismatch(expected: &str, actual: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    let reason = if expected.trim_end_matches('/') == actual.trim_end_matches('/') {
        if actual.ends_with('/') {
            "it has a trailing slash the other lacks".to_owned()
        } else {
            "it lacks the trailing slash the other has".to_owned()
        }
    } else {
        match (Issuer::parse(expected), Issuer::parse(actual)) {
            (Ok(e), Ok(a)) if e.authority() != a.authority() => {
                format!("the host differs ({} vs {})", e.authority(), a.authority())
            }
            (Ok(_), Ok(_)) => "the path differs".to_owned(),
            _ => "the scheme differs".to_owned(),
        }
    };
    Some(format!("{actual:?} is not {expected:?}: {reason}"))
}

/// The cluster's issuer, as its own (authenticated) discovery document states it.
/// This is the string every other form derives from.
pub async fn fetch_cluster_issuer(client: &kube::Client) -> anyhow::Result<Issuer> {
    use anyhow::Context as _;
    let request = http::Request::get("/.well-known/openid-configuration").body(Vec::new())?;
    let text = client.request_text(request).await.context(
        "failed to read the cluster's /.well-known/openid-configuration (is the kubeconfig valid?)",
    )?;
    let document: serde_json::Value =
        serde_json::from_str(&text).context("the cluster's discovery document is not JSON")?;
    let url = document["issuer"]
        .as_str()
        .context("the cluster's discovery document has no issuer")?;
    Issuer::parse(url).context("the cluster's ServiceAccount issuer cannot be federated with IAM")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_keep_the_path_and_port() {
        let issuer = Issuer::parse("https://127.0.0.1:6443/c1").unwrap();
        assert_eq!(issuer.provider_url(), "127.0.0.1:6443/c1");
        assert_eq!(issuer.host(), "127.0.0.1");
        assert_eq!(issuer.port(), 6443);
        assert_eq!(issuer.condition_key("sub"), "127.0.0.1:6443/c1:sub");
        assert_eq!(
            issuer.provider_arn("123456789012"),
            "arn:aws:iam::123456789012:oidc-provider/127.0.0.1:6443/c1"
        );
        assert_eq!(
            issuer.discovery_url(),
            "https://127.0.0.1:6443/c1/.well-known/openid-configuration"
        );
    }

    #[test]
    fn default_port_and_ipv6() {
        assert_eq!(Issuer::parse("https://api.example.com").unwrap().port(), 443);
        let v6 = Issuer::parse("https://[::1]:8443").unwrap();
        assert_eq!((v6.host(), v6.port()), ("[::1]", 8443));
    }

    #[test]
    fn rejects_what_iam_cannot_federate() {
        assert!(matches!(
            Issuer::parse("http://a.example"),
            Err(IssuerError::NotHttps(_))
        ));
        assert!(matches!(Issuer::parse("https:///x"), Err(IssuerError::NoHost(_))));
        assert!(matches!(
            Issuer::parse("https://a.example/?x=1"),
            Err(IssuerError::QueryOrFragment(_))
        ));
    }

    #[test]
    fn trailing_slash_is_identity_and_is_named() {
        let message = describe_mismatch(
            "https://oidc.example.internal/c1",
            "https://oidc.example.internal/c1/",
        )
        .unwrap();
        assert!(message.contains("trailing slash"), "{message}");
        assert!(
            describe_mismatch("https://a.example", "https://b.example")
                .unwrap()
                .contains("host differs")
        );
        assert_eq!(describe_mismatch("https://a.example", "https://a.example"), None);
    }
}

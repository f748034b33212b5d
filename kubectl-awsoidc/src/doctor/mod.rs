//! `doctor`'s core: the check model and the walk over the trust chain, in the order
//! STS meets it, as pure functions over parsed inputs. Gathering the inputs (files,
//! the cluster, IAM) is `commands::doctor`'s job; turning checks into text or JSON is
//! [`render`]'s.
//!
//! Every check has a stable id (documented below and in the README's "When it fails"
//! section), a status, a message that shows the values on both sides, and for every
//! warning or failure the command that fixes it. An input that was not given (or not
//! fetched under `--offline`) makes the checks that need it `skip`, never `pass`.
//!
//! | id                           | link            | passes when                                                    |
//! |------------------------------|-----------------|----------------------------------------------------------------|
//! | `issuer.url`                 | issuer          | the issuer is an https URL IAM can federate                    |
//! | `issuer.token`               | issuer          | the token's `iss` equals the issuer byte for byte              |
//! | `issuer.discovery`           | issuer          | the discovery document's `issuer` equals it                    |
//! | `issuer.provider`            | issuer          | the IAM provider's URL equals it (without `https://`)          |
//! | `issuer.trust-policy`        | issuer          | the trust policy's condition keys start with the provider URL  |
//! | `discovery.address`          | discovery       | the issuer is on a public address, port 443                    |
//! | `discovery.reachable`        | discovery       | the discovery document answers 200 without credentials         |
//! | `discovery.jwks-uri`         | discovery       | `jwks_uri` is https, public, port 443, on the issuer's host    |
//! | `discovery.anonymous-scope`  | discovery       | anonymous requests get no more than discovery (and /version)   |
//! | `jwks.reachable`             | jwks            | the JWKS answers 200 without credentials                       |
//! | `jwks.keys`                  | jwks            | every key has a `kid`, `use: sig` and a type STS verifies      |
//! | `jwks.token-key`             | jwks            | a key has the token's `kid` and `alg`                          |
//! | `jwks.signature`             | jwks            | the token's signature verifies with that key                   |
//! | `tls.chain`                  | tls             | the server presents more than its leaf certificate             |
//! | `tls.expiry`                 | tls             | no presented certificate expires within 30 days                |
//! | `tls.thumbprint`             | tls             | the provider lists the thumbprint of the last presented cert   |
//! | `provider.exists`            | provider        | an IAM OIDC provider exists for the issuer                     |
//! | `provider.client-id`         | provider        | its client ids contain the audience                            |
//! | `trust.allows`               | trust-policy    | the role's trust policy allows this `sub` and `aud`            |
//! | `trust.too-wide`             | trust-policy    | it lets in no other ServiceAccount or audience                 |
//! | `service-account.annotation` | service-account | `eks.amazonaws.com/role-arn` names the role                    |
//! | `token.audience`             | token           | the token's `aud` contains the audience                        |
//! | `token.subject`              | token           | the token's `sub` is the ServiceAccount                        |
//! | `token.expiry`               | token           | the token's `exp` is in the future                             |
//! | `token.lifetime`             | token           | `exp - iat` lies in 600..=86400 and is not 3607                |
//! | `exchange.sts`               | sts             | `--exchange`: STS returns credentials for a fresh token        |

pub mod discovery;
pub mod inputs;
pub mod issuer;
pub mod jwks;
pub mod provider;
pub mod render;
pub mod service_account;
pub mod tls;
pub mod token;
pub mod trust;

use awsoidc_credential_process::sts_error::Link;
use serde::Serialize;

pub use inputs::{Files, Input, Inputs, Reach};
pub use tls::parse_pem_chain;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Skip,
    Warn,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Skip => "skip",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// Every check, in chain order. The ids are a public contract: scripts read them from
/// `-o json`, so they never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckId {
    IssuerUrl,
    IssuerToken,
    IssuerDiscovery,
    IssuerProvider,
    IssuerTrustPolicy,
    DiscoveryAddress,
    DiscoveryReachable,
    DiscoveryJwksUri,
    DiscoveryAnonymousScope,
    JwksReachable,
    JwksKeys,
    JwksTokenKey,
    JwksSignature,
    TlsChain,
    TlsExpiry,
    TlsThumbprint,
    ProviderExists,
    ProviderClientId,
    TrustAllows,
    TrustTooWide,
    ServiceAccountAnnotation,
    TokenAudience,
    TokenSubject,
    TokenExpiry,
    TokenLifetime,
    ExchangeSts,
}

impl CheckId {
    /// All ids in chain order.
    pub const ALL: [CheckId; 26] = [
        CheckId::IssuerUrl,
        CheckId::IssuerToken,
        CheckId::IssuerDiscovery,
        CheckId::IssuerProvider,
        CheckId::IssuerTrustPolicy,
        CheckId::DiscoveryAddress,
        CheckId::DiscoveryReachable,
        CheckId::DiscoveryJwksUri,
        CheckId::DiscoveryAnonymousScope,
        CheckId::JwksReachable,
        CheckId::JwksKeys,
        CheckId::JwksTokenKey,
        CheckId::JwksSignature,
        CheckId::TlsChain,
        CheckId::TlsExpiry,
        CheckId::TlsThumbprint,
        CheckId::ProviderExists,
        CheckId::ProviderClientId,
        CheckId::TrustAllows,
        CheckId::TrustTooWide,
        CheckId::ServiceAccountAnnotation,
        CheckId::TokenAudience,
        CheckId::TokenSubject,
        CheckId::TokenExpiry,
        CheckId::TokenLifetime,
        CheckId::ExchangeSts,
    ];

    /// The stable id, e.g. `issuer.discovery`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::IssuerUrl => "issuer.url",
            CheckId::IssuerToken => "issuer.token",
            CheckId::IssuerDiscovery => "issuer.discovery",
            CheckId::IssuerProvider => "issuer.provider",
            CheckId::IssuerTrustPolicy => "issuer.trust-policy",
            CheckId::DiscoveryAddress => "discovery.address",
            CheckId::DiscoveryReachable => "discovery.reachable",
            CheckId::DiscoveryJwksUri => "discovery.jwks-uri",
            CheckId::DiscoveryAnonymousScope => "discovery.anonymous-scope",
            CheckId::JwksReachable => "jwks.reachable",
            CheckId::JwksKeys => "jwks.keys",
            CheckId::JwksTokenKey => "jwks.token-key",
            CheckId::JwksSignature => "jwks.signature",
            CheckId::TlsChain => "tls.chain",
            CheckId::TlsExpiry => "tls.expiry",
            CheckId::TlsThumbprint => "tls.thumbprint",
            CheckId::ProviderExists => "provider.exists",
            CheckId::ProviderClientId => "provider.client-id",
            CheckId::TrustAllows => "trust.allows",
            CheckId::TrustTooWide => "trust.too-wide",
            CheckId::ServiceAccountAnnotation => "service-account.annotation",
            CheckId::TokenAudience => "token.audience",
            CheckId::TokenSubject => "token.subject",
            CheckId::TokenExpiry => "token.expiry",
            CheckId::TokenLifetime => "token.lifetime",
            CheckId::ExchangeSts => "exchange.sts",
        }
    }

    /// The link of the chain this check belongs to (the part of the id before the dot).
    pub fn link(self) -> &'static str {
        self.as_str().split('.').next().unwrap_or_default()
    }
}

impl Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One check's result: `{id, status, message, fix}` in `-o json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub id: CheckId,
    pub status: Status,
    pub message: String,
    pub fix: Option<String>,
}

impl Check {
    pub fn pass(id: CheckId, message: impl Into<String>) -> Self {
        Self {
            id,
            status: Status::Pass,
            message: message.into(),
            fix: None,
        }
    }

    pub fn skip(id: CheckId, message: impl Into<String>) -> Self {
        Self {
            id,
            status: Status::Skip,
            message: message.into(),
            fix: None,
        }
    }

    pub fn warn(id: CheckId, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            id,
            status: Status::Warn,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn fail(id: CheckId, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            id,
            status: Status::Fail,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }

    /// A check from shared findings: the worst severity decides, every message is kept.
    fn from_findings(
        id: CheckId,
        findings: &[crate::discovery::Finding],
        pass_message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        use crate::discovery::Severity;
        let message = findings
            .iter()
            .map(|finding| finding.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        match findings.iter().map(|finding| finding.severity).max() {
            None => Check::pass(id, pass_message),
            Some(Severity::Warn) => Check::warn(id, message, fix),
            Some(Severity::Fail) => Check::fail(id, message, fix),
        }
    }
}

/// Walk the whole chain in order. Every check in [`CheckId::ALL`] appears exactly once.
pub fn diagnose(inputs: &Inputs) -> Vec<Check> {
    let mut checks = Vec::with_capacity(CheckId::ALL.len());
    checks.extend(issuer::checks(inputs));
    checks.extend(discovery::checks(inputs));
    checks.extend(jwks::checks(inputs));
    checks.extend(tls::checks(inputs));
    checks.extend(provider::checks(inputs));
    checks.extend(trust::checks(inputs));
    checks.extend(service_account::checks(inputs));
    checks.extend(token::checks(inputs));
    checks.push(inputs.exchange.clone());
    checks
}

/// The checks that test a link named by the STS error mapping.
pub fn checks_of(link: Link) -> Vec<CheckId> {
    use CheckId::*;
    match link {
        Link::Issuer => vec![
            IssuerUrl,
            IssuerToken,
            IssuerDiscovery,
            IssuerProvider,
            IssuerTrustPolicy,
        ],
        Link::Discovery => vec![
            DiscoveryAddress,
            DiscoveryReachable,
            DiscoveryJwksUri,
            DiscoveryAnonymousScope,
        ],
        Link::Jwks => vec![JwksReachable, JwksKeys, JwksTokenKey, JwksSignature],
        Link::Thumbprint => vec![TlsChain, TlsExpiry, TlsThumbprint],
        Link::Provider => vec![ProviderExists, ProviderClientId, IssuerProvider],
        Link::Audience => vec![TokenAudience, ProviderClientId, TrustAllows],
        Link::TrustPolicy => vec![TrustAllows, TrustTooWide, IssuerTrustPolicy],
        Link::ServiceAccount => vec![ServiceAccountAnnotation, TokenSubject],
        Link::Token => vec![TokenExpiry, TokenLifetime, TokenAudience],
        Link::StsParameters => vec![ExchangeSts],
    }
}

/// `doctor`'s exit code: failure when any check failed.
pub fn exit_code(checks: &[Check]) -> crate::exit::Code {
    if first_failure(checks).is_some() {
        crate::exit::Code::Failure
    } else {
        crate::exit::Code::Success
    }
}

/// The first failing check, which is the broken link to fix first.
pub fn first_failure(checks: &[Check]) -> Option<&Check> {
    checks.iter().find(|check| check.status == Status::Fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_dotted_by_link() {
        let mut seen = std::collections::HashSet::new();
        for id in CheckId::ALL {
            assert!(seen.insert(id.as_str()), "duplicate id {}", id.as_str());
            assert!(id.as_str().contains('.'), "{}", id.as_str());
        }
    }

    #[test]
    fn module_docs_list_every_id() {
        let source = include_str!("mod.rs");
        for id in CheckId::ALL {
            assert!(
                source.contains(&format!("//! | `{}`", id.as_str())),
                "{} is undocumented",
                id.as_str()
            );
        }
    }

    #[test]
    fn the_readme_section_lists_every_id() {
        let section = include_str!("README-section.md");
        for id in CheckId::ALL {
            assert!(
                section.contains(&format!("| `{}` |", id.as_str())),
                "{} is not in README-section.md",
                id.as_str()
            );
        }
    }

    #[test]
    fn nothing_given_offline_skips_every_check_in_chain_order() {
        let checks = diagnose(&Inputs::offline_empty());
        let ids: Vec<CheckId> = checks.iter().map(|check| check.id).collect();
        assert_eq!(ids, CheckId::ALL);
        assert!(
            checks.iter().all(|check| check.status == Status::Skip),
            "{checks:#?}"
        );
        assert_eq!(first_failure(&checks), None);
    }

    #[test]
    fn every_link_of_the_error_mapping_leads_to_checks_and_every_check_is_reached() {
        for link in Link::ALL {
            assert!(!checks_of(link).is_empty(), "{link}");
        }
        let covered: std::collections::HashSet<CheckId> = Link::ALL.into_iter().flat_map(checks_of).collect();
        assert_eq!(covered.len(), CheckId::ALL.len(), "a check no STS error leads to");
    }

    #[test]
    fn json_shape_is_id_status_message_fix() {
        let check = Check::fail(CheckId::TokenExpiry, "expired", "kubectl create token");
        let json = serde_json::to_value(&check).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"id": "token.expiry", "status": "fail", "message": "expired", "fix": "kubectl create token"})
        );
    }
}

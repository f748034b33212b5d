//! Link 4, the TLS chain: what the issuer's host presents is all AWS can hash, so the
//! provider's thumbprints must name a presented certificate, best the last one (it
//! survives leaf renewals); a leaf-only chain works only until the leaf is renewed
//! (failure kind C). Also the certificates of a chain as `doctor` reads them from PEM.

use super::{Check, CheckId, Input, Inputs};
use crate::tls::{CertificateSummary, ChainShape, choose_thumbprint};
use awsoidc_credential_process::time::Timestamp;

/// A certificate that expires sooner than this is flagged.
pub const EXPIRY_WARNING_SECONDS: i64 = 30 * 86_400;

/// The command that adds the presented thumbprint and keeps the previous ones.
const SYNC_FIX: &str = "kubectl awsoidc provider sync";

/// Why a `--chain` file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    #[error("failed to read the certificate chain: {0}")]
    Unreadable(String),
    #[error("the PEM text holds no CERTIFICATE block")]
    Empty,
}

/// The presented chain in a PEM text (leaf first), summarised.
pub fn parse_pem_chain(text: &str) -> Result<Vec<CertificateSummary>, ChainError> {
    let ders = crate::tls::parse_pem_chain(text.as_bytes()).map_err(ChainError::Unreadable)?;
    if ders.is_empty() {
        return Err(ChainError::Empty);
    }
    crate::tls::summarise(&ders).map_err(ChainError::Unreadable)
}

fn describe(cert: &CertificateSummary) -> String {
    format!(
        "{} (thumbprint {}, not after {})",
        cert.subject,
        cert.thumbprint,
        Timestamp(cert.not_after_unix)
    )
}

pub fn checks(inputs: &Inputs) -> Vec<Check> {
    let chain = match &inputs.chain {
        Input::Given(chain) if !chain.is_empty() => chain,
        Input::Given(_) => {
            let fail = |id| Check::fail(id, "the server presented no certificate", SYNC_FIX);
            return vec![
                fail(CheckId::TlsChain),
                fail(CheckId::TlsExpiry),
                fail(CheckId::TlsThumbprint),
            ];
        }
        other => {
            let why = other.absence().unwrap_or_default();
            return [CheckId::TlsChain, CheckId::TlsExpiry, CheckId::TlsThumbprint]
                .into_iter()
                .map(|id| Check::skip(id, why))
                .collect();
        }
    };
    vec![shape(chain), expiry(chain, inputs.now), thumbprint(inputs, chain)]
}

/// True when the server presents its serving certificate alone.
fn leaf_only(chain: &[CertificateSummary]) -> bool {
    chain.len() == 1
}

fn shape(chain: &[CertificateSummary]) -> Check {
    let id = CheckId::TlsChain;
    let Some(choice) = choose_thumbprint(chain) else {
        return Check::fail(id, "the server presented no certificate", SYNC_FIX);
    };
    let last = &chain[chain.len() - 1];
    match choice.shape {
        ChainShape::LeafAndCa => Check::pass(id, choice.explanation),
        ChainShape::LeafOnly => Check::warn(
            id,
            format!(
                "the server presents only its leaf {}, issued by {}: AWS can hash only the leaf, whose thumbprint \
                 changes at every renewal",
                describe(last),
                last.issuer
            ),
            format!(
                "{SYNC_FIX}   # from a CronJob after each renewal; or present [leaf, CA], or use the managed \
                 issuer: kubectl awsoidc enable --issuer managed"
            ),
        ),
        ChainShape::EndsInLeaf => Check::warn(id, choice.explanation, SYNC_FIX),
    }
}

fn expiry(chain: &[CertificateSummary], now: Timestamp) -> Check {
    let id = CheckId::TlsExpiry;
    let expired = chain.iter().find(|cert| cert.not_after_unix <= now.0);
    if let Some(cert) = expired {
        return Check::fail(
            id,
            format!(
                "{} expired at {} (now {now})",
                cert.subject,
                Timestamp(cert.not_after_unix)
            ),
            "renew the issuer's serving certificate, then: kubectl awsoidc provider sync",
        );
    }
    let soon = chain
        .iter()
        .find(|cert| now.seconds_until(Timestamp(cert.not_after_unix)) < EXPIRY_WARNING_SECONDS);
    if let Some(cert) = soon {
        let fix = if leaf_only(chain) {
            format!("{SYNC_FIX}   # right after the leaf is renewed, or AWS refuses every token")
        } else {
            format!("{SYNC_FIX}   # after the renewal, keeping the old thumbprint during the rotation")
        };
        return Check::warn(
            id,
            format!(
                "{} expires at {} (now {now})",
                cert.subject,
                Timestamp(cert.not_after_unix)
            ),
            fix,
        );
    }
    let earliest = chain
        .iter()
        .map(|cert| Timestamp(cert.not_after_unix))
        .min()
        .unwrap_or(now);
    Check::pass(
        id,
        format!("every presented certificate is valid until at least {earliest}"),
    )
}

fn thumbprint(inputs: &Inputs, chain: &[CertificateSummary]) -> Check {
    let id = CheckId::TlsThumbprint;
    let provider = match &inputs.provider {
        Input::Given(Some(provider)) => provider,
        Input::Given(None) => return Check::skip(id, "IAM has no provider (see provider.exists)"),
        other => return Check::skip(id, other.absence().unwrap_or_default()),
    };
    let listed: Vec<String> = provider
        .thumbprints
        .iter()
        .map(|t| t.to_ascii_lowercase())
        .collect();
    let issuer_host = host_thumbprint(inputs, &listed, chain);
    // When the JWKS is served from another host, its chain must be covered too.
    let Some((host, jwks_chain)) = inputs.jwks_chain.given().filter(|(_, chain)| !chain.is_empty()) else {
        return issuer_host;
    };
    let jwks_host = host_thumbprint(inputs, &listed, jwks_chain);
    let worst = if jwks_host.status > issuer_host.status {
        &jwks_host
    } else {
        &issuer_host
    };
    Check {
        id,
        status: worst.status,
        message: format!(
            "issuer host: {}; JWKS host {host}: {}",
            issuer_host.message, jwks_host.message
        ),
        fix: worst.fix.clone(),
    }
}

/// The verdict on one host's presented chain against the provider's thumbprints.
fn host_thumbprint(inputs: &Inputs, listed: &[String], chain: &[CertificateSummary]) -> Check {
    let id = CheckId::TlsThumbprint;
    let last = &chain[chain.len() - 1];
    if listed.contains(&last.thumbprint) {
        return Check::pass(
            id,
            format!(
                "the provider lists {}, the last presented certificate",
                describe(last)
            ),
        );
    }
    if let Some(cert) = chain.iter().find(|cert| listed.contains(&cert.thumbprint)) {
        return Check::warn(
            id,
            format!(
                "the provider lists the thumbprint of {}, not of the last presented certificate {}: it breaks when \
                 that certificate is renewed",
                describe(cert),
                describe(last)
            ),
            SYNC_FIX,
        );
    }
    let presented: Vec<String> = chain.iter().map(describe).collect();
    let mut message = format!(
        "the provider's thumbprints [{}] match no certificate the server presents ({})",
        listed.join(", "),
        presented.join("; ")
    );
    if leaf_only(chain) {
        message.push_str(": the server presents only its leaf, and AWS only sees the leaf");
    }
    for ca in inputs
        .known_cas
        .iter()
        .filter(|ca| listed.contains(&ca.thumbprint))
    {
        message.push_str(&format!(
            "; {} is the CA {}, which the server does not present",
            ca.thumbprint, ca.subject
        ));
    }
    Check::fail(
        id,
        message,
        format!(
            "{SYNC_FIX}   # adds {}, keeps the others (at most 5)",
            last.thumbprint
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::provider::Provider;
    use crate::doctor::{Input, Status};

    fn cert(subject: &str, issuer: &str, is_ca: bool, thumbprint: &str) -> CertificateSummary {
        CertificateSummary {
            subject: subject.into(),
            issuer: issuer.into(),
            not_after: "2036".into(),
            not_after_unix: 2_082_758_400,
            is_ca,
            self_signed: subject == issuer,
            thumbprint: thumbprint.into(),
        }
    }

    fn inputs(listed: &[&str], jwks_chain: Option<Vec<CertificateSummary>>) -> Inputs {
        let mut inputs = Inputs::offline_empty();
        inputs.chain = Input::Given(vec![
            cert("CN=leaf", "CN=ca", false, "aa"),
            cert("CN=ca", "CN=ca", true, "bb"),
        ]);
        inputs.provider = Input::Given(Some(Provider {
            arn: None,
            url: "a.example".into(),
            client_ids: vec![],
            thumbprints: listed.iter().map(|t| t.to_string()).collect(),
        }));
        if let Some(chain) = jwks_chain {
            inputs.jwks_chain = Input::Given(("keys.example:443".into(), chain));
        }
        inputs
    }

    fn verdict(inputs: &Inputs) -> Check {
        checks(inputs)
            .into_iter()
            .find(|check| check.id == CheckId::TlsThumbprint)
            .unwrap()
    }

    #[test]
    fn a_jwks_host_of_its_own_needs_its_thumbprint_listed_too() {
        let other = vec![
            cert("CN=keys", "CN=public-ca", false, "cc"),
            cert("CN=public-ca", "CN=public-ca", true, "dd"),
        ];
        assert_eq!(verdict(&inputs(&["bb"], None)).status, Status::Pass);
        let missing = verdict(&inputs(&["bb"], Some(other.clone())));
        assert_eq!(missing.status, Status::Fail);
        assert!(
            missing.message.contains("JWKS host keys.example:443") && missing.message.contains("dd"),
            "{}",
            missing.message
        );
        assert_eq!(verdict(&inputs(&["bb", "dd"], Some(other))).status, Status::Pass);
    }

    #[test]
    fn the_uppercase_thumbprint_of_the_last_certificate_passes() {
        assert_eq!(verdict(&inputs(&["BB"], None)).status, Status::Pass);
        assert_eq!(verdict(&inputs(&["aa"], None)).status, Status::Warn);
    }
}

//! The reachability link: unauthenticated GETs of the discovery document and the
//! JWKS, made the way STS makes them (no credentials), and what each failure means.
//! The GET is the network edge; [`interpret`] is pure, so `enable`'s wait loop and
//! `doctor` name a 401, a 403 and a TLS failure the same way.

use std::sync::Arc;
use std::time::Duration;

use ureq::tls::{Certificate, RootCerts, TlsConfig};

/// The two paths anonymous requests must reach, and nothing else.
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// The JWKS path kube-apiserver serves.
pub const JWKS_PATH: &str = "/openid/v1/jwks";

/// What one unauthenticated GET got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// An HTTP answer.
    Status { code: u16, body: String },
    /// The TLS handshake failed (the certificate is not trusted by the given CA).
    Tls(String),
    /// No answer: DNS, connection refused, timeout.
    Unreachable(String),
}

/// What a probe outcome means for the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Reachable,
    AnonymousAuthenticationOff,
    RbacMissing,
    TlsUntrusted,
    Unreachable,
    UnexpectedStatus,
}

/// The verdict for `url`, a sentence for people and the fix to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpretation {
    pub verdict: Verdict,
    pub message: String,
    pub fix: Option<String>,
}

/// Name what an unauthenticated GET of `url` tells about the chain.
pub fn interpret(url: &str, outcome: &ProbeOutcome) -> Interpretation {
    let path = url
        .find("://")
        .and_then(|at| url[at + 3..].find('/').map(|p| &url[at + 3 + p..]))
        .unwrap_or("/");
    let (verdict, message, fix) = match outcome {
        ProbeOutcome::Status { code: 200, .. } => (Verdict::Reachable, format!("GET {url}: 200"), None),
        ProbeOutcome::Status { code: 401, .. } => (
            Verdict::AnonymousAuthenticationOff,
            format!(
                "GET {url} without credentials: 401 Unauthorized, so anonymous authentication is off on the \
                 apiserver (this is not an RBAC problem)"
            ),
            Some("kubectl awsoidc enable --garden-kubeconfig GARDEN_KUBECONFIG".to_owned()),
        ),
        ProbeOutcome::Status { code: 403, body } => (
            Verdict::RbacMissing,
            format!(
                "GET {url} without credentials: 403 Forbidden, so anonymous requests are authenticated but RBAC \
                 does not let system:anonymous get {path}{}",
                server_reason(body)
                    .map(|reason| format!(" (apiserver: {reason})"))
                    .unwrap_or_default()
            ),
            Some("kubectl awsoidc enable".to_owned()),
        ),
        ProbeOutcome::Status { code, .. } => (
            Verdict::UnexpectedStatus,
            format!("GET {url} without credentials: unexpected HTTP {code}"),
            None,
        ),
        ProbeOutcome::Tls(reason) => (
            Verdict::TlsUntrusted,
            format!(
                "GET {url}: TLS failed ({reason}): the server's certificate is not issued by the cluster CA"
            ),
            Some(format!("kubectl awsoidc thumbprint {url}")),
        ),
        ProbeOutcome::Unreachable(reason) => (
            Verdict::Unreachable,
            format!("GET {url}: no answer ({reason})"),
            None,
        ),
    };
    Interpretation {
        verdict,
        message,
        fix,
    }
}

/// The `message` of a Kubernetes Status body, if it is one.
fn server_reason(body: &str) -> Option<String> {
    let status: serde_json::Value = serde_json::from_str(body).ok()?;
    status["message"].as_str().map(str::to_owned)
}

/// GET `url` without credentials, trusting the certificates in `ca_der` (DER; the
/// cluster CA) or, when empty, the public web PKI roots.
pub fn get_anonymously(url: &str, ca_der: &[Vec<u8>], timeout: Duration) -> ProbeOutcome {
    let roots = if ca_der.is_empty() {
        RootCerts::WebPki
    } else {
        RootCerts::Specific(Arc::new(
            ca_der
                .iter()
                .map(|der| Certificate::from_der(der).to_owned())
                .collect(),
        ))
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(TlsConfig::builder().root_certs(roots).build())
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into();
    match agent.get(url).call() {
        Ok(mut response) => {
            let code = response.status().as_u16();
            let body = response
                .body_mut()
                .with_config()
                .limit(1 << 20)
                .read_to_string()
                .unwrap_or_default();
            ProbeOutcome::Status { code, body }
        }
        Err(err) => classify(err),
    }
}

fn classify(err: ureq::Error) -> ProbeOutcome {
    match &err {
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) | ureq::Error::Pem(_) => {
            ProbeOutcome::Tls(err.to_string())
        }
        ureq::Error::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => {
            ProbeOutcome::Tls(io.to_string())
        }
        _ => ProbeOutcome::Unreachable(err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWKS: &str = "https://127.0.0.1:6443/openid/v1/jwks";

    #[test]
    fn a_401_means_anonymous_authentication_is_off_not_rbac() {
        let found = interpret(
            JWKS,
            &ProbeOutcome::Status {
                code: 401,
                body: String::new(),
            },
        );
        assert_eq!(found.verdict, Verdict::AnonymousAuthenticationOff);
        assert!(
            found.message.contains("anonymous authentication is off"),
            "{}",
            found.message
        );
        assert!(found.message.contains("not an RBAC problem"));
    }

    #[test]
    fn a_403_means_rbac_and_names_the_path_and_the_servers_reason() {
        let body = r#"{"kind":"Status","message":"forbidden: User \"system:anonymous\" cannot get path \"/openid/v1/jwks\""}"#;
        let found = interpret(
            JWKS,
            &ProbeOutcome::Status {
                code: 403,
                body: body.into(),
            },
        );
        assert_eq!(found.verdict, Verdict::RbacMissing);
        assert!(found.message.contains("get /openid/v1/jwks"), "{}", found.message);
        assert!(found.message.contains("cannot get path"), "{}", found.message);
        assert_eq!(found.fix.as_deref(), Some("kubectl awsoidc enable"));
    }

    #[test]
    fn tls_and_unreachable_are_told_apart() {
        assert_eq!(
            interpret(JWKS, &ProbeOutcome::Tls("unknown issuer".into())).verdict,
            Verdict::TlsUntrusted
        );
        assert_eq!(
            interpret(JWKS, &ProbeOutcome::Unreachable("refused".into())).verdict,
            Verdict::Unreachable
        );
        assert_eq!(
            interpret(
                JWKS,
                &ProbeOutcome::Status {
                    code: 200,
                    body: "{}".into()
                }
            )
            .verdict,
            Verdict::Reachable
        );
    }
}

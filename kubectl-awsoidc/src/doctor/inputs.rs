//! What `doctor` judges: every input of the chain, parsed, each either given (from a
//! file or fetched), missing (with the reason its checks are skipped) or broken (fetched
//! but unreadable). The parsers here turn the texts users paste into bug reports (a
//! discovery document or a `curl -i` capture of it, `aws iam` JSON, ServiceAccount YAML,
//! PEM chains) into these values; reading files and calling servers is the command's job.

use awsoidc_credential_process::contract::parse_service_account_subject;
use awsoidc_credential_process::secret::Secret;
use awsoidc_credential_process::time::Timestamp;
use awsoidc_credential_process::token::{self, Jwt};

use super::provider::Provider;
use super::service_account::ServiceAccountInfo;
use super::trust::Role;
use super::{Check, CheckId};
use crate::discovery::{DiscoveryDocument, Jwks};
use crate::issuer::{Issuer, IssuerError};
use crate::probe::ProbeOutcome;
use crate::tls::CertificateSummary;

/// One input of the chain.
#[derive(Debug, Clone)]
pub enum Input<T> {
    /// Present and parsed.
    Given(T),
    /// Not given and not fetched; the text says why (shown on the skipped checks).
    Missing(String),
    /// Fetched but unusable; the text says what was wrong (shown on a failed check).
    Broken(String),
}

impl<T> Input<T> {
    pub fn given(&self) -> Option<&T> {
        match self {
            Input::Given(value) => Some(value),
            _ => None,
        }
    }

    /// Why there is no value (for a skip message), or `None` when there is one.
    pub fn absence(&self) -> Option<&str> {
        match self {
            Input::Given(_) => None,
            Input::Missing(why) | Input::Broken(why) => Some(why),
        }
    }
}

/// Whether an unauthenticated request (as STS makes it) reached a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// What a GET without credentials got (fetched, or read from a `curl -i` capture).
    Probed(ProbeOutcome),
    /// Not probed: given as a plain file, or `--offline`; the text says which.
    NotProbed(String),
}

/// A ServiceAccount token with its decoded header and claims. The raw text is a secret.
#[derive(Debug, Clone)]
pub struct Token {
    pub raw: Secret,
    pub jwt: Jwt,
}

impl Token {
    pub fn parse(text: &str) -> Result<Self, token::TokenError> {
        let jwt = token::decode(text)?;
        Ok(Self {
            raw: Secret::new(text.trim()),
            jwt,
        })
    }
}

/// Everything `diagnose` needs, as plain values.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The clock, as a value.
    pub now: Timestamp,
    /// `--issuer-url`, as typed.
    pub issuer_url: Option<String>,
    /// The audience the token must carry and the provider must list.
    pub audience: String,
    /// The ServiceAccount asked about (namespace, name), when named on the command line.
    pub service_account_name: Option<(String, String)>,
    pub discovery: Input<DiscoveryDocument>,
    pub discovery_reach: Reach,
    /// What anonymous requests may do beyond discovery (online only).
    pub anonymous: Input<super::discovery::AnonymousAccess>,
    pub jwks: Input<Jwks>,
    pub jwks_reach: Reach,
    pub token: Input<Token>,
    /// The chain the issuer's host presents, leaf first.
    pub chain: Input<Vec<CertificateSummary>>,
    /// The chain the JWKS host presents, with that host, when it is not the issuer's.
    pub jwks_chain: Input<(String, Vec<CertificateSummary>)>,
    /// CAs known to sign the issuer's certificate (the kubeconfig's cluster CA), to
    /// name a provider thumbprint that belongs to a CA the server does not present.
    pub known_cas: Vec<CertificateSummary>,
    /// The IAM provider for the issuer; `Given(None)` when IAM has none.
    pub provider: Input<Option<Provider>>,
    /// The role and its trust policy.
    pub role: Input<Role>,
    pub service_account: Input<ServiceAccountInfo>,
    /// The AWS endpoint when it is a stand-in (`AWS_ENDPOINT_URL*`): AWS's own servers
    /// never fetch anything, so the rules about what they can reach do not apply.
    pub aws_endpoint: Option<String>,
    /// The `--exchange` result, or its skip.
    pub exchange: Check,
}

impl Inputs {
    /// Inputs with nothing given, as `--offline` without files sees the world.
    pub fn offline_empty() -> Self {
        let missing = |what: &str| format!("no {what} given (--offline)");
        Self {
            now: Timestamp(0),
            issuer_url: None,
            audience: awsoidc_credential_process::contract::DEFAULT_AUDIENCE.to_owned(),
            service_account_name: None,
            discovery: Input::Missing(missing("--discovery")),
            discovery_reach: Reach::NotProbed("--offline".to_owned()),
            anonymous: Input::Missing("the cluster's RBAC is read online only".to_owned()),
            jwks: Input::Missing(missing("--jwks")),
            jwks_reach: Reach::NotProbed("--offline".to_owned()),
            token: Input::Missing(missing("--token")),
            chain: Input::Missing(missing("--chain")),
            jwks_chain: Input::Missing("the JWKS host's chain is read online only".to_owned()),
            known_cas: Vec::new(),
            provider: Input::Missing(missing("--provider")),
            role: Input::Missing(missing("--trust-policy")),
            service_account: Input::Missing(missing("--service-account-file")),
            aws_endpoint: None,
            exchange: Check::skip(CheckId::ExchangeSts, "not asked for (--exchange)"),
        }
    }

    /// The issuer every other value is compared with: `--issuer-url`, else the token's
    /// `iss` (what STS looks the provider up by), else the discovery document's, else
    /// the provider's URL.
    pub fn issuer(&self) -> Option<Result<Issuer, IssuerError>> {
        let text = self
            .issuer_url
            .clone()
            .or_else(|| self.token.given().and_then(|token| token.jwt.claims.iss.clone()))
            .or_else(|| self.discovery.given().map(|document| document.issuer.clone()))
            .or_else(|| {
                self.provider
                    .given()
                    .and_then(Option::as_ref)
                    .map(|provider| format!("https://{}", provider.url))
            })?;
        Some(Issuer::parse(&text))
    }

    /// The issuer, when one is known and valid.
    pub fn valid_issuer(&self) -> Option<Issuer> {
        self.issuer().and_then(Result::ok)
    }

    /// The ServiceAccount the chain is for: as named, else the file's, else the token's `sub`.
    pub fn subject_account(&self) -> Option<(String, String)> {
        self.service_account_name
            .clone()
            .or_else(|| {
                self.service_account
                    .given()
                    .map(|account| (account.namespace.clone(), account.name.clone()))
            })
            .or_else(|| {
                let sub = self.token.given()?.jwt.claims.sub.as_deref()?;
                parse_service_account_subject(sub).map(|(ns, name)| (ns.to_owned(), name.to_owned()))
            })
    }

    /// True when AWS's own servers fetch the documents (no stand-in endpoint).
    pub fn aws_fetches(&self) -> bool {
        self.aws_endpoint.is_none()
    }
}

/// Why a pasted file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("the HTTP capture has no body after its headers")]
    CaptureWithoutBody,
    #[error("the HTTP capture's status line {0:?} has no status code")]
    CaptureStatus(String),
    #[error(transparent)]
    Discovery(#[from] crate::discovery::DiscoveryError),
    #[error(transparent)]
    Token(#[from] token::TokenError),
    #[error(transparent)]
    Chain(#[from] super::tls::ChainError),
    #[error("failed to parse the provider JSON (aws iam get-open-id-connect-provider): {0}")]
    Provider(#[source] serde_json::Error),
    #[error(transparent)]
    Trust(#[from] crate::trust::TrustError),
    #[error("failed to parse the ServiceAccount YAML: {0}")]
    ServiceAccount(#[source] serde_yaml::Error),
    #[error(
        "the file holds no ServiceAccount (no metadata.name): pass `kubectl get serviceaccount NAME -o yaml`"
    )]
    ServiceAccountUnnamed,
    #[error(
        "it describes the ServiceAccount {file}, not {argument} (the SERVICE_ACCOUNT argument and -n): pass the matching file or drop the argument"
    )]
    ServiceAccountMismatch { file: String, argument: String },
}

/// A file that cannot be used, named by the flag that gave it.
#[derive(Debug, thiserror::Error)]
#[error("{flag}: {source}")]
pub struct FileError {
    pub flag: &'static str,
    #[source]
    pub source: InputError,
}

/// The texts of the files given on the command line, by flag.
#[derive(Debug, Clone, Default)]
pub struct Files {
    pub discovery: Option<String>,
    pub jwks: Option<String>,
    pub token: Option<String>,
    pub chain: Option<String>,
    pub provider: Option<String>,
    pub trust_policy: Option<String>,
    pub service_account: Option<String>,
}

impl Files {
    /// True when no file was given.
    pub fn is_empty(&self) -> bool {
        [
            &self.discovery,
            &self.jwks,
            &self.token,
            &self.chain,
            &self.provider,
            &self.trust_policy,
            &self.service_account,
        ]
        .iter()
        .all(|file| file.is_none())
    }
}

impl Inputs {
    /// Replace inputs by the files given for them. A `curl -i` capture also says whether
    /// the document answered without credentials; a plain document leaves that as it was.
    pub fn apply_files(&mut self, files: &Files) -> Result<(), FileError> {
        fn at<T>(flag: &'static str, result: Result<T, impl Into<InputError>>) -> Result<T, FileError> {
            result.map_err(|err| FileError {
                flag,
                source: err.into(),
            })
        }
        if let Some(text) = &files.discovery {
            let (content, reach) = at("--discovery", pasted_document(text, DiscoveryDocument::parse))?;
            self.discovery = content;
            self.discovery_reach = reach.unwrap_or(self.discovery_reach.clone());
        }
        if let Some(text) = &files.jwks {
            let (content, reach) = at("--jwks", pasted_document(text, Jwks::parse))?;
            self.jwks = content;
            self.jwks_reach = reach.unwrap_or(self.jwks_reach.clone());
        }
        if let Some(text) = &files.token {
            self.token = Input::Given(at("--token", Token::parse(text))?);
        }
        if let Some(text) = &files.chain {
            self.chain = Input::Given(at("--chain", super::tls::parse_pem_chain(text))?);
        }
        if let Some(text) = &files.provider {
            let provider = at("--provider", Provider::parse(text).map_err(InputError::Provider))?;
            self.provider = Input::Given(Some(provider));
        }
        if let Some(text) = &files.trust_policy {
            self.role = Input::Given(at("--trust-policy", Role::parse(text))?);
        }
        if let Some(text) = &files.service_account {
            let account = ServiceAccountInfo::parse(text)
                .map_err(InputError::ServiceAccount)
                .and_then(|account| {
                    if account.name.is_empty() {
                        return Err(InputError::ServiceAccountUnnamed);
                    }
                    match &self.service_account_name {
                        Some((namespace, name))
                            if (namespace, name) != (&account.namespace, &account.name) =>
                        {
                            Err(InputError::ServiceAccountMismatch {
                                file: format!("{}/{}", account.namespace, account.name),
                                argument: format!("{namespace}/{name}"),
                            })
                        }
                        _ => Ok(account),
                    }
                });
            self.service_account = Input::Given(at("--service-account-file", account)?);
        }
        Ok(())
    }
}

/// A pasted document's content and, for a capture, whether it answered anonymously.
fn pasted_document<T>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, crate::discovery::DiscoveryError>,
) -> Result<(Input<T>, Option<Reach>), InputError> {
    let pasted = parse_pasted(text)?;
    let probed = |code: u16| {
        Some(Reach::Probed(ProbeOutcome::Status {
            code,
            body: pasted.body.to_owned(),
        }))
    };
    match pasted.status {
        None => Ok((Input::Given(parse(pasted.body)?), None)),
        Some(200) => Ok((Input::Given(parse(pasted.body)?), probed(200))),
        Some(code) => Ok((
            Input::Missing(format!("the capture shows HTTP {code}, not the document")),
            probed(code),
        )),
    }
}

/// A document as a user pastes it: either its body, or a `curl -i` capture whose
/// status line tells whether it answered without credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pasted<'a> {
    /// The HTTP status, when the text is a capture.
    pub status: Option<u16>,
    pub body: &'a str,
}

/// Split a pasted document into its status (for a `curl -i` capture) and body.
pub fn parse_pasted(text: &str) -> Result<Pasted<'_>, InputError> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with("HTTP/") {
        return Ok(Pasted {
            status: None,
            body: text,
        });
    }
    // `curl -i` through a proxy may print several responses; the last one counts.
    let mut rest = trimmed;
    loop {
        let status_line = rest.lines().next().unwrap_or_default();
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| InputError::CaptureStatus(status_line.to_owned()))?;
        let body = match (rest.find("\r\n\r\n"), rest.find("\n\n")) {
            (Some(crlf), Some(lf)) if lf < crlf => &rest[lf + 2..],
            (Some(crlf), _) => &rest[crlf + 4..],
            (None, Some(lf)) => &rest[lf + 2..],
            (None, None) => return Err(InputError::CaptureWithoutBody),
        };
        if body.trim_start().starts_with("HTTP/") {
            rest = body.trim_start();
            continue;
        }
        return Ok(Pasted {
            status: Some(status),
            body,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_documents_have_no_status() {
        assert_eq!(
            parse_pasted("{\"keys\":[]}").unwrap(),
            Pasted {
                status: None,
                body: "{\"keys\":[]}"
            }
        );
    }

    #[test]
    fn curl_captures_give_status_and_body() {
        let capture = "HTTP/2 401\r\ncontent-type: application/json\r\n\r\n{\"kind\":\"Status\"}";
        assert_eq!(
            parse_pasted(capture).unwrap(),
            Pasted {
                status: Some(401),
                body: "{\"kind\":\"Status\"}"
            }
        );
        let proxied = "HTTP/1.1 200 Connection established\n\nHTTP/1.1 403 Forbidden\nx: y\n\n{}";
        assert_eq!(parse_pasted(proxied).unwrap().status, Some(403));
        assert!(matches!(
            parse_pasted("HTTP/1.1 200 OK\nx: y"),
            Err(InputError::CaptureWithoutBody)
        ));
        assert!(matches!(
            parse_pasted("HTTP/1.1 OK\n\n{}"),
            Err(InputError::CaptureStatus(_))
        ));
    }

    #[test]
    fn the_token_issuer_is_the_reference_without_a_flag() {
        let mut inputs = Inputs::offline_empty();
        inputs.discovery = Input::Given(DiscoveryDocument {
            issuer: "https://b.example".into(),
            jwks_uri: "https://b.example/keys".into(),
            id_token_signing_alg_values_supported: vec![],
        });
        assert_eq!(inputs.valid_issuer().unwrap().url(), "https://b.example");
        inputs.issuer_url = Some("https://a.example".into());
        assert_eq!(inputs.valid_issuer().unwrap().url(), "https://a.example");
    }
}

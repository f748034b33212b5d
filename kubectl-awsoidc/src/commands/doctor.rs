//! `doctor [SA]`: gather the chain's inputs and print `doctor`'s verdict. Files given by
//! flag are used as they are; everything else is fetched unless `--offline`: the
//! discovery document and JWKS (authenticated through the kubeconfig, and once more
//! without credentials, the way STS fetches them), the chain the issuer presents, the
//! ServiceAccount and a fresh TokenRequest token for it, and from IAM the provider and
//! the role. The checks themselves are `crate::doctor`'s.
//!
//! | variable                                                       | meaning                      |
//! |----------------------------------------------------------------|------------------------------|
//! | `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL_IAM`, `AWS_ENDPOINT_URL` | a non-AWS stand-in (moto, LocalStack): AWS's servers fetch nothing, so the internet-reachability rules are waived |
//! | `NO_COLOR`                                                     | no colour even on a terminal |

use std::io::IsTerminal as _;
use std::time::Duration;

use anyhow::{Context as _, Result};
use awsoidc_credential_process::contract::{parse_service_account_subject, service_account_subject};
use awsoidc_credential_process::sts_error;
use awsoidc_credential_process::time::Timestamp;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject};
use kube::api::{Api, ListParams, PostParams};

use crate::cli::{DoctorArgs, OutputFormat};
use crate::context::{Cluster, Context, stand_in_endpoint};
use crate::discovery::{DiscoveryDocument, Jwks};
use crate::doctor::discovery::{AnonymousAccess, AnonymousGrant};
use crate::doctor::inputs::Token;
use crate::doctor::provider::Provider;
use crate::doctor::service_account::ServiceAccountInfo;
use crate::doctor::trust::Role as TrustedRole;
use crate::doctor::{self, Check, CheckId, Files, Input, Inputs, Reach, render};
use crate::exit::{Code, usage};
use crate::issuer::Issuer;
use crate::probe::{self, ProbeOutcome};
use crate::role::Iam;

/// The lifetime of the token `doctor` requests: the shortest kube-apiserver issues.
const TOKEN_SECONDS: i64 = 600;

/// How long one unauthenticated probe or TLS handshake may take.
const NETWORK_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn run(context: &Context, args: &DoctorArgs) -> Result<Code> {
    if let Some(name) = &args.service_account {
        use crate::serviceaccount::{NameKind, check_name};
        check_name(NameKind::ServiceAccount, "SERVICE_ACCOUNT", name)
            .map_err(|err| usage(err.to_string()))?;
    }
    if let Some(message) = &args.error {
        return explain_error(context, args, message);
    }
    if let Some(url) = &args.issuer_url {
        Issuer::parse(url).map_err(|err| usage(format!("--issuer-url: {err}")))?;
    }
    let files = read_files(args)?;
    if args.offline && args.issuer_url.is_none() && files.is_empty() {
        return Err(usage(
            "--offline checks only what is given: add --issuer-url or a file (--discovery, --jwks, --token, \
             --chain, --provider, --trust-policy, --service-account-file)",
        ));
    }
    let mut inputs = Inputs::offline_empty();
    inputs.now = Timestamp::now();
    inputs.issuer_url = args.issuer_url.clone();
    inputs.audience = args.audience.clone();
    inputs.aws_endpoint = stand_in_endpoint(|name| std::env::var(name).ok());
    if let Some(name) = &args.service_account {
        let namespace = match (&context.global.namespace, args.offline) {
            (Some(namespace), _) => namespace.clone(),
            (None, true) => "default".to_owned(),
            (None, false) => context.namespace().await?,
        };
        inputs.service_account_name = Some((namespace, name.clone()));
    }
    if !args.offline {
        gather(context, args, &files, &mut inputs).await?;
    }
    inputs.apply_files(&files).map_err(|err| usage(err.to_string()))?;
    let checks = doctor::diagnose(&inputs);
    print!("{}", show(context.global.output, &checks));
    Ok(doctor::exit_code(&checks))
}

fn show(output: OutputFormat, checks: &[Check]) -> String {
    match output {
        OutputFormat::Json => render::json(checks),
        OutputFormat::Yaml => render::yaml(checks),
        OutputFormat::Text => {
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            render::text(checks, colour)
        }
    }
}

/// Read every file flag; an unreadable file is a usage error naming the flag.
fn read_files(args: &DoctorArgs) -> Result<Files> {
    let read = |flag: &str, path: &Option<std::path::PathBuf>| -> Result<Option<String>> {
        path.as_ref()
            .map(|path| {
                std::fs::read_to_string(path).map_err(|err| {
                    usage(format!(
                        "{flag} {}: failed to read the file: {err}",
                        path.display()
                    ))
                })
            })
            .transpose()
    };
    Ok(Files {
        discovery: read("--discovery", &args.discovery)?,
        jwks: read("--jwks", &args.jwks)?,
        token: read("--token", &args.token)?,
        chain: read("--chain", &args.chain)?,
        provider: read("--provider", &args.provider)?,
        trust_policy: read("--trust-policy", &args.trust_policy)?,
        service_account: read("--service-account-file", &args.service_account_file)?,
    })
}

/// Fetch what the files did not give.
async fn gather(context: &Context, args: &DoctorArgs, files: &Files, inputs: &mut Inputs) -> Result<()> {
    let cluster = context
        .cluster()
        .await
        .context("doctor needs the cluster (or --offline with files)")?;
    let cluster_ca = cluster_ca(cluster);
    inputs.known_cas = crate::tls::summarise(
        &cluster_ca
            .iter()
            .map(|der| rustls::pki_types::CertificateDer::from(der.clone()))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();

    inputs.discovery = match authenticated_get(cluster, probe::DISCOVERY_PATH).await {
        Ok(text) => match DiscoveryDocument::parse(&text) {
            Ok(document) => Input::Given(document),
            Err(err) => Input::Broken(format!("the cluster's {}: {err}", probe::DISCOVERY_PATH)),
        },
        Err(err) => Input::Broken(format!("{err:#}")),
    };
    let issuer_text = args
        .issuer_url
        .clone()
        .or_else(|| inputs.discovery.given().map(|document| document.issuer.clone()));
    let issuer = issuer_text.as_deref().and_then(|text| Issuer::parse(text).ok());

    if let Some(issuer) = &issuer {
        // The cluster CA verifies the cluster's own issuer; another host (a managed
        // issuer) is tried with the public roots first, then with the cluster CA.
        let same_host =
            cluster.config.cluster_url.authority().map(|a| a.as_str()) == Some(issuer.authority());
        let roots = if same_host { cluster_ca.clone() } else { Vec::new() };
        let (roots, outcome) = match probe_blocking(issuer.discovery_url(), roots.clone()).await {
            ProbeOutcome::Tls(_) if !same_host => (
                cluster_ca.clone(),
                probe_blocking(issuer.discovery_url(), cluster_ca.clone()).await,
            ),
            outcome => (roots, outcome),
        };
        inputs.discovery_reach = Reach::Probed(outcome);
        let jwks_url = inputs
            .discovery
            .given()
            .map(|document| document.jwks_uri.clone())
            .unwrap_or_else(|| format!("{}{}", issuer.url().trim_end_matches('/'), probe::JWKS_PATH));
        let outcome = probe_blocking(jwks_url, roots).await;
        inputs.jwks = match &outcome {
            ProbeOutcome::Status { code: 200, body } => {
                parsed_jwks(body, "the JWKS served without credentials")
            }
            _ => match authenticated_get(cluster, probe::JWKS_PATH).await {
                Ok(text) => parsed_jwks(&text, "the cluster's JWKS"),
                Err(err) => Input::Broken(format!("{err:#}")),
            },
        };
        inputs.jwks_reach = Reach::Probed(outcome);
        if files.chain.is_none() {
            inputs.chain = presented_chain(issuer.host(), issuer.port()).await;
        }
        if let Some((host, port)) = inputs
            .discovery
            .given()
            .and_then(|document| other_host(issuer, &document.jwks_uri))
        {
            inputs.jwks_chain = match presented_chain(&host, port).await {
                Input::Given(chain) => Input::Given((format!("{host}:{port}"), chain)),
                Input::Broken(why) => Input::Broken(why),
                Input::Missing(why) => Input::Missing(why),
            };
        }
        if files.provider.is_none() {
            inputs.provider = find_provider(context, issuer).await;
        }
    } else {
        let why = "no valid issuer to fetch from (see issuer.url)";
        (inputs.discovery_reach, inputs.jwks_reach) =
            (Reach::NotProbed(why.to_owned()), Reach::NotProbed(why.to_owned()));
        inputs.chain = Input::Missing(why.to_owned());
        inputs.provider = Input::Missing(why.to_owned());
    }

    inputs.anonymous = anonymous_access(cluster, &cluster_ca).await;

    let Some((namespace, name)) = inputs.service_account_name.clone() else {
        let why = "no ServiceAccount named (doctor NAME -n NAMESPACE)";
        inputs.token = Input::Missing(why.to_owned());
        inputs.service_account = Input::Missing(why.to_owned());
        inputs.role = Input::Missing(why.to_owned());
        return Ok(());
    };
    let account = match crate::serviceaccount::get(&cluster.client, &namespace, &name).await {
        Ok(Some(account)) => account,
        Ok(None) => {
            let why = format!("ServiceAccount {namespace}/{name} does not exist");
            inputs.service_account = Input::Broken(why.clone());
            inputs.token = Input::Missing(why.clone());
            inputs.role = Input::Missing(why);
            return Ok(());
        }
        Err(err) => return Err(err).context("failed to read the ServiceAccount"),
    };
    let info = ServiceAccountInfo::from_object(&account);
    if files.token.is_none() {
        inputs.token = request_token(cluster, &namespace, &name, &inputs.audience).await;
    }
    if files.trust_policy.is_none() {
        inputs.role = match &info.role_arn {
            Some(arn) => read_role(context, arn).await,
            None => Input::Missing(format!(
                "{namespace}/{name} names no role (see service-account.annotation)"
            )),
        };
    }
    if args.exchange {
        inputs.exchange = exchange(context, &info, &inputs.token).await;
    }
    inputs.service_account = Input::Given(info);
    Ok(())
}

/// A path outside discovery: anonymous requests that reach it (any answer but 401)
/// are authenticated everywhere, so every binding to them counts.
const PROBE_ELSEWHERE: &str = "/api";

/// What unauthenticated requests may do: whether they are authenticated on every path,
/// and every binding that names `system:anonymous` or `system:unauthenticated`.
async fn anonymous_access(cluster: &Cluster, cluster_ca: &[Vec<u8>]) -> Input<AnonymousAccess> {
    let url = format!(
        "{}{PROBE_ELSEWHERE}",
        cluster.config.cluster_url.to_string().trim_end_matches('/')
    );
    let on_every_path = match probe_blocking(url, cluster_ca.to_vec()).await {
        ProbeOutcome::Status { code, .. } => code != 401,
        other => {
            return Input::Missing(format!(
                "could not probe {PROBE_ELSEWHERE} without credentials: {other:?}"
            ));
        }
    };
    match anonymous_grants(&cluster.client).await {
        Ok(grants) => Input::Given(AnonymousAccess {
            on_every_path,
            grants,
        }),
        Err(err) => Input::Missing(format!("failed to read the cluster's RBAC: {err}")),
    }
}

async fn anonymous_grants(client: &kube::Client) -> kube::Result<Vec<AnonymousGrant>> {
    let list = ListParams::default();
    let cluster_roles = Api::<ClusterRole>::all(client.clone()).list(&list).await?.items;
    let roles = Api::<Role>::all(client.clone()).list(&list).await?.items;
    let rules_of = |kind: &str, namespace: Option<&str>, name: &str| -> Vec<PolicyRule> {
        match (kind, namespace) {
            ("ClusterRole", _) => cluster_roles
                .iter()
                .find(|role| role.metadata.name.as_deref() == Some(name))
                .and_then(|role| role.rules.clone()),
            (_, Some(namespace)) => roles
                .iter()
                .find(|role| {
                    role.metadata.name.as_deref() == Some(name)
                        && role.metadata.namespace.as_deref() == Some(namespace)
                })
                .and_then(|role| role.rules.clone()),
            _ => None,
        }
        .unwrap_or_default()
    };
    let anonymous = |subjects: &Option<Vec<Subject>>| -> Vec<String> {
        subjects
            .iter()
            .flatten()
            .filter(|subject| {
                (subject.kind == "User" && subject.name == "system:anonymous")
                    || (subject.kind == "Group" && subject.name == "system:unauthenticated")
            })
            .map(|subject| format!("{} {}", subject.kind, subject.name))
            .collect()
    };
    let mut grants = Vec::new();
    for binding in Api::<ClusterRoleBinding>::all(client.clone())
        .list(&list)
        .await?
        .items
    {
        let name = binding.metadata.name.clone().unwrap_or_default();
        for subject in anonymous(&binding.subjects) {
            grants.push(AnonymousGrant {
                binding: format!("ClusterRoleBinding/{name}"),
                subject,
                role: format!("ClusterRole/{}", binding.role_ref.name),
                rules: rules_of("ClusterRole", None, &binding.role_ref.name),
            });
        }
    }
    for binding in Api::<RoleBinding>::all(client.clone()).list(&list).await?.items {
        let name = binding.metadata.name.clone().unwrap_or_default();
        let namespace = binding.metadata.namespace.clone().unwrap_or_default();
        for subject in anonymous(&binding.subjects) {
            let kind = binding.role_ref.kind.as_str();
            let role = match kind {
                "ClusterRole" => format!("ClusterRole/{}", binding.role_ref.name),
                _ => format!("Role/{namespace}/{}", binding.role_ref.name),
            };
            grants.push(AnonymousGrant {
                binding: format!("RoleBinding/{namespace}/{name}"),
                subject,
                role,
                rules: rules_of(kind, Some(&namespace), &binding.role_ref.name),
            });
        }
    }
    Ok(grants)
}

fn parsed_jwks(text: &str, what: &str) -> Input<Jwks> {
    match Jwks::parse(text) {
        Ok(jwks) => Input::Given(jwks),
        Err(err) => Input::Broken(format!("{what}: {err}")),
    }
}

/// The cluster CA certificates (DER) from the kubeconfig.
fn cluster_ca(cluster: &Cluster) -> Vec<Vec<u8>> {
    if let Some(certificates) = &cluster.config.root_cert {
        return certificates.clone();
    }
    cluster
        .config
        .root_cert_file
        .as_ref()
        .and_then(|path| std::fs::read(path).ok())
        .and_then(|pem| crate::tls::parse_pem_chain(&pem).ok())
        .map(|ders| ders.into_iter().map(|der| der.to_vec()).collect())
        .unwrap_or_default()
}

async fn authenticated_get(cluster: &Cluster, path: &str) -> Result<String> {
    let request = http::Request::get(path).body(Vec::new())?;
    cluster.client.request_text(request).await.with_context(|| {
        format!(
            "failed to read {}{path} with the kubeconfig's credentials",
            cluster.config.cluster_url.to_string().trim_end_matches('/')
        )
    })
}

async fn probe_blocking(url: String, roots: Vec<Vec<u8>>) -> ProbeOutcome {
    let task = tokio::task::spawn_blocking(move || probe::get_anonymously(&url, &roots, NETWORK_TIMEOUT));
    task.await
        .unwrap_or_else(|err| ProbeOutcome::Unreachable(format!("the probe stopped: {err}")))
}

/// The host and port of `jwks_uri` when they are not the issuer's.
fn other_host(issuer: &Issuer, jwks_uri: &str) -> Option<(String, u16)> {
    let jwks = Issuer::parse(jwks_uri).ok()?;
    (jwks.authority() != issuer.authority()).then(|| (jwks.host().to_owned(), jwks.port()))
}

async fn presented_chain(host: &str, port: u16) -> Input<Vec<crate::tls::CertificateSummary>> {
    let host = host.to_owned();
    let task = tokio::task::spawn_blocking(move || crate::tls::presented_chain(&host, port, NETWORK_TIMEOUT));
    match task.await {
        Ok(Ok(chain)) => match crate::tls::summarise(&chain) {
            Ok(summaries) => Input::Given(summaries),
            Err(why) => Input::Broken(why),
        },
        Ok(Err(err)) => Input::Broken(err.to_string()),
        Err(err) => Input::Broken(format!("reading the chain stopped: {err}")),
    }
}

/// The IAM provider for exactly the issuer, else the one that differs only by a
/// trailing slash or path (so `issuer.provider` can name the difference), else none.
async fn find_provider(context: &Context, issuer: &Issuer) -> Input<Option<Provider>> {
    let client = aws_sdk_iam::Client::new(context.aws().await);
    let listed = match client.list_open_id_connect_providers().send().await {
        Ok(output) => output,
        Err(err) => {
            return Input::Missing(format!(
                "failed to list IAM OIDC providers: {}",
                aws_sdk_iam::error::DisplayErrorContext(&err)
            ));
        }
    };
    let arns: Vec<String> = listed
        .open_id_connect_provider_list()
        .iter()
        .filter_map(|entry| entry.arn().map(str::to_owned))
        .collect();
    let url_of = |arn: &String| {
        arn.split_once(":oidc-provider/")
            .map(|(_, url)| url.to_owned())
            .unwrap_or_default()
    };
    let wanted = issuer.provider_url();
    let chosen = arns.iter().find(|arn| url_of(arn) == wanted).or_else(|| {
        arns.iter()
            .find(|arn| url_of(arn).split('/').next() == wanted.split('/').next())
    });
    let Some(arn) = chosen else {
        return Input::Given(None);
    };
    match client
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(arn)
        .send()
        .await
    {
        Ok(output) => Input::Given(Some(Provider {
            arn: Some(arn.clone()),
            url: output.url().map(str::to_owned).unwrap_or_else(|| url_of(arn)),
            client_ids: output.client_id_list().to_vec(),
            thumbprints: output.thumbprint_list().to_vec(),
        })),
        Err(err) => Input::Missing(format!(
            "failed to read the IAM provider {arn}: {}",
            aws_sdk_iam::error::DisplayErrorContext(&err)
        )),
    }
}

async fn read_role(context: &Context, arn: &str) -> Input<TrustedRole> {
    let name = arn.rsplit('/').next().unwrap_or(arn);
    match Iam::new(context.aws().await).get_role(name).await {
        Ok(Some(role)) => Input::Given(TrustedRole {
            arn: Some(role.arn),
            policy: role.trust,
        }),
        Ok(None) => Input::Broken(format!("the role {name} ({arn}) does not exist")),
        Err(err) => Input::Missing(err.to_string()),
    }
}

async fn request_token(cluster: &Cluster, namespace: &str, name: &str, audience: &str) -> Input<Token> {
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: vec![audience.to_owned()],
            expiration_seconds: Some(TOKEN_SECONDS),
            ..Default::default()
        },
        ..Default::default()
    };
    let api = Api::<ServiceAccount>::namespaced(cluster.client.clone(), namespace);
    match api
        .create_token_request(name, &PostParams::default(), &request)
        .await
    {
        Ok(answer) => match answer.status.map(|status| Token::parse(&status.token)) {
            Some(Ok(token)) => Input::Given(token),
            Some(Err(err)) => Input::Broken(format!("the TokenRequest answer is not a JWT: {err}")),
            None => Input::Broken("the TokenRequest answer has no token".to_owned()),
        },
        Err(err) => Input::Missing(format!("failed to request a token for {namespace}/{name}: {err}")),
    }
}

/// `--exchange`: one real AssumeRoleWithWebIdentity with the fresh token. The
/// credentials are dropped unread; only their expiry is shown.
async fn exchange(context: &Context, account: &ServiceAccountInfo, token: &Input<Token>) -> Check {
    let id = CheckId::ExchangeSts;
    let (Some(role_arn), Some(token)) = (&account.role_arn, token.given()) else {
        return Check::skip(id, "needs the role annotation and a token");
    };
    let client = aws_sdk_sts::Client::new(context.aws().await);
    let answer = client
        .assume_role_with_web_identity()
        .role_arn(role_arn)
        .role_session_name("kubectl-awsoidc-doctor")
        .web_identity_token(token.raw.expose())
        .send()
        .await;
    let subject = service_account_subject(&account.namespace, &account.name);
    match answer {
        Ok(output) => {
            let expiry = output
                .credentials()
                .map(|credentials| credentials.expiration().to_string());
            Check::pass(
                id,
                format!(
                    "STS issued credentials for {role_arn} (expire {})",
                    expiry.unwrap_or_default()
                ),
            )
        }
        Err(err) => {
            let (code, message) = match err.as_service_error() {
                Some(service) => {
                    use aws_sdk_sts::error::ProvideErrorMetadata as _;
                    (
                        service.code().unwrap_or_default().to_owned(),
                        service.message().unwrap_or_default().to_owned(),
                    )
                }
                None => (
                    String::new(),
                    aws_sdk_sts::error::DisplayErrorContext(&err).to_string(),
                ),
            };
            let links = sts_error::likely_broken_links(&code, &message);
            let named = parse_service_account_subject(&subject);
            let fix = links
                .first()
                .map(|link| format!("{}   # {}", link.doctor_command(named), link.hint()))
                .unwrap_or_else(|| "aws sts assume-role-with-web-identity ... (see the message)".to_owned());
            Check::fail(id, format!("STS refused the exchange: {code}: {message}"), fix)
        }
    }
}

/// `doctor --error MESSAGE`: the links an STS error points at and the checks that test them.
fn explain_error(context: &Context, args: &DoctorArgs, text: &str) -> Result<Code> {
    let (code, message) = sts_error::split_error_text(text);
    let links = sts_error::likely_broken_links(code, message);
    let named = args.service_account.as_deref().map(|name| {
        (
            context
                .global
                .namespace
                .clone()
                .unwrap_or_else(|| "default".to_owned()),
            name.to_owned(),
        )
    });
    let named = named
        .as_ref()
        .map(|(namespace, name)| (namespace.as_str(), name.as_str()));
    let explained: Vec<serde_json::Value> = links
        .iter()
        .map(|link| {
            serde_json::json!({
                "link": link.name(),
                "hint": link.hint(),
                "checks": doctor::checks_of(*link).iter().map(|id| id.as_str()).collect::<Vec<_>>(),
                "command": link.doctor_command(named),
            })
        })
        .collect();
    match context.global.output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&explained)?),
        OutputFormat::Yaml => print!("{}", serde_yaml::to_string(&explained)?),
        OutputFormat::Text if links.is_empty() => {
            println!(
                "{:?} does not point at a link of the trust chain (throttling, network or an unknown error)",
                awsoidc_credential_process::secret::echo_input(text)
            )
        }
        OutputFormat::Text => {
            let code = if code.is_empty() {
                "this error".to_owned()
            } else {
                code.to_owned()
            };
            println!("{code} most likely means, in this order:");
            for (index, link) in links.iter().enumerate() {
                println!("{}. {}: {}", index + 1, link.name(), link.hint());
                let ids: Vec<&str> = doctor::checks_of(*link).iter().map(|id| id.as_str()).collect();
                println!("   checks: {}", ids.join(", "));
                println!("   run:    {}", link.doctor_command(named));
            }
        }
    }
    Ok(Code::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_non_aws_endpoints_are_stand_ins() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.to_string())
            }
        };
        assert_eq!(stand_in_endpoint(env(&[])), None);
        assert_eq!(
            stand_in_endpoint(env(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")])),
            Some("http://127.0.0.1:5000".to_owned())
        );
        assert_eq!(
            stand_in_endpoint(env(&[(
                "AWS_ENDPOINT_URL_STS",
                "https://sts.eu-central-1.amazonaws.com"
            )])),
            None
        );
        assert_eq!(stand_in_endpoint(env(&[("AWS_ENDPOINT_URL", "")])), None);
    }
}

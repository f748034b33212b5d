//! `enable`: make the cluster's ServiceAccount issuer an AWS IAM OIDC provider —
//! RBAC for anonymous discovery, the shoot's anonymous setting (or the exact
//! instructions for a cluster that is not a Gardener shoot), a wait until both
//! discovery URLs answer without credentials, then the IAM provider.
//!
//! Each step reports what it did; a step that fails stops the run with what was
//! done and what was not, and the same command completes it.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::Api;
use serde_json::json;

use crate::cli::{EnableArgs, IssuerKind, OutputFormat};
use crate::commands::thumbprint::{self, HostChain};
use crate::context::{Cluster, Context};
use crate::discovery::{self, DiscoveryDocument, Jwks, Severity};
use crate::exit::{Code, usage};
use crate::gardener::{self, Garden, Mode, ShootInfo, Version};
use crate::issuer::{Issuer, fetch_cluster_issuer};
use crate::plan::Report;
use crate::probe::{self, JWKS_PATH, ProbeOutcome, Verdict};
use crate::provider::{self, Iam};
use crate::rbac;
use crate::tls;

/// The shoot this cluster is, read from `kube-system/shoot-info` (None elsewhere).
pub async fn shoot_info(cluster: &Cluster) -> Result<Option<ShootInfo>> {
    let config_maps: Api<ConfigMap> = Api::namespaced(cluster.client.clone(), "kube-system");
    let Some(info) = config_maps
        .get_opt("shoot-info")
        .await
        .context("failed to read kube-system/shoot-info")?
    else {
        return Ok(None);
    };
    Ok(Some(ShootInfo::from_data(&info.data.unwrap_or_default())?))
}

/// "enable stopped at STEP; done so far: ...": what a half-way failure reports.
fn stopped_at(report: &Report, step: &str) -> String {
    let done: Vec<_> = report
        .changes
        .iter()
        .filter(|change| change.action != crate::plan::Action::Unchanged)
        .map(|change| change.target.as_str())
        .collect();
    if report.dry_run {
        return format!("enable stopped at: {step} (dry run: nothing was written)");
    }
    let done = if done.is_empty() {
        "no change".to_owned()
    } else {
        done.join(", ")
    };
    format!("enable stopped at: {step}; done so far: {done}; re-run the same command to complete it")
}

/// The shoot's Shoot in the garden, when this is a shoot and garden access is given.
async fn garden_for(context: &Context, args: &EnableArgs, info: &ShootInfo) -> Result<Option<Garden>> {
    Ok(context.garden(&args.garden).await?.map(|garden_cluster| {
        let namespace = args
            .garden
            .garden_namespace
            .clone()
            .unwrap_or_else(|| info.project_namespace());
        Garden::new(&garden_cluster.client, &namespace, &info.shoot_name)
    }))
}

fn garden_required(info: &ShootInfo, what: &str) -> anyhow::Error {
    anyhow!(
        "this cluster is the Gardener shoot {} of project {}: pass --garden-kubeconfig (and --garden-context) \
         so enable can {what} on its Shoot",
        info.shoot_name,
        info.project_name
    )
}

pub async fn run(context: &Context, args: &EnableArgs) -> Result<Code> {
    let dry_run = context.global.dry_run;
    let cluster = context.cluster().await?;
    let mut report = Report::new(dry_run.is_dry());
    let ca = cluster.config.root_cert.clone().unwrap_or_default();
    let issuer = match args.issuer {
        IssuerKind::Cluster => open_cluster_issuer(context, args, cluster, &mut report).await?,
        IssuerKind::Managed => match use_managed_issuer(context, args, cluster, &mut report).await? {
            Some(issuer) => issuer,
            None => {
                print_outcome(context, &report, None, &[])?;
                return Ok(Code::Success);
            }
        },
    };

    let mut hosts = Vec::new();
    if !args.skip_aws {
        let jwks = thumbprint::jwks_uri(context, &issuer, &ca).await;
        let inspected = issuer.clone();
        hosts = tokio::task::spawn_blocking(move || thumbprint::inspect(&inspected, jwks.as_deref()))
            .await
            .context("the chain inspection failed")?
            .with_context(|| stopped_at(&report, "reading the issuer's certificate chain"))?;
        for host in &hosts {
            if host.choice.shape != tls::ChainShape::LeafAndCa {
                eprintln!(
                    "warning: {}:{}: {}",
                    host.host, host.port, host.choice.explanation
                );
            }
        }
        let thumbprints: Vec<String> = hosts.iter().map(|host| host.choice.thumbprint.clone()).collect();
        let iam = Iam::new(context.aws().await);
        let existing = iam
            .find(&issuer)
            .await
            .with_context(|| stopped_at(&report, "the IAM OIDC provider"))?;
        let steps = provider::plan(existing.as_ref(), &args.client_id, &thumbprints);
        let change = iam
            .apply(&issuer, existing.as_ref(), &steps, dry_run)
            .await
            .with_context(|| stopped_at(&report, "the IAM OIDC provider"))?;
        report.push(change);
    }
    print_outcome(context, &report, Some(&issuer), &hosts)?;
    Ok(Code::Success)
}

/// The cluster's own issuer: RBAC, the shoot's anonymous setting (or instructions),
/// then the wait until both discovery URLs answer without credentials.
async fn open_cluster_issuer(
    context: &Context,
    args: &EnableArgs,
    cluster: &Cluster,
    report: &mut Report,
) -> Result<Issuer> {
    let dry_run = context.global.dry_run;
    let issuer = fetch_cluster_issuer(&cluster.client).await?;
    eprintln!("issuer: {issuer}");
    report.changes.extend(
        rbac::apply(&cluster.client, dry_run)
            .await
            .with_context(|| stopped_at(report, "RBAC"))?,
    );

    let shoot = shoot_info(cluster).await?;
    let garden = match &shoot {
        Some(info) => {
            let garden = garden_for(context, args, info).await?.ok_or_else(|| {
                garden_required(info, "turn on anonymous discovery")
                    .context(stopped_at(report, "the shoot's anonymous setting"))
            })?;
            let mode = gardener::choose_mode(args.anonymous_mode, info.kubernetes_version)?;
            let changes = enable_on_shoot(&garden, &info.shoot_name, mode, info.kubernetes_version, dry_run)
                .await
                .with_context(|| stopped_at(report, "the shoot's anonymous setting"))?;
            report.changes.extend(changes);
            Some(garden)
        }
        None => {
            let version = cluster.client.apiserver_version().await.ok();
            eprintln!(
                "{}",
                administrator_instructions(version.as_ref().map(|info| info.git_version.as_str()))
            );
            None
        }
    };

    if !dry_run.is_dry() && !args.wait.is_zero() {
        let ca = cluster.config.root_cert.clone().unwrap_or_default();
        wait_for_discovery(&issuer, &ca, args.wait, garden.as_ref())
            .await
            .with_context(|| stopped_at(report, "the wait for anonymous discovery"))?;
    }
    Ok(issuer)
}

/// Gardener's managed issuer: ask for it on the Shoot, wait until Gardener
/// advertises its URL, then check it answers without credentials. None under
/// `--dry-run` before Gardener has advertised it.
async fn use_managed_issuer(
    context: &Context,
    args: &EnableArgs,
    cluster: &Cluster,
    report: &mut Report,
) -> Result<Option<Issuer>> {
    let dry_run = context.global.dry_run;
    let info = shoot_info(cluster)
        .await?
        .ok_or_else(|| usage("--issuer managed needs a Gardener shoot (no kube-system/shoot-info here)"))?;
    let garden = garden_for(context, args, &info)
        .await?
        .ok_or_else(|| garden_required(&info, "ask for the managed issuer"))?;
    let shoot = garden
        .shoot()
        .await
        .context("failed to read the Shoot in the garden")?;
    let plan = gardener::plan_managed(&shoot)?;
    report.changes.extend(
        garden
            .apply(&plan, dry_run)
            .await
            .with_context(|| stopped_at(report, "the Shoot"))?,
    );

    let mut url = gardener::advertised_issuer(&shoot).map(str::to_owned);
    if url.is_none() && !dry_run.is_dry() {
        let mut progress =
            crate::progress::Progress::start("waiting for Gardener to advertise the managed issuer");
        let started = Instant::now();
        loop {
            let shoot = garden
                .shoot()
                .await
                .context("failed to read the Shoot in the garden")?;
            if let Some(advertised) = gardener::advertised_issuer(&shoot) {
                progress.finish(&format!("advertised: {advertised}"));
                url = Some(advertised.to_owned());
                break;
            }
            if started.elapsed() >= args.wait {
                progress.finish("gave up");
                return Err(anyhow!(
                    "timed out after {}s waiting for .status.advertisedAddresses[name=service-account-issuer] \
                     (is the managed issuer offered on this landscape?); {}",
                    args.wait.as_secs(),
                    stopped_at(report, "the wait for the managed issuer")
                ));
            }
            progress.update(&shoot_progress(&shoot));
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    }
    let Some(url) = url else {
        eprintln!(
            "note: the managed issuer's URL is known once Gardener has reconciled; the IAM step follows then"
        );
        return Ok(None);
    };
    let issuer = Issuer::parse(&url).context("Gardener's advertised managed issuer")?;
    eprintln!("issuer: {issuer} (managed)");
    if !dry_run.is_dry() && !args.wait.is_zero() {
        let ca = cluster.config.root_cert.clone().unwrap_or_default();
        wait_for_discovery(&issuer, &ca, args.wait, Some(&garden))
            .await
            .with_context(|| stopped_at(report, "the wait for the managed issuer's discovery"))?;
    }
    Ok(Some(issuer))
}

fn shoot_progress(shoot: &serde_json::Value) -> String {
    let operation = &shoot["status"]["lastOperation"];
    format!(
        "shoot: {} {} {}%",
        operation["type"].as_str().unwrap_or("-"),
        operation["state"].as_str().unwrap_or("pending"),
        operation["progress"].as_i64().unwrap_or(0)
    )
}

async fn enable_on_shoot(
    garden: &Garden,
    shoot_name: &str,
    mode: Mode,
    version: Version,
    dry_run: crate::cli::DryRun,
) -> Result<Vec<crate::plan::Change>> {
    let shoot = garden.shoot().await.with_context(|| {
        format!(
            "failed to read the Shoot {}/{} in the garden",
            garden.namespace, shoot_name
        )
    })?;
    let referenced = match gardener::referenced_config_map(&shoot) {
        Some(name) => garden.config(name).await?,
        None => None,
    };
    let plan = gardener::plan_enable(&shoot, shoot_name, mode, version, referenced.as_deref())?;
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    Ok(garden.apply(&plan, dry_run).await?)
}

/// What the administrator of a cluster that is not a Gardener shoot must configure.
fn administrator_instructions(git_version: Option<&str>) -> String {
    let version = git_version.and_then(|text| Version::parse(text).ok());
    let structured = version.is_none_or(|version| (version.major, version.minor) >= (1, 32));
    let snippet = if structured {
        format!(
            "  kube-apiserver --authentication-config=FILE with FILE containing:\n\
             apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\nanonymous:\n  \
             enabled: true\n  conditions:\n  - path: {}\n  - path: {JWKS_PATH}",
            probe::DISCOVERY_PATH
        )
    } else {
        "  kube-apiserver --anonymous-auth=true (RBAC, applied above, limits anonymous requests to the two paths)"
            .to_owned()
    };
    format!(
        "this cluster is not a Gardener shoot (no kube-system/shoot-info): anonymous access to the two \
         discovery paths must be turned on by its administrator{}:\n{snippet}",
        git_version
            .map(|v| format!(" (Kubernetes {v})"))
            .unwrap_or_default()
    )
}

/// Say what AWS will trip over in the documents themselves (issuer drift, a
/// `jwks_uri` it cannot reach, keys without `kid`); `doctor` walks the rest.
fn report_content(issuer: &Issuer, document: &DiscoveryDocument, jwks: &ProbeOutcome) {
    let mut findings = discovery::check_document(issuer, document);
    if let ProbeOutcome::Status { body, .. } = jwks
        && let Ok(keys) = Jwks::parse(body)
    {
        findings.extend(discovery::check_keys(&keys));
    }
    if let Some(endpoint) = crate::context::stand_in_endpoint(|name| std::env::var(name).ok()) {
        let before = findings.len();
        findings.retain(|finding| !finding.rule.is_reachability());
        if findings.len() < before {
            eprintln!(
                "note: AWS is a local stand-in ({endpoint}): where real AWS could not reach the issuer \
                 (private address, port) is not checked"
            );
        }
    }
    for finding in &findings {
        let label = match finding.severity {
            Severity::Warn => "warning",
            Severity::Fail => "problem",
        };
        eprintln!(
            "{label}: {} (`kubectl awsoidc doctor` checks the whole chain)",
            finding.message
        );
    }
}

/// Probe both discovery URLs without credentials until both answer 200.
async fn wait_for_discovery(
    issuer: &Issuer,
    ca: &[Vec<u8>],
    timeout: Duration,
    garden: Option<&Garden>,
) -> Result<()> {
    let mut progress = crate::progress::Progress::start("waiting for anonymous discovery");
    let started = Instant::now();
    let discovery_url = issuer.discovery_url();
    let mut jwks_url = format!("{}{JWKS_PATH}", issuer.url().trim_end_matches('/'));
    loop {
        let urls = [discovery_url.clone(), jwks_url.clone()];
        let ca_der = ca.to_vec();
        let outcomes = tokio::task::spawn_blocking(move || {
            urls.map(|url| {
                let outcome = probe::get_anonymously(&url, &ca_der, Duration::from_secs(5));
                (url, outcome)
            })
        })
        .await?;
        let document = match &outcomes[0].1 {
            ProbeOutcome::Status { code: 200, body } => DiscoveryDocument::parse(body).ok(),
            _ => None,
        };
        if let Some(document) = &document {
            jwks_url = document.jwks_uri.clone();
        }
        let failing = outcomes
            .iter()
            .map(|(url, outcome)| probe::interpret(url, outcome))
            .find(|found| found.verdict != Verdict::Reachable);
        let Some(failing) = failing else {
            progress.finish("both discovery URLs answer anonymously");
            if let Some(document) = &document {
                report_content(issuer, document, &outcomes[1].1);
            }
            return Ok(());
        };
        let shoot_state = match garden {
            Some(garden) => garden
                .shoot()
                .await
                .ok()
                .map(|shoot| format!(" ({})", shoot_progress(&shoot))),
            None => None,
        };
        progress.update(&format!("{}{}", failing.message, shoot_state.unwrap_or_default()));
        if started.elapsed() >= timeout {
            progress.finish("gave up");
            let fix = failing.fix.map(|fix| format!("; fix: {fix}")).unwrap_or_default();
            return Err(anyhow!(
                "timed out after {}s: {}{fix}",
                timeout.as_secs(),
                failing.message
            ));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

fn print_outcome(
    context: &Context,
    report: &Report,
    issuer: Option<&Issuer>,
    hosts: &[HostChain],
) -> Result<()> {
    let document = json!({
        "issuer": issuer.map(Issuer::url),
        "changes": report.changes,
        "thumbprints": hosts.iter().map(|host| &host.choice.thumbprint).collect::<Vec<_>>(),
        "dryRun": report.dry_run,
    });
    match context.global.output {
        OutputFormat::Text => print!("{report}"),
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&document)?),
        OutputFormat::Yaml => print!("{}", serde_yaml::to_string(&document)?),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_pick_the_setting_by_version() {
        assert!(administrator_instructions(Some("v1.31.2")).contains("--anonymous-auth=true"));
        let structured = administrator_instructions(Some("v1.34.4"));
        assert!(structured.contains("AuthenticationConfiguration") && structured.contains(JWKS_PATH));
    }
}

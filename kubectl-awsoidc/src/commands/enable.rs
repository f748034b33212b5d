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

pub async fn run(context: &Context, args: &EnableArgs) -> Result<Code> {
    if args.issuer == IssuerKind::Managed {
        return Err(usage(
            "--issuer managed is not supported by this version yet: use --issuer cluster (the default)",
        ));
    }
    let dry_run = context.global.dry_run;
    let cluster = context.cluster().await?;
    let issuer = fetch_cluster_issuer(&cluster.client).await?;
    eprintln!("issuer: {issuer}");
    let mut report = Report::new(dry_run.is_dry());

    let step = |report: &Report, name: &str| {
        let done: Vec<_> = report
            .changes
            .iter()
            .map(|change| change.target.as_str())
            .collect();
        format!(
            "enable stopped at: {name}; done so far: {}; re-run the same command to complete it",
            if done.is_empty() {
                "nothing".to_owned()
            } else {
                done.join(", ")
            }
        )
    };

    report.changes.extend(
        rbac::apply(&cluster.client, dry_run)
            .await
            .with_context(|| step(&report, "RBAC"))?,
    );

    let shoot = shoot_info(cluster).await?;
    match &shoot {
        Some(info) => {
            let garden_cluster = context.garden(&args.garden).await?.ok_or_else(|| {
                anyhow!(
                    "this cluster is the Gardener shoot {} of project {}: pass --garden-kubeconfig (and \
                     --garden-context) so enable can turn on anonymous discovery on its Shoot ({})",
                    info.shoot_name,
                    info.project_name,
                    step(&report, "the shoot's anonymous setting")
                )
            })?;
            let namespace = args
                .garden
                .garden_namespace
                .clone()
                .unwrap_or_else(|| info.project_namespace());
            let garden = Garden::new(&garden_cluster.client, &namespace, &info.shoot_name);
            let mode = gardener::choose_mode(args.anonymous_mode, info.kubernetes_version)?;
            let changes = enable_on_shoot(&garden, &info.shoot_name, mode, info.kubernetes_version, dry_run)
                .await
                .with_context(|| step(&report, "the shoot's anonymous setting"))?;
            report.changes.extend(changes);
        }
        None => {
            let version = cluster.client.apiserver_version().await.ok();
            eprintln!(
                "{}",
                administrator_instructions(version.as_ref().map(|info| info.git_version.as_str()))
            );
        }
    }

    if !dry_run.is_dry() && !args.wait.is_zero() {
        let garden = match &shoot {
            Some(info) => context.garden(&args.garden).await?.map(|garden_cluster| {
                let namespace = args
                    .garden
                    .garden_namespace
                    .clone()
                    .unwrap_or_else(|| info.project_namespace());
                Garden::new(&garden_cluster.client, &namespace, &info.shoot_name)
            }),
            None => None,
        };
        let ca = cluster.config.root_cert.clone().unwrap_or_default();
        wait_for_discovery(&issuer, &ca, args.wait, garden.as_ref())
            .await
            .with_context(|| step(&report, "the wait for anonymous discovery"))?;
    }

    let mut hosts = Vec::new();
    if !args.skip_aws {
        let ca = cluster.config.root_cert.clone().unwrap_or_default();
        let jwks = thumbprint::jwks_uri(context, &issuer, &ca).await;
        let inspected = issuer.clone();
        hosts = tokio::task::spawn_blocking(move || thumbprint::inspect(&inspected, jwks.as_deref()))
            .await
            .context("the chain inspection failed")?
            .with_context(|| step(&report, "reading the issuer's certificate chain"))?;
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
            .with_context(|| step(&report, "the IAM OIDC provider"))?;
        let steps = provider::plan(existing.as_ref(), &args.client_id, &thumbprints);
        let change = iam
            .apply(&issuer, existing.as_ref(), &steps, dry_run)
            .await
            .with_context(|| step(&report, "the IAM OIDC provider"))?;
        report.push(change);
    }
    print_outcome(context, &report, &issuer, &hosts)?;
    Ok(Code::Success)
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
        if let ProbeOutcome::Status { code: 200, body } = &outcomes[0].1
            && let Ok(document) = serde_json::from_str::<serde_json::Value>(body)
            && let Some(uri) = document["jwks_uri"].as_str()
        {
            jwks_url = uri.to_owned();
        }
        let failing = outcomes
            .iter()
            .map(|(url, outcome)| probe::interpret(url, outcome))
            .find(|found| found.verdict != Verdict::Reachable);
        let Some(failing) = failing else {
            progress.finish("both discovery URLs answer anonymously");
            return Ok(());
        };
        let shoot_state = match garden {
            Some(garden) => garden.shoot().await.ok().map(|shoot| {
                let operation = &shoot["status"]["lastOperation"];
                format!(
                    " (shoot: {} {} {}%)",
                    operation["type"].as_str().unwrap_or("-"),
                    operation["state"].as_str().unwrap_or("pending"),
                    operation["progress"].as_i64().unwrap_or(0)
                )
            }),
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

fn print_outcome(context: &Context, report: &Report, issuer: &Issuer, hosts: &[HostChain]) -> Result<()> {
    let document = json!({
        "issuer": issuer.url(),
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

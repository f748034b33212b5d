//! `disable`: undo exactly what `enable` added — its RBAC objects, the anonymous
//! settings its record on the Shoot names (restoring a merged ConfigMap), and with
//! `--delete-provider` the IAM OIDC provider.

use anyhow::{Context as _, Result};

use crate::cli::{DisableArgs, OutputFormat};
use crate::commands::enable::shoot_info;
use crate::context::Context;
use crate::exit::Code;
use crate::gardener::{self, Garden};
use crate::issuer::fetch_cluster_issuer;
use crate::plan::Report;
use crate::provider::Iam;
use crate::rbac;

pub async fn run(context: &Context, args: &DisableArgs) -> Result<Code> {
    let dry_run = context.global.dry_run;
    let cluster = context.cluster().await?;
    let issuer = fetch_cluster_issuer(&cluster.client).await?;
    let mut report = Report::new(dry_run.is_dry());
    if let Some(info) = shoot_info(cluster).await? {
        match context.garden(&args.garden).await? {
            Some(garden_cluster) => {
                let namespace = args
                    .garden
                    .garden_namespace
                    .clone()
                    .unwrap_or_else(|| info.project_namespace());
                let garden = Garden::new(&garden_cluster.client, &namespace, &info.shoot_name);
                let shoot = garden
                    .shoot()
                    .await
                    .context("failed to read the Shoot in the garden")?;
                let referenced = match gardener::referenced_config_map(&shoot) {
                    Some(name) => garden.config(name).await?,
                    None => None,
                };
                let plan = gardener::plan_disable(&shoot, referenced.as_deref())?;
                for note in &plan.notes {
                    eprintln!("note: {note}");
                }
                report.changes.extend(garden.apply(&plan, dry_run).await?);
            }
            None => eprintln!(
                "note: this is the Gardener shoot {}: pass --garden-kubeconfig to also undo its anonymous setting",
                info.shoot_name
            ),
        }
    }
    report
        .changes
        .extend(rbac::delete(&cluster.client, dry_run).await?);
    if args.delete_provider {
        report.push(Iam::new(context.aws().await).delete(&issuer, dry_run).await?);
    }
    match context.global.output {
        OutputFormat::Text => print!("{report}"),
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        OutputFormat::Yaml => print!("{}", serde_yaml::to_string(&report)?),
    }
    Ok(Code::Success)
}

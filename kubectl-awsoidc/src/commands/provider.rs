//! `provider sync`: add the thumbprint(s) the issuer presents now to its IAM
//! provider, keeping previous ones (at most 5). Safe to run from a CronJob: a run
//! with nothing new makes no IAM write.

use anyhow::{Context as _, Result, anyhow};

use crate::cli::ProviderSyncArgs;
use crate::commands::thumbprint;
use crate::context::Context;
use crate::exit::Code;
use crate::plan::Report;
use crate::provider::{Iam, ProviderStep, thumbprint_step};

pub async fn sync(context: &Context, args: &ProviderSyncArgs) -> Result<Code> {
    let (issuer, ca) =
        thumbprint::resolve_issuer(context, args.issuer_url.as_deref(), "--issuer-url").await?;
    let jwks = thumbprint::jwks_uri(context, &issuer, &ca).await;
    let inspected = issuer.clone();
    let hosts = tokio::task::spawn_blocking(move || thumbprint::inspect(&inspected, jwks.as_deref()))
        .await
        .context("the chain inspection failed")??;
    let thumbprints: Vec<String> = hosts.iter().map(|host| host.choice.thumbprint.clone()).collect();
    let iam = Iam::new(context.aws().await);
    let existing = iam.find(&issuer).await?.ok_or_else(|| {
        anyhow!("no IAM OIDC provider exists for {issuer}: create it with `kubectl awsoidc enable`")
    })?;
    // sync only maintains thumbprints; audiences are enable's and bind's business.
    let steps: Vec<ProviderStep> = thumbprint_step(&existing, &thumbprints).into_iter().collect();
    let mut report = Report::new(context.dry_run());
    report.push(
        iam.apply(&issuer, Some(&existing), &steps, context.global.dry_run)
            .await?,
    );
    report.print(context.global.output)?;
    Ok(Code::Success)
}

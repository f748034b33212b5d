//! The IAM OIDC provider link: the provider for the issuer (URL without `https://`,
//! path kept), its client ids (audiences) and thumbprints. [`plan`] is pure over the
//! provider's current state; [`Iam`] is the AWS edge.

use anyhow::{Context as _, Result};
use aws_sdk_iam::error::DisplayErrorContext;
use aws_sdk_iam::types::Tag;

use crate::cli::DryRun;
use crate::issuer::Issuer;
use crate::plan::{Action, Change};
use crate::tls::merge_thumbprints;

/// The tag marking a provider this tool created.
pub const MANAGED_TAG: (&str, &str) = ("managed-by", "kubectl-awsoidc");

/// A provider as IAM reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProviderState {
    pub arn: String,
    pub client_ids: Vec<String>,
    pub thumbprints: Vec<String>,
    pub managed: bool,
}

/// One IAM call of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderStep {
    Create {
        client_ids: Vec<String>,
        thumbprints: Vec<String>,
    },
    AddClientId(String),
    SetThumbprints(Vec<String>),
}

/// The IAM calls that make the provider trust `client_id` and the `current` thumbprints
/// (existing thumbprints stay, at most 5). Empty when nothing needs to change.
pub fn plan(existing: Option<&ProviderState>, client_id: &str, current: &[String]) -> Vec<ProviderStep> {
    let Some(provider) = existing else {
        return vec![ProviderStep::Create {
            client_ids: vec![client_id.to_owned()],
            thumbprints: merge_thumbprints(&[], current),
        }];
    };
    let mut steps = Vec::new();
    if !provider.client_ids.iter().any(|id| id == client_id) {
        steps.push(ProviderStep::AddClientId(client_id.to_owned()));
    }
    steps.extend(thumbprint_step(provider, current));
    steps
}

/// The thumbprint update that adds `current` to an existing provider (old ones stay,
/// at most 5), or None when its list already holds them.
pub fn thumbprint_step(provider: &ProviderState, current: &[String]) -> Option<ProviderStep> {
    let merged = merge_thumbprints(&provider.thumbprints, current);
    let unchanged = merged.len() == provider.thumbprints.len()
        && merged.iter().all(|thumbprint| {
            provider
                .thumbprints
                .iter()
                .any(|t| t.eq_ignore_ascii_case(thumbprint))
        });
    (!unchanged).then_some(ProviderStep::SetThumbprints(merged))
}

/// IAM, for one issuer's provider.
pub struct Iam {
    client: aws_sdk_iam::Client,
}

impl Iam {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            client: aws_sdk_iam::Client::new(config),
        }
    }

    /// The provider whose URL is exactly the issuer's, if any.
    pub async fn find(&self, issuer: &Issuer) -> Result<Option<ProviderState>> {
        let listed = self
            .client
            .list_open_id_connect_providers()
            .send()
            .await
            .map_err(|err| anyhow::anyhow!("{}", DisplayErrorContext(err)))
            .context("failed to list IAM OIDC providers (check --profile / AWS credentials)")?;
        let suffix = format!(":oidc-provider/{}", issuer.provider_url());
        let Some(arn) = listed
            .open_id_connect_provider_list()
            .iter()
            .filter_map(|entry| entry.arn())
            .find(|arn| arn.ends_with(&suffix))
            .map(str::to_owned)
        else {
            return Ok(None);
        };
        let provider = self
            .client
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(&arn)
            .send()
            .await
            .map_err(|err| anyhow::anyhow!("{}", DisplayErrorContext(err)))
            .with_context(|| format!("failed to read the IAM OIDC provider {arn}"))?;
        Ok(Some(ProviderState {
            client_ids: provider.client_id_list().to_vec(),
            thumbprints: provider.thumbprint_list().to_vec(),
            managed: provider
                .tags()
                .iter()
                .any(|tag| tag.key() == MANAGED_TAG.0 && tag.value() == MANAGED_TAG.1),
            arn,
        }))
    }

    /// Carry out `steps`; the changes as made (or, under `--dry-run`, as they would be).
    pub async fn apply(
        &self,
        issuer: &Issuer,
        existing: Option<&ProviderState>,
        steps: &[ProviderStep],
        dry_run: DryRun,
    ) -> Result<Change> {
        let target = format!("iam-oidc-provider/{}", issuer.provider_url());
        if steps.is_empty() {
            return Ok(Change::new(target, Action::Unchanged));
        }
        let mut details = Vec::new();
        for step in steps {
            details.push(match step {
                ProviderStep::Create {
                    client_ids,
                    thumbprints,
                } => format!(
                    "iam create-open-id-connect-provider --url {} --client-id-list {} --thumbprint-list {}",
                    issuer.url(),
                    client_ids.join(","),
                    thumbprints.join(",")
                ),
                ProviderStep::AddClientId(id) => {
                    format!("iam add-client-id-to-open-id-connect-provider --client-id {id}")
                }
                ProviderStep::SetThumbprints(list) => {
                    format!(
                        "iam update-open-id-connect-provider-thumbprint --thumbprint-list {}",
                        list.join(",")
                    )
                }
            });
            if dry_run.is_dry() {
                continue;
            }
            let arn = existing.map(|provider| provider.arn.clone());
            let result = match step {
                ProviderStep::Create {
                    client_ids,
                    thumbprints,
                } => self
                    .client
                    .create_open_id_connect_provider()
                    .url(issuer.url())
                    .set_client_id_list(Some(client_ids.clone()))
                    .set_thumbprint_list(Some(thumbprints.clone()))
                    .tags(Tag::builder().key(MANAGED_TAG.0).value(MANAGED_TAG.1).build()?)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|err| DisplayErrorContext(err).to_string()),
                ProviderStep::AddClientId(id) => self
                    .client
                    .add_client_id_to_open_id_connect_provider()
                    .set_open_id_connect_provider_arn(arn)
                    .client_id(id)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|err| DisplayErrorContext(err).to_string()),
                ProviderStep::SetThumbprints(list) => self
                    .client
                    .update_open_id_connect_provider_thumbprint()
                    .set_open_id_connect_provider_arn(arn)
                    .set_thumbprint_list(Some(list.clone()))
                    .send()
                    .await
                    .map(drop)
                    .map_err(|err| DisplayErrorContext(err).to_string()),
            };
            result.map_err(|err| {
                anyhow::anyhow!(
                    "IAM refused `{}`: {err}",
                    details.last().map_or("", String::as_str)
                )
            })?;
        }
        let action = if existing.is_some() {
            Action::Update
        } else {
            Action::Create
        };
        Ok(Change::new(target, action).with_detail(details.join("\n")))
    }

    /// Delete the issuer's provider.
    pub async fn delete(&self, issuer: &Issuer, dry_run: DryRun) -> Result<Change> {
        let target = format!("iam-oidc-provider/{}", issuer.provider_url());
        let Some(provider) = self.find(issuer).await? else {
            return Ok(Change::new(target, Action::Unchanged).with_detail("not found"));
        };
        if !dry_run.is_dry() {
            self.client
                .delete_open_id_connect_provider()
                .open_id_connect_provider_arn(&provider.arn)
                .send()
                .await
                .map_err(|err| anyhow::anyhow!("{}", DisplayErrorContext(err)))
                .with_context(|| format!("failed to delete the IAM OIDC provider {}", provider.arn))?;
        }
        Ok(Change::new(target, Action::Delete).with_detail(provider.arn))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(client_ids: &[&str], thumbprints: &[&str]) -> ProviderState {
        ProviderState {
            arn: "arn:aws:iam::123456789012:oidc-provider/api.example.com".into(),
            client_ids: client_ids.iter().map(|s| s.to_string()).collect(),
            thumbprints: thumbprints.iter().map(|s| s.to_string()).collect(),
            managed: true,
        }
    }

    #[test]
    fn a_missing_provider_is_created_with_the_client_id_and_thumbprint() {
        let steps = plan(None, "sts.amazonaws.com", &["ab".into()]);
        assert_eq!(
            steps,
            [ProviderStep::Create {
                client_ids: vec!["sts.amazonaws.com".into()],
                thumbprints: vec!["ab".into()]
            }]
        );
    }

    #[test]
    fn a_matching_provider_needs_no_call() {
        assert!(
            plan(
                Some(&state(&["sts.amazonaws.com"], &["AB"])),
                "sts.amazonaws.com",
                &["ab".into()]
            )
            .is_empty()
        );
    }

    #[test]
    fn a_rotation_keeps_the_old_thumbprint_and_a_new_audience_is_added() {
        let steps = plan(
            Some(&state(&["other"], &["old"])),
            "sts.amazonaws.com",
            &["new".into()],
        );
        assert_eq!(
            steps,
            [
                ProviderStep::AddClientId("sts.amazonaws.com".into()),
                ProviderStep::SetThumbprints(vec!["old".into(), "new".into()])
            ]
        );
    }
}

//! `unbind SA`: the reverse of `bind`. Removes this ServiceAccount's subject from the
//! role's trust policy (other statements and subjects stay) and the annotations `bind`
//! set (its marker says which); the role stays unless `--delete-role` and nothing but
//! the placeholder that trusts nobody is left in its trust policy.

use anyhow::{Result, bail};
use awsoidc_credential_process::contract::service_account_subject;

use crate::cli::{DryRun, UnbindArgs};
use crate::commands::bind::{half_way, subject_pattern};
use crate::context::Context;
use crate::exit::{Code, usage};
use crate::plan::{Action, Change, Report};
use crate::role::{self, Iam, RoleRef};
use crate::serviceaccount::{self, ROLE_ARN_ANNOTATION};
use crate::trust;

pub async fn run(context: &Context, args: &UnbindArgs) -> Result<Code> {
    let cluster = context.cluster().await?;
    let namespace = context.namespace().await?;
    let name = &args.service_account;
    let Some(account_object) = serviceaccount::get(&cluster.client, &namespace, name).await? else {
        bail!("serviceaccount {namespace}/{name} not found (check -n/--namespace)");
    };
    let current = serviceaccount::annotations_of(&account_object);
    let role_text = match (&args.role, current.get(ROLE_ARN_ANNOTATION)) {
        (Some(role), _) => role.clone(),
        (None, Some(annotated)) => annotated.clone(),
        (None, None) => {
            let mut report = Report::new(context.dry_run());
            report.push(Change::new(format!("serviceaccount/{name}"), Action::Unchanged).with_detail(format!(
                "not bound: no {ROLE_ARN_ANNOTATION} annotation (pass --role ROLE to remove its subject from a \
                 role's trust policy)"
            )));
            report.print(context.global.output)?;
            return Ok(Code::Success);
        }
    };
    let role = RoleRef::parse(&role_text).map_err(|err| usage(err.to_string()))?;
    let issuer = crate::issuer::fetch_cluster_issuer(&cluster.client).await?;
    let sdk = context.aws().await;
    let account = match role.account.clone() {
        Some(account) => account,
        None => role::caller_account(sdk).await?,
    };
    let provider_arn = issuer.provider_arn(&account);
    let subject = match &args.subject_pattern {
        Some(pattern) => subject_pattern(pattern)?.text().to_owned(),
        None => service_account_subject(&namespace, name),
    };
    let iam = Iam::new(sdk);

    let mut report = Report::new(context.dry_run());
    let role_target = format!("iam-role/{}", role.name);
    let mut trust_write = None;
    let mut delete_role = false;
    match iam.get_role(&role.name).await? {
        None => {
            report.push(Change::new(&role_target, Action::Unchanged).with_detail("the role does not exist"))
        }
        Some(existing) => {
            let removed = trust::unbind(&existing.trust, &provider_arn, &issuer, &subject);
            let diff = trust::diff_lines(&existing.trust.to_pretty_json(), &removed.policy.to_pretty_json());
            if args.delete_role && removed.policy.trusts_nobody() {
                delete_role = true;
                report.push(
                    Change::new(&role_target, Action::Delete)
                        .with_detail("no subject is left in its trust policy"),
                );
            } else if removed.changed {
                let mut change = Change::new(&role_target, Action::Update).with_detail(diff);
                if args.delete_role {
                    change.detail = change.detail.map(|diff| {
                        format!("{diff}kept: its trust policy still has statements bind did not write")
                    });
                }
                report.push(change);
                trust_write = Some(removed.policy);
            } else {
                report.push(
                    Change::new(&role_target, Action::Unchanged)
                        .with_detail(format!("its trust policy does not name {subject}")),
                );
            }
        }
    }

    let patch = serviceaccount::plan_unbind(&current);
    let account_target = format!("serviceaccount/{name}");
    report.push(if patch.is_empty() {
        let why = if current.contains_key(ROLE_ARN_ANNOTATION) {
            "bind did not set its annotations; left as they are"
        } else {
            "no annotation of bind's"
        };
        Change::new(&account_target, Action::Unchanged).with_detail(why)
    } else {
        Change::new(&account_target, Action::Update).with_detail(patch.describe(&current))
    });

    let mut done = Vec::new();
    let applied: Result<()> = async {
        if !context.dry_run() {
            if let Some(policy) = &trust_write {
                iam.update_trust(&role.name, policy).await?;
                done.push(format!("the trust policy of {role_target}"));
            }
            if delete_role {
                iam.delete_role(&role.name).await?;
                done.push(format!("{role_target} deleted"));
            }
        }
        if !patch.is_empty() && context.global.dry_run != DryRun::Client {
            serviceaccount::apply(&cluster.client, &namespace, name, true, &patch, context.dry_run()).await?;
        }
        Ok(())
    }
    .await;
    applied.map_err(|err| err.context(half_way(&done)))?;
    report.print(context.global.output)?;
    Ok(Code::Success)
}

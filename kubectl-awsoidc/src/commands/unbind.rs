//! `unbind SA`: the reverse of `bind`. Removes this ServiceAccount's subject from the
//! role's trust policy only where `bind` recorded adding it (a subject someone else's
//! statement already trusted stays as it is; other statements and subjects stay too)
//! and the annotations `bind` set (its marker says which); the role stays unless
//! `--delete-role` and nothing but the placeholder that trusts nobody is left in its
//! trust policy. A `--role` other than the annotated one is refused.

use anyhow::{Result, bail};
use awsoidc_credential_process::contract::service_account_subject;
use awsoidc_credential_process::secret::echo_input;

use crate::cli::{DryRun, UnbindArgs};
use crate::commands::bind::{check_names, half_way, subject_pattern};
use crate::context::Context;
use crate::exit::{Code, usage};
use crate::plan::{Action, Change, Report};
use crate::role::{self, Iam, RoleRef};
use crate::serviceaccount::{self, ROLE_ARN_ANNOTATION};
use crate::trust::{self, Merged};

pub async fn run(context: &Context, args: &UnbindArgs) -> Result<Code> {
    check_names(context, &args.service_account)?;
    let cluster = context.cluster().await?;
    let namespace = context.namespace().await?;
    let name = &args.service_account;
    let Some(account_object) = serviceaccount::get(&cluster.client, &namespace, name).await? else {
        bail!("serviceaccount {namespace}/{name} not found (check -n/--namespace)");
    };
    let current = serviceaccount::annotations_of(&account_object);
    let role_text = match (&args.role, current.get(ROLE_ARN_ANNOTATION)) {
        (Some(role), Some(annotated)) => {
            check_same_role(role, annotated, &namespace, name)?;
            annotated.clone()
        }
        (Some(role), None) => role.clone(),
        (None, Some(annotated)) => annotated.clone(),
        (None, None) => {
            let mut report = Report::new(context.dry_run());
            report.push(Change::new(format!("serviceaccount/{name}"), Action::Unchanged).with_detail(format!(
                "not bound: no {ROLE_ARN_ANNOTATION} annotation (pass --role ROLE if bind's trust is left in a \
                 role)"
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
    let recorded = serviceaccount::added_trust(&current).into_iter().find(|entry| {
        entry.subject == subject
            && RoleRef::parse(&entry.role)
                .is_ok_and(|added| added.name == role.name && added.account.as_deref() == Some(&account))
    });

    let mut report = Report::new(context.dry_run());
    let role_target = format!("iam-role/{}", role.name);
    let mut trust_write = None;
    let mut delete_role = false;
    match iam.get_role(&role.name).await? {
        None => {
            report.push(Change::new(&role_target, Action::Unchanged).with_detail("the role does not exist"))
        }
        Some(existing) => {
            let removed = match &recorded {
                Some(_) => trust::unbind(&existing.trust, &provider_arn, &issuer, &subject),
                None => Merged {
                    policy: existing.trust.clone(),
                    changed: false,
                },
            };
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
                let why = match &recorded {
                    Some(_) => format!("its trust policy does not name {subject}"),
                    None => format!("bind did not add {subject} to its trust policy; left as it is"),
                };
                report.push(Change::new(&role_target, Action::Unchanged).with_detail(why));
            }
        }
    }

    let patch = serviceaccount::plan_unbind(&current, recorded.as_ref());
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

/// Refuse `--role` when the ServiceAccount's annotation names another role: unbinding
/// from the wrong one would drop the annotation and leave the real grant behind.
fn check_same_role(flag: &str, annotated: &str, namespace: &str, name: &str) -> Result<()> {
    let given = RoleRef::parse(flag).map_err(|err| usage(format!("--role: {err}")))?;
    let bound = RoleRef::parse(annotated).map_err(|err| {
        usage(format!(
            "serviceaccount {namespace}/{name}: {ROLE_ARN_ANNOTATION}: {err}"
        ))
    })?;
    let same_account = match (&given.account, &bound.account) {
        (Some(given), Some(bound)) => given == bound,
        _ => true,
    };
    if given.name == bound.name && same_account {
        return Ok(());
    }
    Err(usage(format!(
        "--role {:?} is not the role serviceaccount {namespace}/{name} is bound to ({annotated}): run \
         `kubectl awsoidc unbind {name} -n {namespace}` to unbind it from that role",
        echo_input(flag)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUND: &str = "arn:aws:iam::123456789012:role/myrole";

    #[test]
    fn a_role_flag_naming_another_role_is_refused_with_both_roles_and_the_fix() {
        let err = check_same_role("nosuchrole", BOUND, "default", "app2").unwrap_err();
        assert_eq!(crate::exit::code_for(&err), Code::Usage);
        let message = err.to_string();
        assert!(message.contains("\"nosuchrole\""), "{message}");
        assert!(message.contains(BOUND), "{message}");
        assert!(
            message.contains("kubectl awsoidc unbind app2 -n default"),
            "{message}"
        );
        assert!(check_same_role("arn:aws:iam::210987654321:role/myrole", BOUND, "d", "a").is_err());
    }

    #[test]
    fn the_annotated_role_by_name_or_arn_is_accepted() {
        assert!(check_same_role("myrole", BOUND, "default", "app2").is_ok());
        assert!(check_same_role(BOUND, BOUND, "default", "app2").is_ok());
    }
}

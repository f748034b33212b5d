//! `bind SA ROLE`: let a ServiceAccount assume an IAM role. Plans every change first
//! (the role's trust policy merged with `trust::bind` and checked against the quota, the
//! managed policies to attach, the ServiceAccount's annotations), prints the plan, and
//! writes only what differs, unless `--dry-run`.

use anyhow::{Context as _, Result, bail};
use awsoidc_credential_process::contract::{DEFAULT_AUDIENCE, service_account_subject};
use awsoidc_credential_process::secret::echo_input;

use crate::cli::{BindArgs, DryRun};
use crate::context::Context;
use crate::exit::{Code, usage};
use crate::inject::DEFAULT_TOKEN_EXPIRATION;
use crate::plan::{Action, Change, Report};
use crate::role::{self, Iam, RoleRef};
use crate::serviceaccount::{self, AddedTrust, NameKind, Wanted};
use crate::trust::{self, Binding, PolicyDocument, Subject};

pub async fn run(context: &Context, args: &BindArgs) -> Result<Code> {
    check_names(context, &args.service_account)?;
    for policy in &args.policy_arns {
        role::check_policy_arn(policy).map_err(|err| usage(err.to_string()))?;
    }
    if let Some(seconds) = args.token_expiration {
        crate::inject::check_token_expiration(seconds).map_err(|err| usage(err.to_string()))?;
    }
    let role = RoleRef::parse(&args.role).map_err(|err| usage(err.to_string()))?;
    if let Some(account) = &args.account_id
        && !role::is_account_id(account)
    {
        return Err(usage(format!(
            "--account-id {:?} is not a 12-digit AWS account id",
            echo_input(account)
        )));
    }
    let cluster = context.cluster().await?;
    let namespace = context.namespace().await?;
    let subject = match &args.subject_pattern {
        Some(pattern) => subject_pattern(pattern)?,
        None => Subject::Exact(service_account_subject(&namespace, &args.service_account)),
    };
    let issuer = crate::issuer::fetch_cluster_issuer(&cluster.client).await?;
    let sdk = context.aws().await;
    let account = match role.account.clone().or_else(|| args.account_id.clone()) {
        Some(account) => account,
        None => role::caller_account(sdk).await?,
    };
    let binding = Binding {
        provider_arn: issuer.provider_arn(&account),
        issuer: issuer.clone(),
        subject,
        audience: args.audience.clone(),
    };
    let iam = Iam::new(sdk);
    if !iam.provider_exists(&binding.provider_arn).await? {
        bail!(
            "the IAM OIDC provider {} does not exist, so no role can trust this cluster yet: run `kubectl awsoidc \
             enable` first",
            binding.provider_arn
        );
    }

    // Plan the role.
    let existing = iam.get_role(&role.name).await?;
    if existing.is_none() && !args.create_role {
        bail!(
            "role {} does not exist in account {account}: pass --create-role to create it",
            role.name
        );
    }
    let before = existing
        .as_ref()
        .map(|role| role.trust.clone())
        .unwrap_or_else(PolicyDocument::empty);
    let merged = trust::bind(&before, &binding);
    if merged.changed {
        trust::check_quota(&merged.policy, &binding, args.trust_policy_quota)
            .with_context(|| format!("refusing to update the trust policy of role {}", role.name))?;
    }
    let role_arn = existing
        .as_ref()
        .map(|role| role.arn.clone())
        .unwrap_or_else(|| role.arn_in(&account));
    let role_exists = existing.is_some();
    let attached = if role_exists {
        iam.attached_policies(&role.name).await?
    } else {
        Vec::new()
    };
    let to_attach: Vec<&String> = args
        .policy_arns
        .iter()
        .filter(|arn| !attached.contains(arn))
        .collect();

    // Plan the ServiceAccount.
    let account_object = serviceaccount::get(&cluster.client, &namespace, &args.service_account).await?;
    let current = account_object
        .as_ref()
        .map(serviceaccount::annotations_of)
        .unwrap_or_default();
    let added = AddedTrust {
        role: role_arn.clone(),
        subject: binding.subject.text().to_owned(),
    };
    let recorded = serviceaccount::added_trust(&current).contains(&added);
    let wanted = Wanted {
        // Trust bind found already there through someone else's statement is not bind's to remove.
        added_trust: (merged.changed || recorded).then_some(added),
        role_arn: role_arn.clone(),
        audience: (args.audience != DEFAULT_AUDIENCE).then(|| args.audience.clone()),
        token_expiration: args
            .token_expiration
            .filter(|seconds| *seconds != DEFAULT_TOKEN_EXPIRATION),
    };
    let patch = serviceaccount::plan_bind(&args.service_account, &current, &wanted)?;

    let mut report = Report::new(context.dry_run());
    let role_target = format!("iam-role/{}", role.name);
    let before_text = if role_exists {
        before.to_pretty_json()
    } else {
        String::new()
    };
    let trust_diff = trust::diff_lines(&before_text, &merged.policy.to_pretty_json());
    report.push(match (merged.changed, role_exists) {
        (false, _) => Change::new(&role_target, Action::Unchanged),
        (true, false) => Change::new(&role_target, Action::Create).with_detail(trust_diff),
        (true, true) => Change::new(&role_target, Action::Update).with_detail(trust_diff),
    });
    for policy in &args.policy_arns {
        let action = if to_attach.contains(&policy) {
            Action::Create
        } else {
            Action::Unchanged
        };
        report.push(Change::new(
            format!("iam-role-policy-attachment/{}/{policy}", role.name),
            action,
        ));
    }
    let account_target = format!("serviceaccount/{}", args.service_account);
    let account_change = match (&account_object, patch.is_empty()) {
        (Some(_), true) => Change::new(&account_target, Action::Unchanged),
        (existing, _) => {
            let action = if existing.is_some() {
                Action::Update
            } else {
                Action::Create
            };
            let mut detail = patch.describe(&current);
            if context.dry_run() {
                detail.push_str("\n\n");
                detail.push_str(&service_account_manifest(
                    &namespace,
                    &args.service_account,
                    &patch.apply_to(&current),
                )?);
            }
            Change::new(&account_target, action).with_detail(detail)
        }
    };
    report.push(account_change);

    if !patch.is_empty() && !context.dry_run() {
        // The apiserver's dry run catches a missing namespace or RBAC before AWS is touched.
        serviceaccount::apply(
            &cluster.client,
            &namespace,
            &args.service_account,
            account_object.is_some(),
            &patch,
            true,
        )
        .await?;
    }
    let mut done = Vec::new();
    let applied: Result<()> = async {
        if !context.dry_run() {
            match (merged.changed, role_exists) {
                (true, false) => iam.create_role(&role.name, &merged.policy).await?,
                (true, true) => iam.update_trust(&role.name, &merged.policy).await?,
                (false, _) => {}
            }
            if merged.changed {
                done.push(report.changes[0].target.clone());
            }
            for policy in to_attach {
                iam.attach_policy(&role.name, policy).await?;
                done.push(format!("policy {policy} attached"));
            }
        }
        if !patch.is_empty() && context.global.dry_run != DryRun::Client {
            serviceaccount::apply(
                &cluster.client,
                &namespace,
                &args.service_account,
                account_object.is_some(),
                &patch,
                context.dry_run(),
            )
            .await?;
        }
        Ok(())
    }
    .await;
    applied.map_err(|err| err.context(half_way(&done)))?;
    report.print(context.global.output)?;
    Ok(Code::Success)
}

/// Refuse a SERVICE_ACCOUNT argument or `-n/--namespace` Kubernetes would refuse, before any call.
pub(super) fn check_names(context: &Context, service_account: &str) -> Result<()> {
    serviceaccount::check_name(NameKind::ServiceAccount, "SERVICE_ACCOUNT", service_account)
        .map_err(|err| usage(err.to_string()))?;
    if let Some(namespace) = &context.global.namespace {
        serviceaccount::check_name(NameKind::Namespace, "-n/--namespace", namespace)
            .map_err(|err| usage(err.to_string()))?;
    }
    Ok(())
}

/// What a run that failed after some writes had done, and how to finish it.
pub(super) fn half_way(done: &[String]) -> String {
    if done.is_empty() {
        "nothing was changed".to_owned()
    } else {
        format!(
            "stopped half way after writing {}; re-run the same command to finish",
            done.join(", ")
        )
    }
}

/// A `--subject-pattern`, which must name ServiceAccounts and hold a wildcard.
pub(super) fn subject_pattern(pattern: &str) -> Result<Subject> {
    if !pattern.starts_with("system:serviceaccount:") {
        return Err(usage(format!(
            "--subject-pattern {:?} must start with system:serviceaccount: (e.g. \
             'system:serviceaccount:ns:prefix-*')",
            echo_input(pattern)
        )));
    }
    match Subject::from_text(pattern) {
        Subject::Exact(_) => Err(usage(format!(
            "--subject-pattern {:?} has no wildcard (* or ?): bind the ServiceAccount by name instead",
            echo_input(pattern)
        ))),
        pattern => Ok(pattern),
    }
}

/// The ServiceAccount as it will be, for `--dry-run`.
fn service_account_manifest(
    namespace: &str,
    name: &str,
    annotations: &std::collections::BTreeMap<String, String>,
) -> Result<String> {
    #[derive(serde::Serialize)]
    struct Metadata<'a> {
        name: &'a str,
        namespace: &'a str,
        annotations: &'a std::collections::BTreeMap<String, String>,
    }
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Manifest<'a> {
        api_version: &'static str,
        kind: &'static str,
        metadata: Metadata<'a>,
    }
    let manifest = Manifest {
        api_version: "v1",
        kind: "ServiceAccount",
        metadata: Metadata {
            name,
            namespace,
            annotations,
        },
    };
    Ok(serde_yaml::to_string(&manifest)?)
}

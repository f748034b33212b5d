//! The IAM edge of a binding: naming a role (a name or an ARN) and a managed policy
//! (its ARN), checked here once, finding the account
//! (STS GetCallerIdentity when only a name is given), and the IAM calls `bind` and
//! `unbind` make: read a role and its trust policy, create it, replace its trust policy,
//! attach managed policies, delete it. Merging trust policies is `trust`'s job; this
//! module only moves documents.

use aws_config::SdkConfig;
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata};
use awsoidc_credential_process::secret::echo_input;

use crate::trust::{PolicyDocument, TrustError};

/// Why a role cannot be named, read or written.
#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    #[error(
        "role {0:?} is neither a role name (1 to 64 of A-Z a-z 0-9 +=,.@_-) nor a role ARN \
         (arn:PARTITION:iam::ACCOUNT12:role/[PATH/]NAME)"
    )]
    InvalidRole(String),
    #[error(
        "{flag} {shown:?} is not an IAM role ARN: use arn:PARTITION:iam::ACCOUNT12:role/[PATH/]NAME, e.g. arn:aws:iam::123456789012:role/reader"
    )]
    InvalidRoleArn { flag: String, shown: String },
    #[error(
        "--policy-arn {0:?} is not an IAM policy ARN: use arn:PARTITION:iam::ACCOUNT12:policy/[PATH/]NAME or arn:aws:iam::aws:policy/NAME for an AWS managed policy"
    )]
    InvalidPolicyArn(String),
    #[error("failed to find the AWS account with STS GetCallerIdentity (pass --account-id): {0}")]
    CallerIdentity(String),
    #[error("failed to {action} {target}: {message}")]
    Call {
        action: &'static str,
        target: String,
        message: String,
    },
    #[error("failed to read the trust policy of role {role}: {cause}")]
    Trust { role: String, cause: TrustError },
}

/// A role as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRef {
    /// The role name IAM's API takes (the last part of the ARN, without the path).
    pub name: String,
    /// The account, when the user gave an ARN.
    pub account: Option<String>,
    /// The ARN, when the user gave one (it may carry a path).
    pub arn: Option<String>,
}

impl RoleRef {
    /// Parse a role name or a role ARN (`arn:PARTITION:iam::ACCOUNT:role[/PATH]/NAME`).
    pub fn parse(text: &str) -> Result<Self, RoleError> {
        if text.starts_with("arn:") {
            return Self::parse_arn(text).ok_or_else(|| RoleError::InvalidRole(echo_input(text)));
        }
        if !is_role_name(text) {
            return Err(RoleError::InvalidRole(echo_input(text)));
        }
        Ok(Self {
            name: text.to_owned(),
            account: None,
            arn: None,
        })
    }

    /// Require a role ARN (a name alone is not enough), as `flag` gave it.
    pub fn require_arn(flag: &str, text: &str) -> Result<Self, RoleError> {
        Self::parse_arn(text).ok_or_else(|| RoleError::InvalidRoleArn {
            flag: flag.to_owned(),
            shown: echo_input(text),
        })
    }

    fn parse_arn(text: &str) -> Option<Self> {
        let (account, name) = split_iam_arn(text, "role", is_account_id)?;
        is_role_name(name).then(|| Self {
            name: name.to_owned(),
            account: Some(account.to_owned()),
            arn: Some(text.to_owned()),
        })
    }

    /// The role's ARN in `account` (the given ARN when there is one).
    pub fn arn_in(&self, account: &str) -> String {
        self.arn
            .clone()
            .unwrap_or_else(|| format!("arn:aws:iam::{account}:role/{}", self.name))
    }
}

/// The account and the name of `arn:PARTITION:iam::ACCOUNT:TYPE/[PATH/]NAME`, when the
/// partition is lowercase letters, digits and dashes and every path segment is made of
/// IAM name characters (a subset of what IAM allows in paths: nothing a shell or an INI
/// file would read specially).
fn split_iam_arn<'a>(
    text: &'a str,
    resource_type: &str,
    account_ok: impl Fn(&str) -> bool,
) -> Option<(&'a str, &'a str)> {
    let parts: Vec<&str> = text.strip_prefix("arn:")?.splitn(5, ':').collect();
    let [partition, "iam", "", account, resource] = parts.as_slice() else {
        return None;
    };
    let partition_ok = partition.starts_with("aws")
        && partition
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let rest = resource.strip_prefix(resource_type)?.strip_prefix('/')?;
    let (path, name) = rest.rsplit_once('/').unwrap_or(("", rest));
    let path_ok = path.is_empty() || path.split('/').all(is_role_name);
    (partition_ok && account_ok(account) && path_ok).then_some((*account, name))
}

/// IAM role names: 1..64 of ASCII letters, digits and `+=,.@_-`.
fn is_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(is_iam_name_char)
}

fn is_iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// Check a `--policy-arn`: `arn:PARTITION:iam::ACCOUNT:policy/[PATH/]NAME`, the account
/// 12 digits or `aws` (AWS managed policies), the name 1..128 IAM name characters.
pub fn check_policy_arn(text: &str) -> Result<(), RoleError> {
    let valid = split_iam_arn(text, "policy", |account| {
        is_account_id(account) || account == "aws"
    })
    .is_some_and(|(_, name)| (1..=128).contains(&name.len()) && name.chars().all(is_iam_name_char));
    if valid {
        Ok(())
    } else {
        Err(RoleError::InvalidPolicyArn(echo_input(text)))
    }
}

/// Whether `account` is a 12-digit AWS account id.
pub fn is_account_id(account: &str) -> bool {
    account.len() == 12 && account.chars().all(|c| c.is_ascii_digit())
}

/// The account the AWS credentials belong to.
pub async fn caller_account(sdk: &SdkConfig) -> Result<String, RoleError> {
    let output = aws_sdk_sts::Client::new(sdk)
        .get_caller_identity()
        .send()
        .await
        .map_err(|err| RoleError::CallerIdentity(aws_message(&err)))?;
    output
        .account()
        .map(str::to_owned)
        .ok_or_else(|| RoleError::CallerIdentity("no account in the answer".into()))
}

/// A role as IAM has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub arn: String,
    pub trust: PolicyDocument,
}

/// The IAM calls of `bind` and `unbind`.
pub struct Iam {
    client: aws_sdk_iam::Client,
}

fn call_failed<E: std::error::Error + ProvideErrorMetadata>(
    action: &'static str,
    target: &str,
) -> impl FnOnce(E) -> RoleError {
    let target = target.to_owned();
    move |err| RoleError::Call {
        action,
        target,
        message: aws_message(&err),
    }
}

/// AWS's own code and message for a failed call, else the whole error chain.
fn aws_message<E: std::error::Error + ProvideErrorMetadata>(err: &E) -> String {
    match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => DisplayErrorContext(err).to_string(),
    }
}

impl Iam {
    pub fn new(sdk: &SdkConfig) -> Self {
        Self {
            client: aws_sdk_iam::Client::new(sdk),
        }
    }

    /// The role and its trust policy; `None` when it does not exist.
    pub async fn get_role(&self, name: &str) -> Result<Option<Role>, RoleError> {
        let target = format!("role {name}");
        let output = match self.client.get_role().role_name(name).send().await {
            Ok(output) => output,
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|err| err.is_no_such_entity_exception()) =>
            {
                return Ok(None);
            }
            Err(err) => return Err(call_failed("read", &target)(err)),
        };
        let Some(role) = output.role() else {
            return Ok(None);
        };
        let trust = match role.assume_role_policy_document() {
            Some(document) => PolicyDocument::parse(document).map_err(|cause| RoleError::Trust {
                role: name.to_owned(),
                cause,
            })?,
            None => PolicyDocument::empty(),
        };
        Ok(Some(Role {
            arn: role.arn().to_owned(),
            trust,
        }))
    }

    /// Create the role with `trust`.
    pub async fn create_role(&self, name: &str, trust: &PolicyDocument) -> Result<(), RoleError> {
        self.client
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust.to_compact_json())
            .description(
                "Assumed by Kubernetes ServiceAccounts through OIDC federation (kubectl awsoidc bind)",
            )
            .send()
            .await
            .map_err(call_failed("create", &format!("role {name}")))?;
        Ok(())
    }

    /// Replace the role's trust policy.
    pub async fn update_trust(&self, name: &str, trust: &PolicyDocument) -> Result<(), RoleError> {
        self.client
            .update_assume_role_policy()
            .role_name(name)
            .policy_document(trust.to_compact_json())
            .send()
            .await
            .map_err(call_failed("update the trust policy of", &format!("role {name}")))?;
        Ok(())
    }

    /// The ARNs of the managed policies attached to the role.
    pub async fn attached_policies(&self, name: &str) -> Result<Vec<String>, RoleError> {
        let policies: Vec<_> = self
            .client
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<_, _>>()
            .await
            .map_err(call_failed("list the policies of", &format!("role {name}")))?;
        Ok(policies
            .iter()
            .filter_map(|policy| policy.policy_arn().map(str::to_owned))
            .collect())
    }

    pub async fn attach_policy(&self, name: &str, policy_arn: &str) -> Result<(), RoleError> {
        self.client
            .attach_role_policy()
            .role_name(name)
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(call_failed(
                "attach",
                &format!("policy {policy_arn} to role {name}"),
            ))?;
        Ok(())
    }

    /// Whether the account has an IAM OIDC provider with this ARN.
    pub async fn provider_exists(&self, provider_arn: &str) -> Result<bool, RoleError> {
        match self
            .client
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(provider_arn)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|err| err.is_no_such_entity_exception()) =>
            {
                Ok(false)
            }
            Err(err) => Err(call_failed("read", &format!("OIDC provider {provider_arn}"))(err)),
        }
    }

    /// Delete the role after detaching its managed policies and deleting its inline ones
    /// (IAM refuses to delete a role that still has either).
    pub async fn delete_role(&self, name: &str) -> Result<(), RoleError> {
        let target = format!("role {name}");
        for policy_arn in self.attached_policies(name).await? {
            self.client
                .detach_role_policy()
                .role_name(name)
                .policy_arn(&policy_arn)
                .send()
                .await
                .map_err(call_failed(
                    "detach",
                    &format!("policy {policy_arn} from role {name}"),
                ))?;
        }
        let inline: Vec<String> = self
            .client
            .list_role_policies()
            .role_name(name)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<_, _>>()
            .await
            .map_err(call_failed("list the inline policies of", &target))?;
        for policy in inline {
            self.client
                .delete_role_policy()
                .role_name(name)
                .policy_name(&policy)
                .send()
                .await
                .map_err(call_failed(
                    "delete",
                    &format!("inline policy {policy} of role {name}"),
                ))?;
        }
        self.client
            .delete_role()
            .role_name(name)
            .send()
            .await
            .map_err(call_failed("delete", &target))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_arns_are_told_apart() {
        let name = RoleRef::parse("KubernetesParameterStoreRole").unwrap();
        assert_eq!(
            (name.account.clone(), name.arn_in("123456789012")),
            (
                None,
                "arn:aws:iam::123456789012:role/KubernetesParameterStoreRole".to_owned()
            )
        );
        let arn = RoleRef::parse("arn:aws:iam::210987654321:role/team/a/Reader").unwrap();
        assert_eq!(arn.name, "Reader");
        assert_eq!(arn.account.as_deref(), Some("210987654321"));
        assert_eq!(
            arn.arn_in("ignored"),
            "arn:aws:iam::210987654321:role/team/a/Reader"
        );
        assert!(RoleRef::parse("arn:aws-cn:iam::210987654321:role/R").is_ok());
    }

    #[test]
    fn some_inputs_must_be_role_arns_and_the_error_names_the_flag() {
        assert!(RoleRef::require_arn("--role-arn", "arn:aws:iam::210987654321:role/p/R").is_ok());
        let jwt = format!("eyJhbGciOiJSUzI1NiJ9.{}.sig", "x".repeat(300));
        for bad in ["", "reader", "notarn", jwt.as_str()] {
            let err = RoleRef::require_arn("--role-arn", bad).unwrap_err().to_string();
            assert!(err.starts_with("--role-arn "), "{err}");
            assert!(err.contains("arn:PARTITION:iam::ACCOUNT12:role/"), "{err}");
            assert!(
                !err.contains("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
                "{err}"
            );
        }
    }

    #[test]
    fn policy_arns_are_checked() {
        for good in [
            "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
            "arn:aws-cn:iam::210987654321:policy/team/Reader",
        ] {
            assert!(check_policy_arn(good).is_ok(), "{good}");
        }
        for bad in [
            "notanarn",
            "",
            "arn:aws:iam::210987654321:role/R",
            "arn:aws:iam::12:policy/P",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::aws:policy/",
        ] {
            let err = check_policy_arn(bad).unwrap_err().to_string();
            assert!(err.starts_with("--policy-arn "), "{err}");
        }
    }

    #[test]
    fn malformed_roles_are_refused() {
        for bad in [
            "",
            "has space",
            "arn:aws:iam::12:role/R",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::210987654321:user/u",
            &"x".repeat(65),
            &format!("arn:aws:iam::210987654321:role/{}", "x".repeat(65)),
            "arn:aws:iam::210987654321:role/rôle",
            "arn:aws:iam::210987654321:role/x; touch /tmp/pwn",
            "arn:aws:iam::210987654321:role/",
            "arn:aws:iam::210987654321:role/a//b",
            "arn:AWS:iam::210987654321:role/R",
            "arn:aws:iam::210987654321:rolex/R",
        ] {
            assert!(
                matches!(RoleRef::parse(bad), Err(RoleError::InvalidRole(_))),
                "{bad}"
            );
        }
        let jwt = format!("eyJhbGciOiJSUzI1NiJ9.{}.sig", "x".repeat(300));
        let err = RoleRef::parse(&jwt).unwrap_err().to_string();
        assert!(err.starts_with("role \"<a JWT of"), "{err}");
    }
}

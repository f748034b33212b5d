//! Link 6, the role's trust policy: judged locally the way IAM judges it (the rules are
//! `crate::trust`'s: principal, action, `StringEquals` vs `StringLike`), and flagged when
//! it lets in more than this ServiceAccount (failure kind E). Also the role as `doctor`
//! reads it from a policy document or the JSON of `aws iam get-role`.

use serde_json::Value;

use super::{Check, CheckId, Input, Inputs};
use crate::trust::{self, PolicyDocument};
use awsoidc_credential_process::contract::service_account_subject;

/// A role and its trust policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    /// The role's ARN, when the input carried it (`get-role` does, a bare policy does not).
    pub arn: Option<String>,
    pub policy: PolicyDocument,
}

impl Role {
    /// Read a trust policy document or the JSON of `aws iam get-role`.
    pub fn parse(text: &str) -> Result<Self, trust::TrustError> {
        let policy = PolicyDocument::parse(text)?;
        let arn = serde_json::from_str::<Value>(text).ok().and_then(|value| {
            let role = value.get("Role").unwrap_or(&value);
            role.get("Arn").and_then(Value::as_str).map(str::to_owned)
        });
        Ok(Self { arn, policy })
    }

    /// The role's name (the last path segment of its ARN).
    pub fn name(&self) -> Option<&str> {
        self.arn
            .as_deref()?
            .split_once(":role/")
            .map(|(_, path)| path.rsplit('/').next().unwrap_or(path))
    }

    /// The account the role lives in, which is where its provider must be.
    pub fn account(&self) -> Option<&str> {
        self.arn
            .as_deref()?
            .split(':')
            .nth(4)
            .filter(|account| !account.is_empty())
    }
}

/// The provider URLs (`host/path`, no scheme) the policy's Federated principals name.
pub fn federated_providers(policy: &PolicyDocument) -> Vec<String> {
    policy
        .statements
        .iter()
        .flat_map(|statement| federated_arns(statement.principal.as_ref()))
        .filter_map(|arn| arn.split_once(":oidc-provider/").map(|(_, url)| url.to_owned()))
        .collect()
}

fn federated_arns(principal: Option<&Value>) -> Vec<String> {
    match principal.and_then(|principal| principal.get("Federated")) {
        Some(Value::String(arn)) => vec![arn.clone()],
        Some(Value::Array(arns)) => arns.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// The `...:sub` / `...:aud` condition keys of statements whose Federated principal is
/// the provider for `provider_url` (compared without a trailing slash, so a near miss is
/// still found and named).
pub fn condition_keys_for(policy: &PolicyDocument, provider_url: &str) -> Vec<String> {
    let wanted = provider_url.trim_end_matches('/');
    let mut keys = Vec::new();
    for statement in &policy.statements {
        let for_provider = federated_arns(statement.principal.as_ref()).iter().any(|arn| {
            arn.split_once(":oidc-provider/")
                .is_some_and(|(_, url)| url.trim_end_matches('/') == wanted)
        });
        let Some(Value::Object(operators)) = statement.condition.as_ref().filter(|_| for_provider) else {
            continue;
        };
        for conditions in operators.values().filter_map(Value::as_object) {
            keys.extend(
                conditions
                    .keys()
                    .filter(|key| key.ends_with(":sub") || key.ends_with(":aud"))
                    .cloned(),
            );
        }
    }
    keys
}

/// `kubectl awsoidc bind NAME ROLE -n NS`, filled in as far as the inputs allow.
pub(super) fn bind_fix(inputs: &Inputs, role: &Role) -> String {
    let (namespace, name) = inputs
        .subject_account()
        .unwrap_or_else(|| ("NAMESPACE".into(), "SERVICEACCOUNT".into()));
    let role_name = role
        .name()
        .map(str::to_owned)
        .or_else(|| {
            inputs
                .service_account
                .given()
                .and_then(|account| account.role_arn.clone())
        })
        .unwrap_or_else(|| "ROLE".to_owned());
    format!("kubectl awsoidc bind {name} {role_name} -n {namespace}")
}

/// The account whose provider the policy must trust: the role's, else the provider's.
fn account(inputs: &Inputs, role: &Role) -> Option<String> {
    role.account().map(str::to_owned).or_else(|| {
        let provider = inputs.provider.given()?.as_ref()?;
        provider.arn.as_deref()?.split(':').nth(4).map(str::to_owned)
    })
}

pub fn checks(inputs: &Inputs) -> Vec<Check> {
    let role = match &inputs.role {
        Input::Given(role) => role,
        Input::Broken(why) => {
            let missing = Role {
                arn: None,
                policy: PolicyDocument::empty(),
            };
            return vec![
                Check::fail(
                    CheckId::TrustAllows,
                    why.clone(),
                    format!("{} --create-role", bind_fix(inputs, &missing)),
                ),
                Check::skip(CheckId::TrustTooWide, why.clone()),
            ];
        }
        Input::Missing(why) => {
            return vec![
                Check::skip(CheckId::TrustAllows, why.clone()),
                Check::skip(CheckId::TrustTooWide, why.clone()),
            ];
        }
    };
    let Some(issuer) = inputs.valid_issuer() else {
        let why = "no valid issuer (see issuer.url)";
        return vec![
            Check::skip(CheckId::TrustAllows, why),
            Check::skip(CheckId::TrustTooWide, why),
        ];
    };
    // Without the account, the provider ARN is taken from the policy itself when it
    // names this issuer's provider: the account is then the only unknown part.
    let provider_arn = match account(inputs, role) {
        Some(account) => issuer.provider_arn(&account),
        None => role
            .policy
            .statements
            .iter()
            .flat_map(|statement| federated_arns(statement.principal.as_ref()))
            .find(|arn| arn.ends_with(&format!(":oidc-provider/{}", issuer.provider_url())))
            .unwrap_or_else(|| issuer.provider_arn("ACCOUNT")),
    };
    let fix = bind_fix(inputs, role);
    let sub = inputs
        .token
        .given()
        .and_then(|token| token.jwt.claims.sub.clone())
        .or_else(|| {
            inputs
                .subject_account()
                .map(|(namespace, name)| service_account_subject(&namespace, &name))
        });
    let aud = inputs
        .token
        .given()
        .and_then(|token| {
            token
                .jwt
                .claims
                .aud
                .iter()
                .find(|aud| **aud == inputs.audience)
                .or(token.jwt.claims.aud.first())
                .cloned()
        })
        .unwrap_or_else(|| inputs.audience.clone());
    let allows = match &sub {
        None => Check::skip(
            CheckId::TrustAllows,
            "no ServiceAccount known: name one, or give --token",
        ),
        Some(sub) => {
            let evaluation = trust::evaluate(&role.policy, &provider_arn, &issuer, sub, &aud);
            if evaluation.allowed {
                let statement = evaluation
                    .statement
                    .map(|index| format!("statement {index}"))
                    .unwrap_or_default();
                Check::pass(
                    CheckId::TrustAllows,
                    format!("{statement} allows sub {sub:?} with aud {aud:?}"),
                )
            } else {
                let why = if evaluation.findings.is_empty() {
                    format!(
                        "no statement trusts {provider_arn} for {}",
                        trust::WEB_IDENTITY_ACTION
                    )
                } else {
                    evaluation.findings.join("; ")
                };
                Check::fail(
                    CheckId::TrustAllows,
                    format!("the trust policy does not let sub {sub:?} with aud {aud:?} in: {why}"),
                    fix.clone(),
                )
            }
        }
    };
    let wide = trust::too_wide(&role.policy, &provider_arn, &issuer);
    let too_wide = if wide.is_empty() {
        Check::pass(
            CheckId::TrustTooWide,
            "every statement for the provider names its ServiceAccounts and audience",
        )
    } else {
        let role_name = role.name().unwrap_or("ROLE");
        Check::warn(
            CheckId::TrustTooWide,
            wide.join("; "),
            format!(
                "{fix}   # adds the exact sub and aud; then drop the wide statement: aws iam \
                 update-assume-role-policy --role-name {role_name} --policy-document file://trust.json"
            ),
        )
    };
    vec![allows, too_wide]
}

//! Link 7, the ServiceAccount: it carries the role annotation, and the annotation names
//! the role whose trust policy was checked. Also the ServiceAccount as `doctor` reads it
//! from `kubectl get serviceaccount -o yaml`.

use k8s_openapi::api::core::v1::ServiceAccount;

use super::{Check, CheckId, Inputs};
use crate::serviceaccount::ROLE_ARN_ANNOTATION;

/// What `doctor` needs of a ServiceAccount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccountInfo {
    pub namespace: String,
    pub name: String,
    /// The value of [`ROLE_ARN_ANNOTATION`], if set.
    pub role_arn: Option<String>,
}

impl ServiceAccountInfo {
    pub fn from_object(account: &ServiceAccount) -> Self {
        let metadata = &account.metadata;
        Self {
            namespace: metadata.namespace.clone().unwrap_or_else(|| "default".to_owned()),
            name: metadata.name.clone().unwrap_or_default(),
            role_arn: metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(ROLE_ARN_ANNOTATION))
                .cloned(),
        }
    }

    /// Read `kubectl get serviceaccount NAME -o yaml` (or JSON).
    pub fn parse(text: &str) -> Result<Self, serde_yaml::Error> {
        serde_yaml::from_str::<ServiceAccount>(text).map(|account| Self::from_object(&account))
    }
}

pub fn checks(inputs: &Inputs) -> Vec<Check> {
    let id = CheckId::ServiceAccountAnnotation;
    let account = match &inputs.service_account {
        super::Input::Given(account) => account,
        super::Input::Broken(why) => {
            let (namespace, name) = inputs
                .subject_account()
                .unwrap_or_else(|| ("NAMESPACE".into(), "SERVICEACCOUNT".into()));
            return vec![Check::fail(
                id,
                why.clone(),
                format!("kubectl awsoidc bind {name} ROLE -n {namespace}"),
            )];
        }
        super::Input::Missing(why) => return vec![Check::skip(id, why.clone())],
    };
    let role_arn = inputs.role.given().and_then(|role| role.arn.clone());
    let role = role_arn
        .as_deref()
        .map(|arn| arn.rsplit('/').next().unwrap_or(arn))
        .unwrap_or("ROLE");
    let fix = format!(
        "kubectl awsoidc bind {} {role} -n {}",
        account.name, account.namespace
    );
    let check = match (&account.role_arn, &role_arn) {
        (None, _) => Check::fail(
            id,
            format!(
                "{}/{} has no {ROLE_ARN_ANNOTATION} annotation",
                account.namespace, account.name
            ),
            fix,
        ),
        (Some(annotated), Some(role_arn)) if annotated != role_arn => Check::fail(
            id,
            format!(
                "{}/{} is annotated with {annotated:?}, but the role checked is {role_arn:?}",
                account.namespace, account.name
            ),
            fix,
        ),
        (Some(annotated), _) => Check::pass(
            id,
            format!("{}/{} assumes {annotated}", account.namespace, account.name),
        ),
    };
    vec![check]
}

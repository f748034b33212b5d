//! The ServiceAccount side of a binding: the annotation names AWS's tooling reads
//! (defined here once), the marker recording which of them `bind` set so `unbind`
//! removes exactly those, the pure planning of annotation changes, and applying them
//! through the kube client. Annotations and labels bind did not write are never touched.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, ObjectMeta, Patch, PatchParams, PostParams};

/// The IAM role the ServiceAccount's pods assume (read by EKS's pod identity webhook and by `inject`).
pub const ROLE_ARN_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
/// The token audience, when not the default `sts.amazonaws.com`.
pub const AUDIENCE_ANNOTATION: &str = "eks.amazonaws.com/audience";
/// The projected token's lifetime in seconds, when not the default.
pub const TOKEN_EXPIRATION_ANNOTATION: &str = "eks.amazonaws.com/token-expiration";
/// Which of the annotations above `bind` set (comma-separated keys): `unbind` removes only these.
pub const BOUND_ANNOTATION: &str = "kubectl-awsoidc/bound-annotations";

/// Why a ServiceAccount cannot be bound or read.
#[derive(Debug, thiserror::Error)]
pub enum ServiceAccountError {
    #[error(
        "serviceaccount {name} is already annotated {key}={current}, which bind did not set; to replace it, \
         remove it first: kubectl annotate serviceaccount {name} {key}-"
    )]
    Foreign {
        name: String,
        key: String,
        current: String,
    },
    #[error("failed to {action} serviceaccount {namespace}/{name}: {message}")]
    Kube {
        action: &'static str,
        namespace: String,
        name: String,
        message: String,
    },
}

/// The annotations a binding wants on the ServiceAccount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub role_arn: String,
    /// Set only when not the default audience.
    pub audience: Option<String>,
    /// Set only when not the default lifetime.
    pub token_expiration: Option<u32>,
}

impl Wanted {
    fn entries(&self) -> Vec<(&'static str, String)> {
        let mut entries = vec![(ROLE_ARN_ANNOTATION, self.role_arn.clone())];
        entries.extend(
            self.audience
                .clone()
                .map(|audience| (AUDIENCE_ANNOTATION, audience)),
        );
        entries.extend(
            self.token_expiration
                .map(|seconds| (TOKEN_EXPIRATION_ANNOTATION, seconds.to_string())),
        );
        entries
    }
}

/// Annotation changes: a key set to a value, or removed (`None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnnotationPatch {
    pub changes: BTreeMap<String, Option<String>>,
}

impl AnnotationPatch {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The JSON merge patch of the ServiceAccount (null removes a key).
    pub fn to_merge_patch(&self) -> serde_json::Value {
        serde_json::json!({ "metadata": { "annotations": self.changes } })
    }

    /// One line per change against `current`, for the plan.
    pub fn describe(&self, current: &BTreeMap<String, String>) -> String {
        self.changes
            .iter()
            .filter(|(key, _)| key.as_str() != BOUND_ANNOTATION)
            .map(|(key, value)| match (current.get(key), value) {
                (None, Some(value)) => format!("+ {key}: {value}"),
                (Some(old), Some(value)) => format!("~ {key}: {old} -> {value}"),
                (_, None) => format!("- {key}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `current` with the patch applied.
    pub fn apply_to(&self, current: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut result = current.clone();
        for (key, value) in &self.changes {
            match value {
                Some(value) => result.insert(key.clone(), value.clone()),
                None => result.remove(key),
            };
        }
        result
    }
}

fn bound_keys(current: &BTreeMap<String, String>) -> Vec<String> {
    current
        .get(BOUND_ANNOTATION)
        .map(|keys| {
            keys.split(',')
                .map(str::trim)
                .filter(|key| !key.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Plan `bind`'s annotations for ServiceAccount `name` with `current` annotations: set
/// what is missing, update what bind set before, refuse to overwrite what someone else
/// set, drop what bind set before and no longer wants.
pub fn plan_bind(
    name: &str,
    current: &BTreeMap<String, String>,
    wanted: &Wanted,
) -> Result<AnnotationPatch, ServiceAccountError> {
    let previously_bound = bound_keys(current);
    let mut bound: Vec<String> = Vec::new();
    let mut patch = AnnotationPatch::default();
    let entries = wanted.entries();
    for (key, value) in &entries {
        let owned = previously_bound.iter().any(|bound| bound == key);
        match current.get(*key) {
            Some(existing) if existing == value => {}
            Some(existing) if !owned => {
                return Err(ServiceAccountError::Foreign {
                    name: name.to_owned(),
                    key: (*key).to_owned(),
                    current: existing.clone(),
                });
            }
            _ => {
                patch.changes.insert((*key).to_owned(), Some(value.clone()));
            }
        }
        if owned || !current.contains_key(*key) {
            bound.push((*key).to_owned());
        }
    }
    for key in &previously_bound {
        if !entries.iter().any(|(wanted, _)| wanted == key) && current.contains_key(key) {
            patch.changes.insert(key.clone(), None);
        }
    }
    let marker = bound.join(",");
    if marker.is_empty() {
        if current.contains_key(BOUND_ANNOTATION) {
            patch.changes.insert(BOUND_ANNOTATION.to_owned(), None);
        }
    } else if current.get(BOUND_ANNOTATION) != Some(&marker) {
        patch.changes.insert(BOUND_ANNOTATION.to_owned(), Some(marker));
    }
    Ok(patch)
}

/// Plan `unbind`: remove exactly the annotations the marker says bind set, and the marker.
pub fn plan_unbind(current: &BTreeMap<String, String>) -> AnnotationPatch {
    let mut patch = AnnotationPatch::default();
    for key in bound_keys(current) {
        if current.contains_key(&key) {
            patch.changes.insert(key, None);
        }
    }
    if current.contains_key(BOUND_ANNOTATION) {
        patch.changes.insert(BOUND_ANNOTATION.to_owned(), None);
    }
    patch
}

/// Whether `name` is a valid ServiceAccount name (a DNS subdomain: lowercase letters,
/// digits, `-` and `.`, starting and ending alphanumeric, at most 253 characters).
pub fn is_valid_name(name: &str) -> bool {
    let alphanumeric = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    (1..=253).contains(&name.len())
        && name.chars().all(|c| alphanumeric(c) || c == '-' || c == '.')
        && name.starts_with(alphanumeric)
        && name.ends_with(alphanumeric)
}

/// The ServiceAccount's annotations (empty when it has none).
pub fn annotations_of(account: &ServiceAccount) -> BTreeMap<String, String> {
    account.metadata.annotations.clone().unwrap_or_default()
}

/// The apiserver's own words for a failed call (its Status message), else the error.
pub fn kube_message(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => format!("{} ({})", status.message, status.code),
        other => other.to_string(),
    }
}

/// Read a ServiceAccount; `None` when it does not exist.
pub async fn get(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<Option<ServiceAccount>, ServiceAccountError> {
    Api::<ServiceAccount>::namespaced(client.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(|source| ServiceAccountError::Kube {
            action: "read",
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            message: kube_message(&source),
        })
}

/// Create the ServiceAccount with the patch's annotations, or merge-patch an existing one.
/// `server_dry_run` sends the write as an apiserver dry run.
pub async fn apply(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    exists: bool,
    patch: &AnnotationPatch,
    server_dry_run: bool,
) -> Result<(), ServiceAccountError> {
    let api = Api::<ServiceAccount>::namespaced(client.clone(), namespace);
    let failed = |action| {
        move |source| ServiceAccountError::Kube {
            action,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            message: kube_message(&source),
        }
    };
    if exists {
        let params = PatchParams {
            dry_run: server_dry_run,
            ..PatchParams::default()
        };
        api.patch(name, &params, &Patch::Merge(patch.to_merge_patch()))
            .await
            .map_err(failed("update"))?;
    } else {
        let account = ServiceAccount {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                namespace: Some(namespace.to_owned()),
                annotations: Some(patch.apply_to(&BTreeMap::new())),
                ..ObjectMeta::default()
            },
            ..ServiceAccount::default()
        };
        let params = PostParams {
            dry_run: server_dry_run,
            ..PostParams::default()
        };
        api.create(&params, &account).await.map_err(failed("create"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "arn:aws:iam::123456789012:role/reader";

    fn annotations(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn wanted(role: &str) -> Wanted {
        Wanted {
            role_arn: role.to_owned(),
            audience: None,
            token_expiration: None,
        }
    }

    #[test]
    fn bind_sets_the_role_and_the_marker_and_keeps_other_annotations() {
        let current = annotations(&[("team", "payments")]);
        let patch = plan_bind("app", &current, &wanted(ROLE)).unwrap();
        let after = patch.apply_to(&current);
        assert_eq!(
            after,
            annotations(&[
                ("team", "payments"),
                (ROLE_ARN_ANNOTATION, ROLE),
                (BOUND_ANNOTATION, ROLE_ARN_ANNOTATION)
            ])
        );
        assert!(plan_bind("app", &after, &wanted(ROLE)).unwrap().is_empty());
        assert_eq!(plan_unbind(&after).apply_to(&after), current);
    }

    #[test]
    fn a_role_annotation_someone_else_set_is_never_overwritten_or_removed() {
        let current = annotations(&[(ROLE_ARN_ANNOTATION, "arn:aws:iam::1:role/theirs")]);
        let err = plan_bind("app", &current, &wanted(ROLE)).unwrap_err();
        assert!(
            err.to_string()
                .contains("kubectl annotate serviceaccount app eks.amazonaws.com/role-arn-"),
            "{err}"
        );
        let same = annotations(&[(ROLE_ARN_ANNOTATION, ROLE)]);
        assert!(plan_bind("app", &same, &wanted(ROLE)).unwrap().is_empty());
        assert!(plan_unbind(&same).is_empty());
    }

    #[test]
    fn rebinding_updates_what_bind_set_and_drops_what_it_no_longer_wants() {
        let first = Wanted {
            audience: Some("custom".into()),
            token_expiration: Some(3600),
            ..wanted(ROLE)
        };
        let bound = plan_bind("app", &BTreeMap::new(), &first)
            .unwrap()
            .apply_to(&BTreeMap::new());
        assert_eq!(
            bound[BOUND_ANNOTATION],
            "eks.amazonaws.com/role-arn,eks.amazonaws.com/audience,eks.amazonaws.com/token-expiration"
        );
        let patch = plan_bind("app", &bound, &wanted("arn:aws:iam::123456789012:role/other")).unwrap();
        let after = patch.apply_to(&bound);
        assert_eq!(
            after,
            annotations(&[
                (ROLE_ARN_ANNOTATION, "arn:aws:iam::123456789012:role/other"),
                (BOUND_ANNOTATION, ROLE_ARN_ANNOTATION)
            ])
        );
        assert_eq!(patch.describe(&bound).lines().count(), 3);
    }

    #[test]
    fn names_must_be_dns_subdomains() {
        assert!(is_valid_name("aws-parameter-reader"));
        assert!(is_valid_name("a.b-1"));
        for bad in ["", "Upper", "-lead", "trail-", "under_score", "sp ace"] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn the_merge_patch_removes_with_null() {
        let mut patch = AnnotationPatch::default();
        patch.changes.insert("a".into(), None);
        assert_eq!(
            patch.to_merge_patch(),
            serde_json::json!({ "metadata": { "annotations": { "a": null } } })
        );
    }
}

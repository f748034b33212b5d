//! The ServiceAccount side of a binding: the annotation names AWS's tooling reads
//! (defined here once), the markers recording which of them `bind` set and which trust
//! it added to which role, so `unbind` removes exactly those, the one check of
//! ServiceAccount and namespace names (DNS-1123), the pure planning of annotation
//! changes, and applying them through the kube client. Annotations and labels bind did
//! not write are never touched.

use std::collections::BTreeMap;

use awsoidc_credential_process::secret::echo_input;
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, ObjectMeta, Patch, PatchParams, PostParams};
use serde::{Deserialize, Serialize};

/// The IAM role the ServiceAccount's pods assume (read by EKS's pod identity webhook and by `inject`).
pub const ROLE_ARN_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
/// The token audience, when not the default `sts.amazonaws.com`.
pub const AUDIENCE_ANNOTATION: &str = "eks.amazonaws.com/audience";
/// The projected token's lifetime in seconds, when not the default.
pub const TOKEN_EXPIRATION_ANNOTATION: &str = "eks.amazonaws.com/token-expiration";
/// Which of the annotations above `bind` set (comma-separated keys): `unbind` removes only these.
pub const BOUND_ANNOTATION: &str = "kubectl-awsoidc/bound-annotations";
/// The subjects `bind` added to roles' trust policies (a JSON list of [`AddedTrust`]):
/// `unbind` removes only these, so trust someone else wrote for the same ServiceAccount stays.
pub const ADDED_TRUST_ANNOTATION: &str = "kubectl-awsoidc/added-trust";

/// One subject `bind` added to one role's trust policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedTrust {
    /// The role's ARN.
    pub role: String,
    /// The `sub` value (or `StringLike` pattern) bind added.
    pub subject: String,
}

/// The trust `bind` recorded on the ServiceAccount; an unreadable marker counts as none,
/// so `unbind` then removes no trust at all.
pub fn added_trust(current: &BTreeMap<String, String>) -> Vec<AddedTrust> {
    current
        .get(ADDED_TRUST_ANNOTATION)
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default()
}

fn added_trust_change(current: &BTreeMap<String, String>, entries: &[AddedTrust]) -> Option<Option<String>> {
    let wanted = (!entries.is_empty()).then(|| serde_json::to_string(entries).unwrap_or_default());
    (current.get(ADDED_TRUST_ANNOTATION) != wanted.as_ref()).then_some(wanted)
}

/// Which Kubernetes name a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A DNS-1123 subdomain: at most 253 characters, dots allowed.
    ServiceAccount,
    /// A DNS-1123 label: at most 63 characters, no dots.
    Namespace,
}

impl NameKind {
    fn rule(self) -> &'static str {
        match self {
            Self::ServiceAccount => {
                "1 to 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
            }
            Self::Namespace => {
                "1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
            }
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::ServiceAccount => "ServiceAccount",
            Self::Namespace => "namespace",
        }
    }
}

/// A ServiceAccount or namespace name Kubernetes would refuse.
#[derive(Debug, thiserror::Error)]
#[error("{argument} {shown:?} is not a valid {noun} name: use {rule}")]
pub struct InvalidName {
    argument: String,
    shown: String,
    noun: &'static str,
    rule: &'static str,
}

/// Check `name`, given as `argument` (e.g. "-n/--namespace"), against Kubernetes' rule
/// for its kind (DNS-1123), before any call is made.
pub fn check_name(kind: NameKind, argument: &str, name: &str) -> Result<(), InvalidName> {
    let (limit, dots) = match kind {
        NameKind::ServiceAccount => (253, true),
        NameKind::Namespace => (63, false),
    };
    let alphanumeric = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let valid = (1..=limit).contains(&name.len())
        && name
            .chars()
            .all(|c| alphanumeric(c) || c == '-' || (dots && c == '.'))
        && name.starts_with(alphanumeric)
        && name.ends_with(alphanumeric);
    if valid {
        return Ok(());
    }
    Err(InvalidName {
        argument: argument.to_owned(),
        shown: echo_input(name),
        noun: kind.noun(),
        rule: kind.rule(),
    })
}

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
    /// The trust bind added (now or in an earlier run), to record; `None` when the role
    /// already trusted the subject through a statement bind did not write.
    pub added_trust: Option<AddedTrust>,
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
            .filter(|(key, _)| ![BOUND_ANNOTATION, ADDED_TRUST_ANNOTATION].contains(&key.as_str()))
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
    let mut trust = added_trust(current);
    if let Some(entry) = &wanted.added_trust
        && !trust.contains(entry)
    {
        trust.push(entry.clone());
    }
    if let Some(change) = added_trust_change(current, &trust) {
        patch.changes.insert(ADDED_TRUST_ANNOTATION.to_owned(), change);
    }
    Ok(patch)
}

/// Plan `unbind`: remove exactly the annotations the marker says bind set, the marker,
/// and `removed_trust` from the record of added trust.
pub fn plan_unbind(
    current: &BTreeMap<String, String>,
    removed_trust: Option<&AddedTrust>,
) -> AnnotationPatch {
    let mut patch = AnnotationPatch::default();
    let trust: Vec<AddedTrust> = added_trust(current)
        .into_iter()
        .filter(|entry| Some(entry) != removed_trust)
        .collect();
    if let Some(change) = added_trust_change(current, &trust) {
        patch.changes.insert(ADDED_TRUST_ANNOTATION.to_owned(), change);
    }
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
            added_trust: None,
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
        assert_eq!(plan_unbind(&after, None).apply_to(&after), current);
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
        assert!(plan_unbind(&same, None).is_empty());
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
    fn names_must_be_dns_1123_and_the_error_names_the_argument() {
        assert!(check_name(NameKind::ServiceAccount, "SA", "aws-parameter-reader").is_ok());
        assert!(check_name(NameKind::ServiceAccount, "SA", "a.b-1").is_ok());
        assert!(check_name(NameKind::Namespace, "-n", "team-1").is_ok());
        for bad in ["", "Upper", "-lead", "trail-", "under_score", "sp ace", "ünï"] {
            assert!(check_name(NameKind::ServiceAccount, "SA", bad).is_err(), "{bad}");
            assert!(check_name(NameKind::Namespace, "-n", bad).is_err(), "{bad}");
        }
        assert!(check_name(NameKind::Namespace, "-n", "a.b").is_err());
        assert!(check_name(NameKind::Namespace, "-n", &"a".repeat(64)).is_err());
        assert!(check_name(NameKind::ServiceAccount, "SA", &"a".repeat(253)).is_ok());
        let err = check_name(NameKind::Namespace, "-n/--namespace", "NoSuch_NS").unwrap_err();
        assert_eq!(
            err.to_string(),
            "-n/--namespace \"NoSuch_NS\" is not a valid namespace name: use 1 to 63 lowercase letters, \
             digits and '-', starting and ending with a letter or digit"
        );
        let jwt = format!("eyJhbGciOiJSUzI1NiJ9.{}.sig", "x".repeat(200));
        let err = check_name(NameKind::ServiceAccount, "SERVICE_ACCOUNT", &jwt).unwrap_err();
        assert!(!err.to_string().contains(&jwt[..30]), "{err}");
    }

    #[test]
    fn unbind_forgets_only_the_trust_bind_recorded() {
        let mine = AddedTrust {
            role: ROLE.into(),
            subject: "system:serviceaccount:default:app".into(),
        };
        let with_trust = Wanted {
            added_trust: Some(mine.clone()),
            ..wanted(ROLE)
        };
        let bound = plan_bind("app", &BTreeMap::new(), &with_trust)
            .unwrap()
            .apply_to(&BTreeMap::new());
        assert_eq!(added_trust(&bound), vec![mine.clone()]);
        assert!(plan_bind("app", &bound, &with_trust).unwrap().is_empty());
        // A later run that finds the subject trusted keeps the record (None adds nothing).
        assert!(plan_bind("app", &bound, &wanted(ROLE)).unwrap().is_empty());
        assert_eq!(plan_unbind(&bound, Some(&mine)).apply_to(&bound), BTreeMap::new());
        // Bind found the subject already trusted by someone else's statement: nothing recorded.
        let foreign = plan_bind("app", &BTreeMap::new(), &wanted(ROLE))
            .unwrap()
            .apply_to(&BTreeMap::new());
        assert!(added_trust(&foreign).is_empty());
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

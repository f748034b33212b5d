//! The RBAC link: one ClusterRole granting only `get` on exactly the two discovery
//! paths, bound to `system:anonymous`. kube-apiserver's bootstrap policy grants
//! discovery to `system:serviceaccounts` only, so STS (which calls without
//! credentials) needs this binding. Builders and the comparison are pure; `apply`
//! and `delete` are the cluster edge.

use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject};
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::core::ObjectMeta;

use crate::cli::DryRun;
use crate::plan::{Action, Change};
use crate::probe::{DISCOVERY_PATH, JWKS_PATH};

/// The name of both RBAC objects.
pub const NAME: &str = "kubectl-awsoidc-discovery";
/// The label marking what this tool owns (and may delete).
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "kubectl-awsoidc");
/// The field manager of every server-side apply.
pub const FIELD_MANAGER: &str = "kubectl-awsoidc";

fn metadata() -> ObjectMeta {
    ObjectMeta {
        name: Some(NAME.to_owned()),
        labels: Some([(MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned())].into()),
        ..Default::default()
    }
}

/// The ClusterRole: `get` on the two discovery paths, nothing else.
pub fn cluster_role() -> ClusterRole {
    ClusterRole {
        metadata: metadata(),
        rules: Some(vec![PolicyRule {
            non_resource_urls: Some(vec![DISCOVERY_PATH.to_owned(), JWKS_PATH.to_owned()]),
            verbs: vec!["get".to_owned()],
            ..Default::default()
        }]),
        ..Default::default()
    }
}

/// The ClusterRoleBinding of [`cluster_role`] to `system:anonymous`.
pub fn cluster_role_binding() -> ClusterRoleBinding {
    ClusterRoleBinding {
        metadata: metadata(),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".to_owned(),
            kind: "ClusterRole".to_owned(),
            name: NAME.to_owned(),
        },
        subjects: Some(vec![Subject {
            api_group: Some("rbac.authorization.k8s.io".to_owned()),
            kind: "User".to_owned(),
            name: "system:anonymous".to_owned(),
            namespace: None,
        }]),
    }
}

fn is_managed(meta: &ObjectMeta) -> bool {
    meta.labels
        .as_ref()
        .and_then(|labels| labels.get(MANAGED_BY.0))
        .is_some_and(|value| value == MANAGED_BY.1)
}

/// What applying `desired` over `existing` does.
pub fn role_action(existing: Option<&ClusterRole>, desired: &ClusterRole) -> Action {
    match existing {
        None => Action::Create,
        Some(role) if role.rules == desired.rules && is_managed(&role.metadata) => Action::Unchanged,
        Some(_) => Action::Update,
    }
}

/// What applying `desired` over `existing` does.
pub fn binding_action(existing: Option<&ClusterRoleBinding>, desired: &ClusterRoleBinding) -> Action {
    match existing {
        None => Action::Create,
        Some(binding)
            if binding.role_ref == desired.role_ref
                && binding.subjects == desired.subjects
                && is_managed(&binding.metadata) =>
        {
            Action::Unchanged
        }
        Some(_) => Action::Update,
    }
}

/// Server-side apply both objects where they differ; returns the changes.
pub async fn apply(client: &kube::Client, dry_run: DryRun) -> kube::Result<Vec<Change>> {
    let writes = dry_run != DryRun::Client;
    let params = PatchParams {
        dry_run: dry_run == DryRun::Server,
        ..PatchParams::apply(FIELD_MANAGER).force()
    };
    let roles: Api<ClusterRole> = Api::all(client.clone());
    let role = cluster_role();
    let action = role_action(roles.get_opt(NAME).await?.as_ref(), &role);
    if action != Action::Unchanged && writes {
        roles.patch(NAME, &params, &Patch::Apply(&role)).await?;
    }
    let mut changes = vec![Change::new(
        format!("clusterrole.rbac.authorization.k8s.io/{NAME}"),
        action,
    )];

    let bindings: Api<ClusterRoleBinding> = Api::all(client.clone());
    let binding = cluster_role_binding();
    let action = binding_action(bindings.get_opt(NAME).await?.as_ref(), &binding);
    if action != Action::Unchanged && writes {
        bindings.patch(NAME, &params, &Patch::Apply(&binding)).await?;
    }
    changes.push(Change::new(
        format!("clusterrolebinding.rbac.authorization.k8s.io/{NAME}"),
        action,
    ));
    Ok(changes)
}

/// Delete both objects if this tool owns them (an object of the same name without
/// the label is someone else's and stays).
pub async fn delete(client: &kube::Client, dry_run: DryRun) -> kube::Result<Vec<Change>> {
    let mut changes = Vec::new();
    let writes = dry_run != DryRun::Client;
    let params = DeleteParams {
        dry_run: dry_run == DryRun::Server,
        ..Default::default()
    };
    let bindings: Api<ClusterRoleBinding> = Api::all(client.clone());
    let target = format!("clusterrolebinding.rbac.authorization.k8s.io/{NAME}");
    changes.push(match bindings.get_opt(NAME).await? {
        Some(binding) if is_managed(&binding.metadata) => {
            if writes {
                bindings.delete(NAME, &params).await?;
            }
            Change::new(target, Action::Delete)
        }
        Some(_) => {
            Change::new(target, Action::Unchanged).with_detail("not created by kubectl-awsoidc: left alone")
        }
        None => Change::new(target, Action::Unchanged).with_detail("not found"),
    });
    let roles: Api<ClusterRole> = Api::all(client.clone());
    let target = format!("clusterrole.rbac.authorization.k8s.io/{NAME}");
    changes.push(match roles.get_opt(NAME).await? {
        Some(role) if is_managed(&role.metadata) => {
            if writes {
                roles.delete(NAME, &params).await?;
            }
            Change::new(target, Action::Delete)
        }
        Some(_) => {
            Change::new(target, Action::Unchanged).with_detail("not created by kubectl-awsoidc: left alone")
        }
        None => Change::new(target, Action::Unchanged).with_detail("not found"),
    });
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_grants_get_on_exactly_the_two_paths() {
        let rules = cluster_role().rules.unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].verbs, ["get"]);
        assert_eq!(
            rules[0].non_resource_urls.as_deref().unwrap(),
            [DISCOVERY_PATH, JWKS_PATH]
        );
        assert!(rules[0].resources.is_none());
    }

    #[test]
    fn an_identical_managed_object_is_unchanged_and_a_drifted_one_updated() {
        let desired = cluster_role();
        assert_eq!(role_action(None, &desired), Action::Create);
        assert_eq!(role_action(Some(&desired), &desired), Action::Unchanged);
        let mut drifted = desired.clone();
        drifted.rules.as_mut().unwrap()[0].verbs.push("list".into());
        assert_eq!(role_action(Some(&drifted), &desired), Action::Update);
        let binding = cluster_role_binding();
        assert_eq!(binding_action(Some(&binding), &binding), Action::Unchanged);
    }
}

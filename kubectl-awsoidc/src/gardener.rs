//! The Gardener link: recognising a shoot from inside it (`kube-system/shoot-info`)
//! and turning on anonymous access to the two discovery paths through its Shoot in
//! the garden.
//!
//! - Kubernetes < 1.32: `spec.kubernetes.kubeAPIServer.enableAnonymousAuthentication: true`.
//! - 1.32 and later: an AuthenticationConfiguration whose `anonymous` section allows only the
//!   two paths, in the ConfigMap (key `config.yaml`) that
//!   `spec.kubernetes.kubeAPIServer.structuredAuthentication.configMapName` names —
//!   merged into the one the shoot already references (its JWT authenticators stay).
//!   The legacy field must not coexist with an anonymous section and is forbidden
//!   from 1.35, so enabling structured mode migrates away from it.
//!
//! What `enable` added is recorded in an annotation on the Shoot ([`RECORD_ANNOTATION`])
//! so `disable` removes exactly that. Planning is pure over the Shoot's JSON and the
//! ConfigMap's text; [`Garden`] is the edge.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use serde_yaml::{Mapping, Value as Yaml};

use crate::cli::{AnonymousMode, DryRun};
use crate::plan::{Action, Change};
use crate::probe::{DISCOVERY_PATH, JWKS_PATH};
use crate::rbac::FIELD_MANAGER;

/// Where the Shoot records what `enable` changed (JSON of [`EnableRecord`]).
pub const RECORD_ANNOTATION: &str = "kubectl-awsoidc/enabled";
/// The annotation that asks gardenlet to reconcile now.
pub const OPERATION_ANNOTATION: &str = "gardener.cloud/operation";
/// The ConfigMap key Gardener reads the AuthenticationConfiguration from.
pub const CONFIG_KEY: &str = "config.yaml";

/// Why a shoot cannot be planned.
#[derive(Debug, thiserror::Error)]
pub enum GardenerError {
    #[error("kube-system/shoot-info lacks {0}: is this a Gardener shoot?")]
    ShootInfoField(&'static str),
    #[error("invalid Kubernetes version {0:?} (expected MAJOR.MINOR[.PATCH])")]
    Version(String),
    #[error(
        "--anonymous-mode legacy is forbidden on Kubernetes {0} (enableAnonymousAuthentication is removed from 1.35): use --anonymous-mode structured"
    )]
    LegacyForbidden(Version),
    #[error(
        "--anonymous-mode structured needs Kubernetes >= 1.32 (the shoot runs {0}): use --anonymous-mode legacy"
    )]
    StructuredUnsupported(Version),
    #[error("the ConfigMap {name} holds no valid AuthenticationConfiguration under {CONFIG_KEY}: {reason}")]
    Config { name: String, reason: String },
    #[error(
        "the annotation {RECORD_ANNOTATION} on the Shoot is not valid JSON: {0}; fix or remove it by hand"
    )]
    Record(serde_json::Error),
}

/// A Kubernetes version, compared numerically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub fn parse(text: &str) -> Result<Self, GardenerError> {
        let bad = || GardenerError::Version(text.to_owned());
        let core = text.trim().trim_start_matches('v');
        let core = core.split(['-', '+']).next().unwrap_or_default();
        let mut parts = core.split('.').map(|part| part.parse::<u32>().map_err(|_| bad()));
        let major = parts.next().ok_or_else(bad)??;
        let minor = parts.next().ok_or_else(bad)??;
        let patch = parts.next().transpose()?.unwrap_or(0);
        Ok(Self { major, minor, patch })
    }

    fn at_least(self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// What gardenlet writes into every shoot's `kube-system/shoot-info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShootInfo {
    pub shoot_name: String,
    pub project_name: String,
    pub kubernetes_version: Version,
}

impl ShootInfo {
    pub fn from_data(data: &BTreeMap<String, String>) -> Result<Self, GardenerError> {
        let field = |key: &'static str| {
            data.get(key)
                .filter(|value| !value.is_empty())
                .cloned()
                .ok_or(GardenerError::ShootInfoField(key))
        };
        Ok(Self {
            shoot_name: field("shootName")?,
            project_name: field("projectName")?,
            kubernetes_version: Version::parse(&field("kubernetesVersion")?)?,
        })
    }

    /// The project namespace in the garden, by Gardener's convention.
    pub fn project_namespace(&self) -> String {
        format!("garden-{}", self.project_name)
    }
}

/// How anonymous access is turned on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Legacy,
    Structured,
}

/// Resolve `--anonymous-mode` for a shoot's version.
pub fn choose_mode(requested: AnonymousMode, version: Version) -> Result<Mode, GardenerError> {
    match requested {
        AnonymousMode::Auto if version.at_least(1, 32) => Ok(Mode::Structured),
        AnonymousMode::Auto => Ok(Mode::Legacy),
        AnonymousMode::Legacy if version.at_least(1, 35) => Err(GardenerError::LegacyForbidden(version)),
        AnonymousMode::Legacy => Ok(Mode::Legacy),
        AnonymousMode::Structured if !version.at_least(1, 32) => {
            Err(GardenerError::StructuredUnsupported(version))
        }
        AnonymousMode::Structured => Ok(Mode::Structured),
    }
}

/// What `enable` changed on a shoot, so `disable` undoes exactly that.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnableRecord {
    /// `enableAnonymousAuthentication` was set to true by enable.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub set_legacy: bool,
    /// `enableAnonymousAuthentication: true` was removed by enable (migration).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed_legacy: bool,
    /// The structured-authentication ConfigMap enable wrote to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<String>,
    /// enable created that ConfigMap and pointed the shoot at it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub created_config_map: bool,
    /// enable added the whole `anonymous` section.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub added_anonymous_section: bool,
    /// Paths enable added to an `anonymous` section that was already there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added_conditions: Vec<String>,
}

impl EnableRecord {
    fn merge(mut self, later: EnableRecord) -> Self {
        self.set_legacy |= later.set_legacy;
        self.removed_legacy |= later.removed_legacy;
        self.config_map = self.config_map.or(later.config_map);
        self.created_config_map |= later.created_config_map;
        self.added_anonymous_section |= later.added_anonymous_section;
        for path in later.added_conditions {
            if !self.added_conditions.contains(&path) {
                self.added_conditions.push(path);
            }
        }
        self
    }
}

/// The writes a plan makes in the garden.
#[derive(Debug, Clone, PartialEq)]
pub struct ShootPlan {
    /// A JSON merge patch for the Shoot, when it must change.
    pub shoot_patch: Option<Value>,
    /// The ConfigMap's new `config.yaml` (None: delete the ConfigMap), when it must change.
    pub config_map: Option<ConfigMapWrite>,
    /// Human-readable notes (what was found and kept).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigMapWrite {
    pub name: String,
    /// The new `config.yaml`; `None` deletes the ConfigMap (enable had created it).
    pub config: Option<String>,
    pub create: bool,
}

impl ShootPlan {
    pub fn is_unchanged(&self) -> bool {
        self.shoot_patch.is_none() && self.config_map.is_none()
    }
}

fn kube_apiserver(shoot: &Value) -> &Value {
    &shoot["spec"]["kubernetes"]["kubeAPIServer"]
}

/// The name of the structured-authentication ConfigMap the shoot references.
pub fn referenced_config_map(shoot: &Value) -> Option<&str> {
    kube_apiserver(shoot)["structuredAuthentication"]["configMapName"].as_str()
}

fn existing_record(shoot: &Value) -> Result<Option<EnableRecord>, GardenerError> {
    shoot["metadata"]["annotations"][RECORD_ANNOTATION]
        .as_str()
        .map(|text| serde_json::from_str(text).map_err(GardenerError::Record))
        .transpose()
}

fn the_two_paths() -> [&'static str; 2] {
    [DISCOVERY_PATH, JWKS_PATH]
}

/// The AuthenticationConfiguration apiVersion a new ConfigMap gets.
fn config_api_version(version: Version) -> &'static str {
    if version.at_least(1, 34) {
        "apiserver.config.k8s.io/v1"
    } else {
        "apiserver.config.k8s.io/v1beta1"
    }
}

/// Add anonymous access to the two paths into an AuthenticationConfiguration
/// (text), keeping everything else. Returns the new text and what was added.
pub fn merge_anonymous(
    config: Option<&str>,
    name: &str,
    version: Version,
) -> Result<(String, EnableRecord, Vec<String>), GardenerError> {
    let bad = |reason: String| GardenerError::Config {
        name: name.to_owned(),
        reason,
    };
    let mut document: Mapping = match config {
        Some(text) => serde_yaml::from_str(text).map_err(|err| bad(err.to_string()))?,
        None => {
            let mut fresh = Mapping::new();
            fresh.insert("apiVersion".into(), config_api_version(version).into());
            fresh.insert("kind".into(), "AuthenticationConfiguration".into());
            fresh
        }
    };
    if document.get("kind").and_then(Yaml::as_str) != Some("AuthenticationConfiguration") {
        return Err(bad("kind is not AuthenticationConfiguration".to_owned()));
    }
    let mut record = EnableRecord::default();
    let mut notes = Vec::new();
    let conditions: Vec<Yaml> = the_two_paths().iter().map(|path| condition(path)).collect();
    match document.get_mut("anonymous") {
        None => {
            let mut section = Mapping::new();
            section.insert("enabled".into(), true.into());
            section.insert("conditions".into(), Yaml::Sequence(conditions));
            document.insert("anonymous".into(), Yaml::Mapping(section));
            record.added_anonymous_section = true;
        }
        Some(Yaml::Mapping(section)) => {
            let enabled = section.get("enabled").and_then(Yaml::as_bool) == Some(true);
            let existing = section
                .get("conditions")
                .and_then(Yaml::as_sequence)
                .cloned()
                .unwrap_or_default();
            if enabled && existing.is_empty() {
                notes.push(format!(
                    "the ConfigMap {name} already allows anonymous requests on every path: left as it is \
                     (`kubectl awsoidc doctor` flags this as too wide)"
                ));
                return Ok((
                    serde_yaml::to_string(&document).map_err(|err| bad(err.to_string()))?,
                    record,
                    notes,
                ));
            }
            if !enabled {
                return Err(bad(
                    "its anonymous section is disabled on purpose; enable it there or remove the section"
                        .to_owned(),
                ));
            }
            let mut merged = existing.clone();
            for (path, wanted) in the_two_paths().iter().zip(conditions) {
                if !existing.iter().any(|item| item["path"].as_str() == Some(path)) {
                    merged.push(wanted);
                    record.added_conditions.push((*path).to_owned());
                }
            }
            section.insert("conditions".into(), Yaml::Sequence(merged));
        }
        Some(_) => return Err(bad("its anonymous field is not a mapping".to_owned())),
    }
    let text = serde_yaml::to_string(&document).map_err(|err| bad(err.to_string()))?;
    Ok((text, record, notes))
}

fn condition(path: &str) -> Yaml {
    let mut item = Mapping::new();
    item.insert("path".into(), path.into());
    Yaml::Mapping(item)
}

/// Remove from an AuthenticationConfiguration exactly what `record` says enable added.
pub fn remove_anonymous(config: &str, name: &str, record: &EnableRecord) -> Result<String, GardenerError> {
    let bad = |reason: String| GardenerError::Config {
        name: name.to_owned(),
        reason,
    };
    let mut document: Mapping = serde_yaml::from_str(config).map_err(|err| bad(err.to_string()))?;
    if record.added_anonymous_section {
        document.remove("anonymous");
    } else if let Some(Yaml::Mapping(section)) = document.get_mut("anonymous")
        && let Some(Yaml::Sequence(conditions)) = section.get_mut("conditions")
    {
        conditions.retain(|item| {
            !item["path"]
                .as_str()
                .is_some_and(|path| record.added_conditions.iter().any(|added| added == path))
        });
    }
    serde_yaml::to_string(&document).map_err(|err| bad(err.to_string()))
}

/// The name enable gives a ConfigMap it creates for `shoot`.
pub fn default_config_map_name(shoot_name: &str) -> String {
    format!("{shoot_name}-kubectl-awsoidc-authentication")
}

/// Plan `enable` on a Shoot (its JSON) given the referenced ConfigMap's `config.yaml`.
pub fn plan_enable(
    shoot: &Value,
    shoot_name: &str,
    mode: Mode,
    version: Version,
    referenced_config: Option<&str>,
) -> Result<ShootPlan, GardenerError> {
    let previous = existing_record(shoot)?;
    let apiserver = kube_apiserver(shoot);
    let legacy_on = apiserver["enableAnonymousAuthentication"].as_bool() == Some(true);
    let mut record = EnableRecord::default();
    let mut spec_patch = serde_json::Map::new();
    let mut config_map = None;
    let mut notes = Vec::new();
    match mode {
        Mode::Legacy => {
            if let Some(name) = referenced_config_map(shoot)
                && referenced_config
                    .is_some_and(|text| text.lines().any(|line| line.starts_with("anonymous:")))
            {
                notes.push(format!(
                    "the ConfigMap {name} has an anonymous section; the legacy flag must not coexist with it: \
                     use --anonymous-mode structured"
                ));
            }
            if !legacy_on {
                spec_patch.insert("enableAnonymousAuthentication".into(), json!(true));
                record.set_legacy = true;
            }
        }
        Mode::Structured => {
            if legacy_on {
                spec_patch.insert("enableAnonymousAuthentication".into(), Value::Null);
                record.removed_legacy = true;
                notes.push(
                    "migrating from enableAnonymousAuthentication (anonymous on every path) to structured \
                     authentication (only the two discovery paths)"
                        .to_owned(),
                );
            }
            let (name, create) = match referenced_config_map(shoot) {
                Some(name) => (name.to_owned(), false),
                None => (default_config_map_name(shoot_name), true),
            };
            let base = if create { None } else { referenced_config };
            let (text, added, merge_notes) = merge_anonymous(base, &name, version)?;
            notes.extend(merge_notes);
            let changed = match base {
                Some(old) => old_document_differs(old, &text),
                None => true,
            };
            if create {
                spec_patch.insert(
                    "structuredAuthentication".into(),
                    json!({ "configMapName": name }),
                );
                record.created_config_map = true;
            }
            if changed {
                config_map = Some(ConfigMapWrite {
                    name: name.clone(),
                    config: Some(text),
                    create,
                });
            }
            record = record.merge(added);
            record.config_map = Some(name);
        }
    }
    let record = match previous.clone() {
        Some(previous) => previous.merge(record),
        None => record,
    };
    let mut patch = serde_json::Map::new();
    if Some(&record) != previous.as_ref() {
        let annotation = serde_json::to_string(&record).map_err(GardenerError::Record)?;
        patch.insert(
            "metadata".into(),
            json!({ "annotations": { RECORD_ANNOTATION: annotation } }),
        );
    }
    if !spec_patch.is_empty() {
        patch.insert(
            "spec".into(),
            json!({ "kubernetes": { "kubeAPIServer": Value::Object(spec_patch) } }),
        );
    }
    if config_map.is_some() && !patch.contains_key("spec") {
        // A ConfigMap change alone does not bump the Shoot's generation: ask for a reconcile.
        let metadata = patch
            .entry("metadata")
            .or_insert_with(|| json!({ "annotations": {} }));
        metadata["annotations"][OPERATION_ANNOTATION] = json!("reconcile");
    }
    Ok(ShootPlan {
        shoot_patch: (!patch.is_empty()).then_some(Value::Object(patch)),
        config_map,
        notes,
    })
}

fn old_document_differs(old: &str, new: &str) -> bool {
    let parse = |text: &str| serde_yaml::from_str::<Yaml>(text).ok();
    parse(old) != parse(new)
}

/// Plan `disable`: undo what the Shoot's record says enable did.
pub fn plan_disable(shoot: &Value, referenced_config: Option<&str>) -> Result<ShootPlan, GardenerError> {
    let Some(record) = existing_record(shoot)? else {
        return Ok(ShootPlan {
            shoot_patch: None,
            config_map: None,
            notes: vec!["the Shoot carries no record of `enable`: nothing to undo there".to_owned()],
        });
    };
    let mut spec_patch = serde_json::Map::new();
    if record.set_legacy {
        spec_patch.insert("enableAnonymousAuthentication".into(), Value::Null);
    }
    if record.removed_legacy {
        spec_patch.insert("enableAnonymousAuthentication".into(), json!(true));
    }
    let mut config_map = None;
    if let Some(name) = &record.config_map {
        if record.created_config_map {
            spec_patch.insert("structuredAuthentication".into(), Value::Null);
            config_map = Some(ConfigMapWrite {
                name: name.clone(),
                config: None,
                create: false,
            });
        } else if let Some(text) = referenced_config {
            let restored = remove_anonymous(text, name, &record)?;
            if old_document_differs(text, &restored) {
                config_map = Some(ConfigMapWrite {
                    name: name.clone(),
                    config: Some(restored),
                    create: false,
                });
            }
        }
    }
    let mut annotations = serde_json::Map::new();
    annotations.insert(RECORD_ANNOTATION.into(), Value::Null);
    if config_map.is_some() && spec_patch.is_empty() {
        annotations.insert(OPERATION_ANNOTATION.into(), json!("reconcile"));
    }
    let mut patch = json!({ "metadata": { "annotations": Value::Object(annotations) } });
    if !spec_patch.is_empty() {
        patch["spec"] = json!({ "kubernetes": { "kubeAPIServer": Value::Object(spec_patch) } });
    }
    Ok(ShootPlan {
        shoot_patch: Some(patch),
        config_map,
        notes: Vec::new(),
    })
}

/// The Shoot in the garden cluster, and its project's ConfigMaps.
pub struct Garden {
    shoots: Api<DynamicObject>,
    config_maps: Api<ConfigMap>,
    pub namespace: String,
    pub shoot_name: String,
}

fn shoot_resource() -> ApiResource {
    ApiResource::from_gvk(&GroupVersionKind::gvk("core.gardener.cloud", "v1beta1", "Shoot"))
}

impl Garden {
    pub fn new(client: &kube::Client, namespace: &str, shoot_name: &str) -> Self {
        Self {
            shoots: Api::namespaced_with(client.clone(), namespace, &shoot_resource()),
            config_maps: Api::namespaced(client.clone(), namespace),
            namespace: namespace.to_owned(),
            shoot_name: shoot_name.to_owned(),
        }
    }

    /// The Shoot as JSON.
    pub async fn shoot(&self) -> kube::Result<Value> {
        let shoot = self.shoots.get(&self.shoot_name).await?;
        Ok(serde_json::to_value(shoot).unwrap_or_default())
    }

    /// The `config.yaml` of a ConfigMap in the project namespace, if it exists.
    pub async fn config(&self, name: &str) -> kube::Result<Option<String>> {
        Ok(self
            .config_maps
            .get_opt(name)
            .await?
            .and_then(|config_map| config_map.data.and_then(|mut data| data.remove(CONFIG_KEY))))
    }

    /// Carry out a plan; returns the changes as they were (or would be) made.
    pub async fn apply(&self, plan: &ShootPlan, dry_run: DryRun) -> kube::Result<Vec<Change>> {
        let writes = dry_run != DryRun::Client;
        let mut changes = Vec::new();
        // The ConfigMap first: the Shoot then points at a complete configuration.
        if let Some(write) = &plan.config_map {
            let target = format!("configmap/{} (garden namespace {})", write.name, self.namespace);
            let post = PostParams {
                dry_run: dry_run == DryRun::Server,
                field_manager: Some(FIELD_MANAGER.into()),
            };
            match &write.config {
                Some(config) => {
                    let mut config_map = match self.config_maps.get_opt(&write.name).await? {
                        Some(existing) => existing,
                        None => ConfigMap {
                            metadata: kube::core::ObjectMeta {
                                name: Some(write.name.clone()),
                                namespace: Some(self.namespace.clone()),
                                labels: Some(
                                    [(
                                        crate::rbac::MANAGED_BY.0.to_owned(),
                                        crate::rbac::MANAGED_BY.1.to_owned(),
                                    )]
                                    .into(),
                                ),
                                ..Default::default()
                            },
                            ..Default::default()
                        },
                    };
                    let create = config_map.metadata.resource_version.is_none();
                    config_map
                        .data
                        .get_or_insert_with(BTreeMap::new)
                        .insert(CONFIG_KEY.to_owned(), config.clone());
                    if writes {
                        if create {
                            self.config_maps.create(&post, &config_map).await?;
                        } else {
                            self.config_maps.replace(&write.name, &post, &config_map).await?;
                        }
                    }
                    changes.push(Change::new(
                        target,
                        if create { Action::Create } else { Action::Update },
                    ));
                }
                None => {
                    if writes {
                        let params = kube::api::DeleteParams {
                            dry_run: dry_run == DryRun::Server,
                            ..Default::default()
                        };
                        self.config_maps.delete(&write.name, &params).await?;
                    }
                    changes.push(Change::new(target, Action::Delete));
                }
            }
        }
        let target = format!(
            "shoot.core.gardener.cloud/{} (garden namespace {})",
            self.shoot_name, self.namespace
        );
        match &plan.shoot_patch {
            Some(patch) => {
                if writes {
                    let params = PatchParams {
                        dry_run: dry_run == DryRun::Server,
                        ..PatchParams::default()
                    };
                    self.shoots
                        .patch(&self.shoot_name, &params, &Patch::Merge(patch))
                        .await?;
                }
                changes.push(Change::new(target, Action::Update).with_detail(describe_patch(patch)));
            }
            None => changes.push(Change::new(target, Action::Unchanged)),
        }
        Ok(changes)
    }
}

/// One line per changed field of a Shoot merge patch.
fn describe_patch(patch: &Value) -> String {
    let mut lines = Vec::new();
    if let Some(fields) = patch["spec"]["kubernetes"]["kubeAPIServer"].as_object() {
        for (field, value) in fields {
            lines.push(match value {
                Value::Null => format!("spec.kubernetes.kubeAPIServer.{field}: removed"),
                value => format!("spec.kubernetes.kubeAPIServer.{field}: {value}"),
            });
        }
    }
    if let Some(annotations) = patch["metadata"]["annotations"].as_object() {
        for (key, value) in annotations {
            lines.push(match value {
                Value::Null => format!("annotation {key}: removed"),
                value => format!("annotation {key}: {}", value.as_str().unwrap_or_default()),
            });
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const V131: Version = Version {
        major: 1,
        minor: 31,
        patch: 5,
    };
    const V134: Version = Version {
        major: 1,
        minor: 34,
        patch: 4,
    };

    const JWT_CONFIG: &str = "apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
- issuer:
    url: https://issuer.example.com
    audiences: [team]
  claimMappings:
    username: {claim: sub, prefix: 'oidc:'}
";

    fn shoot(api_server: Value) -> Value {
        json!({"metadata": {"name": "s"}, "spec": {"kubernetes": {"version": "1.34.4", "kubeAPIServer": api_server}}})
    }

    /// Apply a plan's patch to a Shoot JSON the way a merge patch does.
    fn merged(mut target: Value, patch: &Value) -> Value {
        fn merge(target: &mut Value, patch: &Value) {
            match patch {
                Value::Object(fields) => {
                    if !target.is_object() {
                        *target = json!({});
                    }
                    for (key, value) in fields {
                        if value.is_null() {
                            target.as_object_mut().unwrap().remove(key);
                        } else {
                            merge(
                                target.as_object_mut().unwrap().entry(key).or_insert(Value::Null),
                                value,
                            );
                        }
                    }
                }
                other => *target = other.clone(),
            }
        }
        merge(&mut target, patch);
        target
    }

    #[test]
    fn versions_parse_and_pick_the_mode() {
        assert_eq!(Version::parse("v1.31.5").unwrap(), V131);
        assert_eq!(Version::parse("1.34").unwrap().patch, 0);
        assert!(Version::parse("one").is_err());
        assert_eq!(choose_mode(AnonymousMode::Auto, V131).unwrap(), Mode::Legacy);
        assert_eq!(choose_mode(AnonymousMode::Auto, V134).unwrap(), Mode::Structured);
        assert!(matches!(
            choose_mode(AnonymousMode::Legacy, Version::parse("1.35.0").unwrap()),
            Err(GardenerError::LegacyForbidden(_))
        ));
        assert!(choose_mode(AnonymousMode::Structured, V131).is_err());
    }

    #[test]
    fn shoot_info_names_the_missing_field() {
        let data: BTreeMap<String, String> = [("shootName".to_owned(), "s".to_owned())].into();
        let err = ShootInfo::from_data(&data).unwrap_err().to_string();
        assert!(err.contains("projectName"), "{err}");
    }

    #[test]
    fn legacy_sets_the_flag_once() {
        let plan = plan_enable(&shoot(json!({})), "s", Mode::Legacy, V131, None).unwrap();
        let patch = plan.shoot_patch.unwrap();
        assert_eq!(
            patch["spec"]["kubernetes"]["kubeAPIServer"]["enableAnonymousAuthentication"],
            true
        );
        let after = merged(shoot(json!({})), &patch);
        let again = plan_enable(&after, "s", Mode::Legacy, V131, None).unwrap();
        assert!(again.is_unchanged(), "{again:?}");
        let undo = plan_disable(&after, None).unwrap();
        let restored = merged(after, &undo.shoot_patch.unwrap());
        assert_eq!(
            restored,
            merged(shoot(json!({})), &json!({"metadata": {"annotations": {}}}))
        );
    }

    #[test]
    fn structured_merges_into_an_existing_config_and_disable_restores_it() {
        let before = shoot(json!({"structuredAuthentication": {"configMapName": "auth"}}));
        let plan = plan_enable(&before, "s", Mode::Structured, V134, Some(JWT_CONFIG)).unwrap();
        let write = plan.config_map.clone().unwrap();
        assert_eq!(write.name, "auth");
        assert!(!write.create);
        let config = write.config.unwrap();
        let parsed: Yaml = serde_yaml::from_str(&config).unwrap();
        assert_eq!(
            parsed["jwt"][0]["issuer"]["url"], "https://issuer.example.com",
            "JWT issuers stay"
        );
        assert_eq!(parsed["anonymous"]["conditions"][1]["path"], JWKS_PATH);
        let patch = plan.shoot_patch.unwrap();
        assert_eq!(
            patch["metadata"]["annotations"][OPERATION_ANNOTATION],
            "reconcile"
        );

        let after = merged(before, &patch);
        let again = plan_enable(&after, "s", Mode::Structured, V134, Some(&config)).unwrap();
        assert!(
            again.config_map.is_none() && again.shoot_patch.is_none(),
            "{again:?}"
        );

        let undo = plan_disable(&after, Some(&config)).unwrap();
        let restored = undo.config_map.unwrap().config.unwrap();
        assert_eq!(
            serde_yaml::from_str::<Yaml>(&restored).unwrap(),
            serde_yaml::from_str::<Yaml>(JWT_CONFIG).unwrap()
        );
    }

    #[test]
    fn structured_creates_a_config_map_and_migrates_off_the_legacy_flag() {
        let before = shoot(json!({"enableAnonymousAuthentication": true}));
        let plan = plan_enable(&before, "s", Mode::Structured, V134, None).unwrap();
        let patch = plan.shoot_patch.unwrap();
        let api_server = &patch["spec"]["kubernetes"]["kubeAPIServer"];
        assert_eq!(api_server["enableAnonymousAuthentication"], Value::Null);
        assert_eq!(
            api_server["structuredAuthentication"]["configMapName"],
            default_config_map_name("s")
        );
        let write = plan.config_map.unwrap();
        assert!(write.create);
        assert!(
            write
                .config
                .unwrap()
                .starts_with("apiVersion: apiserver.config.k8s.io/v1\n")
        );

        let after = merged(before.clone(), &patch);
        let undo = plan_disable(&after, None).unwrap();
        assert_eq!(
            undo.config_map.unwrap().config,
            None,
            "the created ConfigMap goes"
        );
        let restored = merged(after, &undo.shoot_patch.unwrap());
        assert_eq!(
            restored["spec"]["kubernetes"]["kubeAPIServer"],
            json!({"enableAnonymousAuthentication": true})
        );
    }

    #[test]
    fn existing_conditions_are_kept_and_only_missing_paths_added() {
        let config = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\nanonymous:\n  enabled: true\n  conditions:\n  - path: /livez\n  - path: /openid/v1/jwks\n";
        let (text, record, _) = merge_anonymous(Some(config), "auth", V134).unwrap();
        assert_eq!(record.added_conditions, [DISCOVERY_PATH]);
        let restored = remove_anonymous(&text, "auth", &record).unwrap();
        assert_eq!(
            serde_yaml::from_str::<Yaml>(&restored).unwrap(),
            serde_yaml::from_str::<Yaml>(config).unwrap()
        );
    }

    #[test]
    fn an_invalid_config_is_a_clear_error() {
        let err = merge_anonymous(Some("kind: Other\n"), "auth", V134)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("auth") && err.contains("AuthenticationConfiguration"),
            "{err}"
        );
    }
}

//! Manifest injection, as pure transforms over YAML streams: find every pod template
//! (Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers,
//! Jobs, CronJobs, `List`s of them, multi-document streams) and add the projected
//! ServiceAccount token, its read-only mount and the AWS settings of one of two modes:
//!
//! - `native`: the SDKs' own web identity support (`AWS_ROLE_ARN`,
//!   `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_STS_REGIONAL_ENDPOINTS=regional`, `AWS_REGION`);
//! - `process`: a generated AWS config (a ConfigMap mounted at [`CONFIG_MOUNT_DIR`]) whose
//!   profile runs the helper as `credential_process`, and `AWS_CONFIG_FILE` /
//!   `AWS_PROFILE` / `AWS_SDK_LOAD_CONFIG` — but never the web identity variables, which
//!   botocore would prefer over the profile.
//!
//! What is already there (a volume, mount or variable of the same name) is never
//! duplicated, so injecting twice gives what injecting once gave: an identical one is
//! fine, an equivalent one is left alone and reported, and one whose value would break
//! the chain (another token volume, a mount over the token directory, `AWS_ROLE_ARN`
//! naming another role, ...) is an error naming the document, container and field.
//! Malformed pod specs (no containers, `containers` not a list) are errors too.
//!
//! Comments and layout: the transform itself works on `serde_yaml` values (key order and
//! unknown fields kept) and records every append it makes; rendering replays those
//! appends on the document's own text with `yaml-edit`, a lossless YAML editor, so
//! comments, quoting and flow style survive and an untouched document comes out byte
//! for byte. The replayed text is read back and must equal the computed document;
//! otherwise that one document is written from the value (inner comments lost) and a
//! note says so.

use std::collections::BTreeSet;
use std::str::FromStr as _;

use awsoidc_credential_process::contract::{DEFAULT_AUDIENCE, TOKEN_MOUNT_DIR};
use awsoidc_credential_process::secret::echo_input;
use serde_yaml::{Mapping, Value};

/// The name of the projected token volume (as EKS's pod identity webhook names it).
pub const TOKEN_VOLUME: &str = "aws-iam-token";

/// The name of the AWS config volume of `--mode process`.
pub const CONFIG_VOLUME: &str = "awsoidc-aws-config";

/// Where the generated AWS config is mounted in `--mode process`.
pub const CONFIG_MOUNT_DIR: &str = "/etc/awsoidc";

/// The AWS profile the generated config defines.
pub const PROFILE: &str = "awsoidc";

/// Where workload images carry the helper.
pub const HELPER_PATH: &str = "/usr/local/bin/awsoidc-credential-process";

/// The annotation that marks a ConfigMap as written by `inject`.
pub const GENERATED_ANNOTATION: &str = "kubectl-awsoidc/generated-by";

const CONFIG_FILE_KEY: &str = "config";
/// The projected token's lifetime unless `--token-expiration` says otherwise (the longest allowed).
pub const DEFAULT_TOKEN_EXPIRATION: u32 = MAX_EXPIRATION;
const MIN_EXPIRATION: u32 = 600;
const MAX_EXPIRATION: u32 = 86_400;
/// kube-apiserver's marker for legacy tokens: with `--service-account-extend-token-expiration`
/// (on by default) a token requested for exactly this long is silently issued for a year.
const LEGACY_EXPIRATION: u32 = 3607;

/// Why a manifest cannot be injected.
#[derive(Debug, thiserror::Error)]
pub enum InjectError {
    #[error("failed to parse document {document} as YAML: {cause}")]
    InvalidYaml {
        document: usize,
        cause: serde_yaml::Error,
    },
    #[error(
        "document {at} is a {kind}, which has no pod template: inject takes Pods, Deployments, StatefulSets, \
         DaemonSets, ReplicaSets, Jobs, CronJobs and Lists of them (pipe only those through it)"
    )]
    NoPodTemplate { at: String, kind: String },
    #[error("document {at} ({kind} {name}) has no pod spec at {path}")]
    MissingPodSpec {
        at: String,
        kind: String,
        name: String,
        path: &'static str,
    },
    #[error(
        "document {at} ({kind} {name}) runs as ServiceAccount {service_account}, whose role is unknown: pass \
         --role-arn, or bind it first (kubectl awsoidc bind {service_account} ROLE)"
    )]
    NoRoleArn {
        at: String,
        kind: String,
        name: String,
        service_account: String,
    },
    #[error(
        "--token-expiration {0} is too short: the apiserver refuses projected tokens valid for less than \
         {MIN_EXPIRATION} seconds (10 minutes)"
    )]
    ExpirationTooShort(u32),
    #[error(
        "--token-expiration {0} is too long: use at most {MAX_EXPIRATION} seconds (a day), the longest lifetime \
         EKS's pod identity webhook allows for a token AWS accepts"
    )]
    ExpirationTooLong(u32),
    #[error(
        "--token-expiration 3607 is refused: the apiserver treats exactly 3607 seconds as a legacy token and, \
         with --service-account-extend-token-expiration (the default), silently issues it for a year; use 3600"
    )]
    ExpirationLegacyMarker,
    #[error(
        "document {at} ({kind} {name}): {field} must be a list of containers (at least one), not {found}"
    )]
    MalformedContainers {
        at: String,
        kind: String,
        name: String,
        field: String,
        found: String,
    },
    #[error("document {at} ({kind} {name}): {what}, which would break the credential chain: {fix}")]
    Collision {
        at: String,
        kind: String,
        name: String,
        what: String,
        fix: String,
    },
    #[error(
        "--region {0:?} is not an AWS region: use lowercase letters, digits and dashes, like eu-central-1"
    )]
    InvalidRegion(String),
    #[error("failed to write document {document} as YAML: {cause}")]
    Render {
        document: usize,
        cause: serde_yaml::Error,
    },
}

/// Check a projected token lifetime against the apiserver's and AWS's rules.
pub fn check_token_expiration(seconds: u32) -> Result<(), InjectError> {
    match seconds {
        LEGACY_EXPIRATION => Err(InjectError::ExpirationLegacyMarker),
        s if s < MIN_EXPIRATION => Err(InjectError::ExpirationTooShort(s)),
        s if s > MAX_EXPIRATION => Err(InjectError::ExpirationTooLong(s)),
        _ => Ok(()),
    }
}

/// Check a region name (it is written into manifests and the `credential_process`
/// command line): lowercase letters, digits and single dashes, starting with a letter.
pub fn check_region(region: &str) -> Result<(), InjectError> {
    let valid = region.starts_with(|c: char| c.is_ascii_lowercase())
        && region.len() <= 32
        && region.split('-').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if valid {
        Ok(())
    } else {
        Err(InjectError::InvalidRegion(echo_input(region)))
    }
}

/// How workloads get credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Native,
    Process,
}

/// What to inject.
#[derive(Debug, Clone)]
pub struct Options {
    pub mode: Mode,
    pub audience: String,
    pub expiration_seconds: u32,
    pub region: Option<String>,
    pub skip_containers: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            mode: Mode::Native,
            audience: DEFAULT_AUDIENCE.to_owned(),
            expiration_seconds: DEFAULT_TOKEN_EXPIRATION,
            region: None,
            skip_containers: Vec::new(),
        }
    }
}

/// One document of a YAML stream: the comment lines before it and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The comment lines before the document.
    pub header: String,
    /// The document's text as read; `None` for documents `inject` wrote itself.
    source: Option<String>,
    pub value: Value,
    /// The appends made to `value`, replayed on `source` to keep its comments and layout.
    edits: Vec<Edit>,
}

impl Document {
    fn generated(value: Value) -> Self {
        Self {
            header: String::new(),
            source: None,
            value,
            edits: Vec::new(),
        }
    }
}

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(&'static str),
    Index(usize),
}

/// `item` appended to the sequence `field` of the mapping at `path` (created when missing).
#[derive(Debug, Clone, PartialEq)]
struct Edit {
    path: Vec<Step>,
    field: &'static str,
    item: Value,
}

/// Split a YAML stream on `---` markers and parse each document; documents holding only
/// comments are merged into the next one's header.
pub fn parse_stream(input: &str) -> Result<Vec<Document>, InjectError> {
    let mut chunks: Vec<(String, String)> = vec![(String::new(), String::new())];
    for line in input.lines() {
        if let Some(rest) = line
            .strip_prefix("---")
            .filter(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        {
            let rest = rest.trim();
            chunks.push((String::new(), String::new()));
            if let Some((header, _)) = chunks.last_mut()
                && rest.starts_with('#')
            {
                header.push_str(rest);
                header.push('\n');
            }
            continue;
        }
        let Some((header, body)) = chunks.last_mut() else {
            continue;
        };
        let trimmed = line.trim_start();
        if body.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            header.push_str(line);
            header.push('\n');
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    let mut documents = Vec::new();
    let mut pending_header = String::new();
    for (header, body) in chunks {
        pending_header.push_str(&header);
        if body.trim().is_empty() {
            continue;
        }
        let document = documents.len() + 1;
        let value: Value =
            serde_yaml::from_str(&body).map_err(|cause| InjectError::InvalidYaml { document, cause })?;
        documents.push(Document {
            header: std::mem::take(&mut pending_header).trim_start().to_owned(),
            source: Some(body),
            value,
            edits: Vec::new(),
        });
    }
    Ok(documents)
}

/// Write documents back as one stream: a document `inject` did not change comes out
/// byte for byte; a changed one is its source text with the appends replayed by a
/// lossless YAML editor, so its comments and layout stay. Should the edited text not
/// read back as exactly the computed document, the computed document is written
/// instead (without its inner comments) and a note says so.
pub fn render(documents: &[Document]) -> Result<(String, Vec<String>), InjectError> {
    let mut out = String::new();
    let mut notes = Vec::new();
    for (index, document) in documents.iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        out.push_str(&document.header);
        let replayed = match &document.source {
            Some(source) if document.edits.is_empty() => Some(source.clone()),
            Some(source) => replay(source, &document.edits)
                .filter(|text| serde_yaml::from_str::<Value>(text).ok().as_ref() == Some(&document.value)),
            None => None,
        };
        let text = match replayed {
            Some(text) => text,
            None => {
                if document.source.is_some() {
                    notes.push(format!(
                        "document {}: its inner comments could not be kept",
                        index + 1
                    ));
                }
                serde_yaml::to_string(&document.value).map_err(|cause| InjectError::Render {
                    document: index + 1,
                    cause,
                })?
            }
        };
        out.push_str(&text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok((out, notes))
}

/// Apply `edits` to `source` with the lossless editor; `None` when it cannot.
fn replay(source: &str, edits: &[Edit]) -> Option<String> {
    enum Node {
        Map(yaml_edit::Mapping),
        Seq(yaml_edit::Sequence),
    }
    let document = yaml_edit::Document::from_str(source).ok()?;
    for edit in edits {
        let mut node = Node::Map(document.as_mapping()?);
        for step in &edit.path {
            node = match (node, step) {
                (Node::Map(map), Step::Key(key)) => match map.get_sequence(*key) {
                    Some(sequence) => Node::Seq(sequence),
                    None => Node::Map(map.get_mapping(*key)?),
                },
                (Node::Seq(sequence), Step::Index(index)) => {
                    Node::Map(sequence.get(*index)?.as_mapping()?.clone())
                }
                _ => return None,
            };
        }
        let Node::Map(map) = node else { return None };
        let sequence = match map.get_sequence(edit.field) {
            Some(sequence) => sequence,
            None => {
                map.set(edit.field, yaml_edit::Sequence::new());
                map.get_sequence(edit.field)?
            }
        };
        let item = serde_yaml::to_string(&edit.item).ok()?;
        sequence.push(yaml_edit::Document::from_str(&item).ok()?.as_mapping()?);
    }
    Some(document.to_string())
}

/// A pod template found in the stream, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodTemplate {
    /// "3" for the third document, "3 item 2" inside a List.
    pub at: String,
    pub kind: String,
    pub name: String,
    /// The workload's namespace when its manifest names one.
    pub namespace: Option<String>,
    /// `serviceAccountName`, "default" when unset.
    pub service_account: String,
}

/// Where each kind keeps its pod spec.
fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "Pod" => Some(&["spec"]),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" | "Job" => {
            Some(&["spec", "template", "spec"])
        }
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => None,
    }
}

fn describe_path(kind: &str) -> &'static str {
    match kind {
        "Pod" => ".spec",
        "CronJob" => ".spec.jobTemplate.spec.template.spec",
        _ => ".spec.template.spec",
    }
}

fn text_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(value, |value, key| value.get(*key))
        .and_then(Value::as_str)
}

fn is_list(value: &Value) -> bool {
    text_at(value, &["kind"]).is_some_and(|kind| kind.ends_with("List")) && value.get("items").is_some()
}

fn is_generated_config(value: &Value) -> bool {
    text_at(value, &["kind"]) == Some("ConfigMap")
        && text_at(value, &["metadata", "annotations", GENERATED_ANNOTATION]) == Some("inject")
}

/// Every pod template of the stream; a document of any other kind is an error (the
/// ConfigMaps `inject` itself generated excepted, so its output can be injected again).
pub fn pod_templates(documents: &[Document]) -> Result<Vec<PodTemplate>, InjectError> {
    let mut found = Vec::new();
    for (index, document) in documents.iter().enumerate() {
        collect_templates(&document.value, (index + 1).to_string(), &mut found)?;
    }
    Ok(found)
}

fn collect_templates(value: &Value, at: String, found: &mut Vec<PodTemplate>) -> Result<(), InjectError> {
    if is_list(value) {
        let items = value
            .get("items")
            .and_then(Value::as_sequence)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (index, item) in items.iter().enumerate() {
            collect_templates(item, format!("{at} item {}", index + 1), found)?;
        }
        return Ok(());
    }
    if is_generated_config(value) {
        return Ok(());
    }
    let kind = text_at(value, &["kind"])
        .unwrap_or("document without a kind")
        .to_owned();
    let Some(path) = pod_spec_path(&kind) else {
        return Err(InjectError::NoPodTemplate { at, kind });
    };
    let name = text_at(value, &["metadata", "name"])
        .unwrap_or("(unnamed)")
        .to_owned();
    let spec = path
        .iter()
        .try_fold(value, |value, key| value.get(*key))
        .filter(|spec| spec.is_mapping());
    let Some(spec) = spec else {
        return Err(InjectError::MissingPodSpec {
            at,
            kind: kind.clone(),
            name,
            path: describe_path(&kind),
        });
    };
    for (field, required) in [("initContainers", false), ("containers", true)] {
        let found = match spec.get(field) {
            None | Some(Value::Null) if !required => continue,
            None | Some(Value::Null) => "none".to_owned(),
            Some(Value::Sequence(items)) if items.is_empty() && required => "an empty list".to_owned(),
            Some(Value::Sequence(items)) if items.iter().all(Value::is_mapping) => continue,
            Some(Value::Sequence(_)) => "a list holding something other than a container".to_owned(),
            Some(other) => format!(
                "{:?}",
                echo_input(serde_yaml::to_string(other).unwrap_or_default().trim())
            ),
        };
        return Err(InjectError::MalformedContainers {
            at,
            field: format!("{}.{field}", describe_path(&kind)),
            kind,
            name,
            found,
        });
    }
    found.push(PodTemplate {
        at,
        kind,
        name,
        namespace: text_at(value, &["metadata", "namespace"]).map(str::to_owned),
        service_account: text_at(spec, &["serviceAccountName"])
            .or_else(|| text_at(spec, &["serviceAccount"]))
            .unwrap_or("default")
            .to_owned(),
    });
    Ok(())
}

/// The result of an injection: the new stream and what was left alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Injected {
    pub documents: Vec<Document>,
    /// One line per thing found already there and left as it was.
    pub notes: Vec<String>,
}

/// What one template's ServiceAccount is bound to: the role, and the audience and
/// token lifetime its annotations ask for (overriding [`Options`] when set).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Binding {
    pub role_arn: String,
    pub audience: Option<String>,
    pub expiration_seconds: Option<u32>,
}

impl From<String> for Binding {
    fn from(role_arn: String) -> Self {
        Self {
            role_arn,
            ..Self::default()
        }
    }
}

/// Inject every pod template; `binding` says what a template's ServiceAccount is bound
/// to (from `--role-arn`, or the ServiceAccount's annotations).
pub fn inject(
    documents: &[Document],
    options: &Options,
    binding: &dyn Fn(&PodTemplate) -> Option<Binding>,
) -> Result<Injected, InjectError> {
    check_token_expiration(options.expiration_seconds)?;
    let templates = pod_templates(documents)?;
    let mut settings = Vec::with_capacity(templates.len());
    for template in &templates {
        let bound = binding(template).ok_or_else(|| InjectError::NoRoleArn {
            at: template.at.clone(),
            kind: template.kind.clone(),
            name: template.name.clone(),
            service_account: template.service_account.clone(),
        })?;
        let effective = Options {
            audience: bound.audience.unwrap_or_else(|| options.audience.clone()),
            expiration_seconds: bound.expiration_seconds.unwrap_or(options.expiration_seconds),
            ..options.clone()
        };
        check_token_expiration(effective.expiration_seconds)?;
        settings.push((bound.role_arn, effective));
    }
    let mut out: Vec<Document> = documents.to_vec();
    let mut notes = Vec::new();
    let mut seen_containers = BTreeSet::new();
    let mut failure = None;
    let mut next = 0;
    for document in out.iter_mut() {
        let edits = &mut document.edits;
        visit_templates(&mut document.value, Vec::new(), &mut |kind, spec_path, spec| {
            let (template, (arn, options)) = (&templates[next], &settings[next]);
            next += 1;
            if failure.is_some() {
                return;
            }
            let config_map = config_map_name(&template.service_account);
            let mut place = Placement {
                template,
                notes: &mut notes,
                seen_containers: &mut seen_containers,
                edits,
            };
            if let Err(err) = place.pod_spec(spec, &spec_path, kind, options, arn, &config_map) {
                failure = Some(err);
            }
        });
    }
    if let Some(err) = failure {
        return Err(err);
    }
    for skipped in &options.skip_containers {
        if !seen_containers.contains(skipped) {
            notes.push(format!(
                "--skip-container {} matches no container in the input",
                echo_input(skipped)
            ));
        }
    }
    if options.mode == Mode::Process {
        if options.region.is_none() && !templates.is_empty() {
            notes.push(
                "no --region: the helper calls the STS endpoint of the pod's AWS_REGION, which the image must set"
                    .to_owned(),
            );
        }
        add_config_maps(&mut out, &templates, &settings);
    }
    Ok(Injected {
        documents: out,
        notes,
    })
}

/// Call `visit` on every pod spec in document order (the order of [`pod_templates`]),
/// with the path that leads to it.
fn visit_templates(value: &mut Value, path: Vec<Step>, visit: &mut dyn FnMut(&str, Vec<Step>, &mut Mapping)) {
    if is_list(value) {
        if let Some(items) = value.get_mut("items").and_then(Value::as_sequence_mut) {
            for (index, item) in items.iter_mut().enumerate() {
                let mut item_path = path.clone();
                item_path.extend([Step::Key("items"), Step::Index(index)]);
                visit_templates(item, item_path, visit);
            }
        }
        return;
    }
    let kind = text_at(value, &["kind"]).unwrap_or_default().to_owned();
    let Some(keys) = pod_spec_path(&kind) else { return };
    let spec = keys.iter().try_fold(value, |value, key| value.get_mut(*key));
    if let Some(spec) = spec.and_then(Value::as_mapping_mut) {
        let mut spec_path = path;
        spec_path.extend(keys.iter().map(|key| Step::Key(key)));
        visit(&kind, spec_path, spec);
    }
}

/// Where a list lives: the path to its mapping and its field.
type ListAt = (Vec<Step>, &'static str);

struct Placement<'a> {
    template: &'a PodTemplate,
    notes: &'a mut Vec<String>,
    seen_containers: &'a mut BTreeSet<String>,
    edits: &'a mut Vec<Edit>,
}

impl Placement<'_> {
    fn pod_spec(
        &mut self,
        spec: &mut Mapping,
        spec_path: &[Step],
        kind: &str,
        options: &Options,
        role_arn: &str,
        config_map: &str,
    ) -> Result<(), InjectError> {
        let pod = describe_path(kind);
        let mut volumes = vec![(
            token_volume(options),
            format!(
                "the projected serviceAccountToken inject adds (audience {}, expirationSeconds {}, path {})",
                options.audience,
                options.expiration_seconds,
                awsoidc_credential_process::contract::TOKEN_FILE_NAME
            ),
        )];
        let mut mounts = vec![mount(TOKEN_VOLUME, TOKEN_MOUNT_DIR)];
        if options.mode == Mode::Process {
            volumes.push((
                config_volume(config_map),
                format!("a configMap volume of ConfigMap {config_map}"),
            ));
            mounts.push(mount(CONFIG_VOLUME, CONFIG_MOUNT_DIR));
        }
        let env = environment(options, role_arn);
        let Some(list) = sequence_at(spec, "volumes") else {
            return Err(self.broken(
                format!("{pod}.volumes is not a list"),
                "make it a list of volumes",
            ));
        };
        let at = (spec_path.to_vec(), "volumes");
        for (volume, wanted) in volumes {
            self.add_volume(list, &at, volume, &format!("{pod}.volumes"), &wanted)?;
        }
        for field in ["initContainers", "containers"] {
            let Some(containers) = spec.get_mut(field).and_then(Value::as_sequence_mut) else {
                continue;
            };
            for (index, container) in containers.iter_mut().enumerate() {
                let Some(container) = container.as_mapping_mut() else {
                    continue;
                };
                let mut container_path = spec_path.to_vec();
                container_path.extend([Step::Key(field), Step::Index(index)]);
                let name = container
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                self.seen_containers.insert(name.clone());
                if options.skip_containers.contains(&name) {
                    continue;
                }
                let owner = format!("container {name} ({pod}.{field}[{index}])");
                let Some(list) = sequence_at(container, "volumeMounts") else {
                    return Err(self.broken(format!("{owner}: volumeMounts is not a list"), "make it a list"));
                };
                let at = (container_path.clone(), "volumeMounts");
                for mount in &mounts {
                    self.add_mount(list, &at, mount.clone(), &owner)?;
                }
                let Some(list) = sequence_at(container, "env") else {
                    return Err(self.broken(format!("{owner}: env is not a list"), "make it a list"));
                };
                if options.mode == Mode::Process {
                    self.warn_web_identity(list, &owner);
                }
                let at = (container_path.clone(), "env");
                for variable in &env {
                    self.add_env(list, &at, variable.clone(), &owner, options.mode)?;
                }
            }
        }
        Ok(())
    }

    fn note(&mut self, what: String) {
        let template = self.template;
        self.notes.push(format!(
            "document {} ({} {}): {what}",
            template.at, template.kind, template.name
        ));
    }

    /// The error for something in the template that would break the chain.
    fn broken(&self, what: String, fix: &str) -> InjectError {
        InjectError::Collision {
            at: self.template.at.clone(),
            kind: self.template.kind.clone(),
            name: self.template.name.clone(),
            what,
            fix: fix.to_owned(),
        }
    }

    /// Append a volume unless one of the same name exists: an equivalent one (same token
    /// audience, lifetime and path, or the same ConfigMap) is kept, any other is an error.
    fn add_volume(
        &mut self,
        list: &mut Vec<Value>,
        at: &ListAt,
        volume: Value,
        field: &str,
        wanted: &str,
    ) -> Result<(), InjectError> {
        let name = text_at(&volume, &["name"]).unwrap_or_default().to_owned();
        match list
            .iter()
            .find(|existing| existing.get("name") == volume.get("name"))
        {
            Some(existing) if *existing == volume => Ok(()),
            Some(existing) if volume_matches(existing, &volume) => {
                self.note(format!("{field}: volume {name} is already there; left as it is"));
                Ok(())
            }
            Some(_) => Err(self.broken(
                format!("{field}: volume {name} is not {wanted}"),
                &format!("remove or rename that volume (inject adds its own {name})"),
            )),
            None => {
                self.append(list, at, volume);
                Ok(())
            }
        }
    }

    /// Append a variable unless one of the same name exists: the chain's own variables
    /// must have inject's value, others (region, endpoints) are kept and reported.
    fn add_env(
        &mut self,
        list: &mut Vec<Value>,
        at: &ListAt,
        variable: Value,
        owner: &str,
        mode: Mode,
    ) -> Result<(), InjectError> {
        let name = text_at(&variable, &["name"]).unwrap_or_default().to_owned();
        let chain = match mode {
            Mode::Native => ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"],
            Mode::Process => ["AWS_CONFIG_FILE", "AWS_PROFILE"],
        };
        let Some(existing) = list
            .iter()
            .find(|existing| existing.get("name") == variable.get("name"))
        else {
            self.append(list, at, variable);
            return Ok(());
        };
        let same_value =
            existing.get("value") == variable.get("value") && existing.get("valueFrom").is_none();
        if same_value {
            return Ok(());
        }
        if !chain.contains(&name.as_str()) {
            self.note(format!("{owner} already has env {name}; left as it is"));
            return Ok(());
        }
        let found = match text_at(existing, &["value"]) {
            Some(value) => format!("{:?}", echo_input(value)),
            None => "set another way (valueFrom or no value)".to_owned(),
        };
        let wanted = text_at(&variable, &["value"]).unwrap_or_default();
        Err(self.broken(
            format!("{owner}: env {name} is {found}, not {wanted}"),
            &format!(
                "remove {name} from that container (inject sets it), or inject with the values it names"
            ),
        ))
    }

    /// Append to the list in the document and record the edit for rendering.
    fn append(&mut self, list: &mut Vec<Value>, (path, field): &ListAt, item: Value) {
        self.edits.push(Edit {
            path: path.clone(),
            field,
            item: item.clone(),
        });
        list.push(item);
    }

    /// Append a mount unless one of the same name or path exists: the same volume at the
    /// same path is kept; the volume elsewhere, or another volume at the path, is an error.
    fn add_mount(
        &mut self,
        list: &mut Vec<Value>,
        at: &ListAt,
        mount: Value,
        owner: &str,
    ) -> Result<(), InjectError> {
        let clash = list.iter().find(|existing| {
            existing.get("name") == mount.get("name") || existing.get("mountPath") == mount.get("mountPath")
        });
        let Some(existing) = clash else {
            self.append(list, at, mount);
            return Ok(());
        };
        if *existing == mount {
            return Ok(());
        }
        let describe = |value: &Value, key: &str| text_at(value, &[key]).unwrap_or_default().to_owned();
        let (name, path) = (describe(existing, "name"), describe(existing, "mountPath"));
        if existing.get("name") == mount.get("name") && existing.get("mountPath") == mount.get("mountPath") {
            self.note(format!("{owner} already mounts {name} at {path}; left as it is"));
            return Ok(());
        }
        Err(self.broken(
            format!(
                "{owner}: volumeMounts has {name} at {path}, where inject mounts {} at {}",
                describe(&mount, "name"),
                describe(&mount, "mountPath")
            ),
            "remove or move that mount",
        ))
    }

    fn warn_web_identity(&mut self, env: &[Value], owner: &str) {
        for name in ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"] {
            if env
                .iter()
                .any(|variable| variable.get("name").and_then(Value::as_str) == Some(name))
            {
                self.note(format!(
                    "{owner} sets {name}: botocore prefers web identity variables over the credential_process \
                     profile, so remove it for --mode process to take effect"
                ));
            }
        }
    }
}

/// Whether an existing volume of the same name does what `wanted` does: a projected
/// token with the same audience, lifetime and path, or a volume of the same ConfigMap.
fn volume_matches(existing: &Value, wanted: &Value) -> bool {
    if wanted.get("projected").is_some() {
        let want = &wanted["projected"]["sources"][0]["serviceAccountToken"];
        let sources = existing
            .get("projected")
            .and_then(|projected| projected.get("sources"))
            .and_then(Value::as_sequence);
        return sources.is_some_and(|sources| {
            sources.iter().any(|source| {
                source.get("serviceAccountToken").is_some_and(|token| {
                    ["audience", "expirationSeconds", "path"]
                        .iter()
                        .all(|key| token.get(key) == want.get(key))
                })
            })
        });
    }
    existing.get("configMap").and_then(|map| map.get("name")) == wanted["configMap"].get("name")
}

/// The sequence under `key`, created when missing or null; `None` when the manifest
/// holds something else there (left for the apiserver to refuse).
fn sequence_at<'a>(map: &'a mut Mapping, key: &str) -> Option<&'a mut Vec<Value>> {
    let entry = map.entry(Value::from(key)).or_insert(Value::Null);
    if entry.is_null() {
        *entry = Value::Sequence(Vec::new());
    }
    entry.as_sequence_mut()
}

fn mapping(entries: Vec<(&str, Value)>) -> Value {
    Value::Mapping(
        entries
            .into_iter()
            .map(|(key, value)| (Value::from(key), value))
            .collect(),
    )
}

fn token_volume(options: &Options) -> Value {
    let token = mapping(vec![
        ("audience", Value::from(options.audience.as_str())),
        ("expirationSeconds", Value::from(options.expiration_seconds)),
        (
            "path",
            Value::from(awsoidc_credential_process::contract::TOKEN_FILE_NAME),
        ),
    ]);
    let sources = Value::Sequence(vec![mapping(vec![("serviceAccountToken", token)])]);
    mapping(vec![
        ("name", Value::from(TOKEN_VOLUME)),
        ("projected", mapping(vec![("sources", sources)])),
    ])
}

fn config_volume(config_map: &str) -> Value {
    mapping(vec![
        ("name", Value::from(CONFIG_VOLUME)),
        ("configMap", mapping(vec![("name", Value::from(config_map))])),
    ])
}

fn mount(name: &str, path: &str) -> Value {
    mapping(vec![
        ("name", Value::from(name)),
        ("mountPath", Value::from(path)),
        ("readOnly", Value::from(true)),
    ])
}

fn env_var(name: &str, value: &str) -> Value {
    mapping(vec![("name", Value::from(name)), ("value", Value::from(value))])
}

fn environment(options: &Options, role_arn: &str) -> Vec<Value> {
    let mut env = match options.mode {
        Mode::Native => vec![
            env_var("AWS_ROLE_ARN", role_arn),
            env_var(
                "AWS_WEB_IDENTITY_TOKEN_FILE",
                awsoidc_credential_process::contract::DEFAULT_TOKEN_FILE,
            ),
        ],
        Mode::Process => vec![
            env_var(
                "AWS_CONFIG_FILE",
                &format!("{CONFIG_MOUNT_DIR}/{CONFIG_FILE_KEY}"),
            ),
            env_var("AWS_PROFILE", PROFILE),
            env_var("AWS_SDK_LOAD_CONFIG", "1"),
        ],
    };
    env.push(env_var("AWS_STS_REGIONAL_ENDPOINTS", "regional"));
    if let Some(region) = &options.region {
        env.push(env_var("AWS_REGION", region));
    }
    env
}

/// The ConfigMap holding the AWS config for pods running as `service_account`.
pub fn config_map_name(service_account: &str) -> String {
    let mut name = format!("awsoidc-aws-config-{service_account}");
    name.truncate(253);
    name
}

/// The AWS config file whose profile runs the helper for `role_arn`.
pub fn aws_config(role_arn: &str, options: &Options) -> String {
    let mut command = format!("{HELPER_PATH} --role-arn {role_arn}");
    if let Some(region) = &options.region {
        command.push_str(&format!(" --region {region}"));
    }
    if options.audience != DEFAULT_AUDIENCE {
        command.push_str(&format!(" --audience {}", options.audience));
    }
    let mut config = format!(
        "# Written by kubectl awsoidc inject: the AWS CLI and SDKs get credentials from the helper.\n\
         [profile {PROFILE}]\ncredential_process = {command}\n"
    );
    if let Some(region) = &options.region {
        config.push_str(&format!("region = {region}\n"));
    }
    config
}

/// Add (or bring up to date) one generated ConfigMap per ServiceAccount and namespace,
/// placed before the first document that mounts it.
fn add_config_maps(documents: &mut Vec<Document>, templates: &[PodTemplate], settings: &[(String, Options)]) {
    let mut done = BTreeSet::new();
    let mut inserted = 0;
    for (template, (role, options)) in templates.iter().zip(settings) {
        let name = config_map_name(&template.service_account);
        if !done.insert((template.namespace.clone(), name.clone())) {
            continue;
        }
        let mut metadata = vec![("name", Value::from(name.as_str()))];
        if let Some(namespace) = &template.namespace {
            metadata.push(("namespace", Value::from(namespace.as_str())));
        }
        metadata.push((
            "annotations",
            mapping(vec![(GENERATED_ANNOTATION, Value::from("inject"))]),
        ));
        let config_map = mapping(vec![
            ("apiVersion", Value::from("v1")),
            ("kind", Value::from("ConfigMap")),
            ("metadata", mapping(metadata)),
            (
                "data",
                mapping(vec![(CONFIG_FILE_KEY, Value::from(aws_config(role, options)))]),
            ),
        ]);
        let existing = documents.iter_mut().find(|document| {
            is_generated_config(&document.value)
                && text_at(&document.value, &["metadata", "name"]) == Some(name.as_str())
                && text_at(&document.value, &["metadata", "namespace"]) == template.namespace.as_deref()
        });
        match existing {
            Some(document) => {
                *document = Document {
                    header: document.header.clone(),
                    ..Document::generated(config_map)
                }
            }
            None => {
                let first: usize = template
                    .at
                    .split(' ')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1);
                documents.insert(first - 1 + inserted, Document::generated(config_map));
                inserted += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "arn:aws:iam::123456789012:role/KubernetesParameterStoreRole";

    fn run(input: &str, options: &Options) -> Result<(String, Vec<String>), InjectError> {
        let documents = parse_stream(input)?;
        let injected = inject(&documents, options, &|_| Some(ROLE.to_owned().into()))?;
        let (text, mut notes) = render(&injected.documents)?;
        notes.extend(injected.notes);
        Ok((text, notes))
    }

    fn value(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    const POD: &str = "\
# the seed's pod
apiVersion: v1
kind: Pod
metadata:
  name: aws-test
  x-unknown: kept
spec:
  serviceAccountName: aws-parameter-reader
  initContainers:
  - name: setup
    image: busybox
  containers:
  - name: aws
    image: amazon/aws-cli
    command: [sleep, infinity]
  - name: sidecar
    image: envoy
";

    #[test]
    fn native_mode_adds_volume_mounts_and_env_everywhere() {
        let (out, notes) = run(
            POD,
            &Options {
                region: Some("eu-central-1".into()),
                ..Options::default()
            },
        )
        .unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert!(out.starts_with("# the seed's pod\n"), "{out}");
        let pod = value(&out);
        assert_eq!(pod["metadata"]["x-unknown"], value("kept"));
        assert_eq!(
            pod["spec"]["volumes"],
            value(
                "- name: aws-iam-token\n  projected:\n    sources:\n    - serviceAccountToken:\n        \
                 audience: sts.amazonaws.com\n        expirationSeconds: 86400\n        path: token\n"
            )
        );
        for container in [
            &pod["spec"]["initContainers"][0],
            &pod["spec"]["containers"][0],
            &pod["spec"]["containers"][1],
        ] {
            assert_eq!(
                container["volumeMounts"],
                value(&format!(
                    "- name: aws-iam-token\n  mountPath: {TOKEN_MOUNT_DIR}\n  readOnly: true\n"
                ))
            );
            let env = serde_yaml::to_string(&container["env"]).unwrap();
            assert_eq!(
                env,
                format!(
                    "- name: AWS_ROLE_ARN\n  value: {ROLE}\n- name: AWS_WEB_IDENTITY_TOKEN_FILE\n  value: {TOKEN_MOUNT_DIR}/token\n\
                     - name: AWS_STS_REGIONAL_ENDPOINTS\n  value: regional\n- name: AWS_REGION\n  value: eu-central-1\n"
                )
            );
        }
        let keys: Vec<_> = pod["spec"]["containers"][0]
            .as_mapping()
            .unwrap()
            .keys()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(keys, ["name", "image", "command", "volumeMounts", "env"]);
    }

    #[test]
    fn comments_quoting_and_flow_style_survive() {
        let input = "\
# web tier
kind: Deployment
metadata:
  name: web # the name
  labels: {app: web}
spec:
  replicas: 2  # two is enough
  template:
    spec:
      # the app
      containers:
      - name: web
        image: 'nginx:1.27'
        env:
        - name: FOO  # keep me
          value: bar
---
kind: List
items:
- kind: CronJob
  metadata: {name: nightly}
  spec:
    schedule: \"0 3 * * *\"  # 3am
    jobTemplate: {spec: {template: {spec: {containers: [{name: job}]}}}}
";
        let (out, notes) = run(input, &Options::default()).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        for kept in [
            "# web tier\n",
            "name: web # the name\n",
            "labels: {app: web}\n",
            "replicas: 2  # two is enough\n",
            "      # the app\n",
            "image: 'nginx:1.27'\n",
            "- name: FOO  # keep me\n",
            "schedule: \"0 3 * * *\"  # 3am\n",
        ] {
            assert!(out.contains(kept), "{kept:?} lost in\n{out}");
        }
        let documents = parse_stream(&out).unwrap();
        let cron = &documents[1].value["items"][0]["spec"]["jobTemplate"]["spec"]["template"]["spec"];
        assert_eq!(cron["containers"][0]["env"][0]["name"], value("AWS_ROLE_ARN"));
        assert_eq!(cron["volumes"][0]["name"], value("aws-iam-token"));
    }

    #[test]
    fn an_untouched_document_comes_out_byte_for_byte() {
        let (once, _) = run(POD, &Options::default()).unwrap();
        let spaced = once.replace(
            "image: amazon/aws-cli",
            "image:    amazon/aws-cli   # pinned later",
        );
        let (twice, notes) = run(&spaced, &Options::default()).unwrap();
        assert_eq!(twice, spaced);
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn injecting_twice_gives_what_injecting_once_gave() {
        for mode in [Mode::Native, Mode::Process] {
            let options = Options {
                mode,
                region: Some("eu-central-1".into()),
                ..Options::default()
            };
            let (once, _) = run(POD, &options).unwrap();
            let (twice, notes) = run(&once, &options).unwrap();
            assert_eq!(once, twice, "{mode:?}");
            assert!(notes.is_empty(), "{notes:?}");
        }
    }

    #[test]
    fn existing_entries_that_keep_the_chain_working_are_left_alone_and_reported() {
        let input = "\
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      volumes:
      - name: aws-iam-token
        projected:
          defaultMode: 420
          sources:
          - serviceAccountToken: {audience: sts.amazonaws.com, expirationSeconds: 86400, path: token}
      containers:
      - name: app
        env:
        - name: AWS_REGION
          value: us-west-2
        - name: AWS_ROLE_ARN
          value: arn:aws:iam::123456789012:role/KubernetesParameterStoreRole
        volumeMounts:
        - name: aws-iam-token
          mountPath: /var/run/secrets/eks.amazonaws.com/serviceaccount
";
        let (out, notes) = run(
            input,
            &Options {
                region: Some("eu-west-1".into()),
                ..Options::default()
            },
        )
        .unwrap();
        let spec = &value(&out)["spec"]["template"]["spec"];
        assert_eq!(spec["volumes"].as_sequence().unwrap().len(), 1);
        assert_eq!(spec["volumes"][0]["projected"]["defaultMode"], value("420"));
        let container = &spec["containers"][0];
        assert_eq!(container["volumeMounts"].as_sequence().unwrap().len(), 1);
        let regions: Vec<_> = container["env"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter(|v| v["name"] == value("AWS_REGION"))
            .collect();
        assert_eq!(regions.len(), 1);
        assert_eq!(regions[0]["value"], value("us-west-2"));
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(
            notes
                .iter()
                .all(|note| note.starts_with("document 1 (Deployment web): ")),
            "{notes:?}"
        );
    }

    // Defect 7: same-named entries whose values break the chain were only noted.
    #[test]
    fn colliding_entries_that_would_break_the_chain_are_errors_naming_document_container_and_field() {
        let pod = |volumes: &str, env: &str, mounts: &str| {
            format!(
                "kind: Pod\nmetadata: {{name: p}}\nspec:\n  volumes: [{volumes}]\n  containers:\n  - name: app\n    \
                 env: [{env}]\n    volumeMounts: [{mounts}]\n---\nkind: Pod\nmetadata: {{name: q}}\nspec:\n  \
                 containers: [{{name: c}}]\n"
            )
        };
        let projected = |audience: &str, seconds: u32| {
            format!(
                "{{name: aws-iam-token, projected: {{sources: [{{serviceAccountToken: {{audience: {audience}, \
                 expirationSeconds: {seconds}, path: token}}}}]}}}}"
            )
        };
        for (input, expected) in [
            (
                pod("{name: aws-iam-token, emptyDir: {}}", "", ""),
                "document 1 (Pod p): .spec.volumes: volume aws-iam-token is not the projected serviceAccountToken",
            ),
            (
                pod(&projected("sts.amazonaws.co", 86400), "", ""),
                "volume aws-iam-token is not the projected serviceAccountToken inject adds (audience \
                 sts.amazonaws.com, expirationSeconds 86400",
            ),
            (
                pod(&projected("sts.amazonaws.com", 3607), "", ""),
                "volume aws-iam-token is not",
            ),
            (
                pod(
                    "",
                    "{name: AWS_ROLE_ARN, value: 'arn:aws:iam::999999999999:role/Other'}",
                    "",
                ),
                "container app (.spec.containers[0]): env AWS_ROLE_ARN is \"arn:aws:iam::999999999999:role/Other\"",
            ),
            (
                pod("", "{name: AWS_WEB_IDENTITY_TOKEN_FILE, value: /tmp/token}", ""),
                "env AWS_WEB_IDENTITY_TOKEN_FILE is \"/tmp/token\", not /var/run/secrets",
            ),
            (
                pod(
                    "",
                    "",
                    "{name: other, mountPath: /var/run/secrets/eks.amazonaws.com/serviceaccount}",
                ),
                "volumeMounts has other at /var/run/secrets/eks.amazonaws.com/serviceaccount",
            ),
            (
                pod("", "", "{name: aws-iam-token, mountPath: /token}"),
                "volumeMounts has aws-iam-token at /token",
            ),
        ] {
            let err = run(&input, &Options::default()).unwrap_err();
            let message = err.to_string();
            assert!(matches!(err, InjectError::Collision { .. }), "{message}");
            assert!(message.contains(expected), "{expected:?} not in {message}");
            assert!(
                message.contains("would break the credential chain: remove"),
                "{message}"
            );
        }
        let process = Options {
            mode: Mode::Process,
            ..Options::default()
        };
        let err = run(
            &pod("{name: awsoidc-aws-config, configMap: {name: mine}}", "", ""),
            &process,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("volume awsoidc-aws-config is not a configMap volume"),
            "{err}"
        );
        let err = run(&pod("", "{name: AWS_PROFILE, value: default}", ""), &process).unwrap_err();
        assert!(
            err.to_string().contains("env AWS_PROFILE is \"default\""),
            "{err}"
        );
    }

    #[test]
    fn malformed_containers_are_errors_naming_the_document() {
        for (spec, found) in [
            ("{containers: 5}", "not \"5\""),
            ("{}", "not none"),
            ("{containers: []}", "not an empty list"),
            ("{containers: [5]}", "something other than a container"),
            ("{containers: [{name: c}], initContainers: x}", "not \"x\""),
        ] {
            let input = format!(
                "kind: Pod\nmetadata: {{name: ok}}\nspec: {{containers: [{{name: c}}]}}\n---\nkind: Pod\nmetadata: {{name: p}}\nspec: {spec}\n"
            );
            let err = run(&input, &Options::default()).unwrap_err().to_string();
            assert!(err.starts_with("document 2 (Pod p): .spec."), "{err}");
            assert!(err.contains(found), "{found:?} not in {err}");
        }
    }

    // Defect 6: a region is written into manifests and the credential_process line.
    #[test]
    fn regions_must_look_like_eu_central_1() {
        for good in ["eu-central-1", "us-gov-west-1", "cn-north-1"] {
            assert!(check_region(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "'; rm -rf /",
            "eu central",
            "EU-CENTRAL-1",
            "-eu",
            "eu--1",
            "eu-",
            "1-eu",
        ] {
            let err = check_region(bad).unwrap_err().to_string();
            assert!(
                err.starts_with("--region ") && err.contains("like eu-central-1"),
                "{err}"
            );
        }
    }

    #[test]
    fn skipped_containers_get_nothing_and_unknown_names_are_reported() {
        let options = Options {
            skip_containers: vec!["sidecar".into(), "nope".into()],
            ..Options::default()
        };
        let (out, notes) = run(POD, &options).unwrap();
        let pod = value(&out);
        assert!(pod["spec"]["containers"][1].get("env").is_none());
        assert!(pod["spec"]["containers"][0].get("env").is_some());
        assert_eq!(notes, ["--skip-container nope matches no container in the input"]);
    }

    #[test]
    fn every_workload_kind_lists_and_streams_are_injected() {
        let template = "template:\n    spec:\n      containers:\n      - name: c\n";
        let input = format!(
            "kind: Deployment\nmetadata: {{name: d}}\nspec:\n  {template}---\n# a job\nkind: Job\nmetadata: {{name: j}}\nspec:\n  {template}\
             ---\nkind: CronJob\nmetadata: {{name: cj}}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: c\n\
             ---\nkind: List\nitems:\n- kind: StatefulSet\n  metadata: {{name: s}}\n  spec:\n    template: {{spec: {{containers: [{{name: c}}]}}}}\n\
             - kind: DaemonSet\n  metadata: {{name: ds}}\n  spec:\n    template: {{spec: {{containers: [{{name: c}}]}}}}\n\
             - kind: ReplicaSet\n  metadata: {{name: rs}}\n  spec:\n    template: {{spec: {{containers: [{{name: c}}]}}}}\n"
        );
        let documents = parse_stream(&input).unwrap();
        let found: Vec<_> = pod_templates(&documents)
            .unwrap()
            .into_iter()
            .map(|t| (t.at, t.kind))
            .collect();
        assert_eq!(
            found,
            [
                ("1", "Deployment"),
                ("2", "Job"),
                ("3", "CronJob"),
                ("4 item 1", "StatefulSet"),
                ("4 item 2", "DaemonSet"),
                ("4 item 3", "ReplicaSet")
            ]
            .map(|(a, k)| (a.to_owned(), k.to_owned()))
        );
        let (out, _) = run(&input, &Options::default()).unwrap();
        assert_eq!(out.matches("name: AWS_ROLE_ARN").count(), 6);
        assert!(out.contains("---\n# a job\nkind: Job"), "{out}");
        let cron = &parse_stream(&out).unwrap()[2].value;
        assert!(
            cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"][0]["projected"].is_mapping()
        );
    }

    #[test]
    fn process_mode_writes_a_credential_process_profile_and_no_web_identity_env() {
        let options = Options {
            mode: Mode::Process,
            region: Some("eu-central-1".into()),
            ..Options::default()
        };
        let (out, _) = run(POD, &options).unwrap();
        let documents = parse_stream(&out).unwrap();
        assert_eq!(documents.len(), 2);
        let config = &documents[0].value;
        assert_eq!(
            config["metadata"]["name"],
            value("awsoidc-aws-config-aws-parameter-reader")
        );
        assert_eq!(
            config["data"]["config"]
                .as_str()
                .unwrap()
                .lines()
                .skip(1)
                .collect::<Vec<_>>(),
            [
                "[profile awsoidc]",
                &format!(
                    "credential_process = /usr/local/bin/awsoidc-credential-process --role-arn {ROLE} --region eu-central-1"
                ),
                "region = eu-central-1"
            ]
        );
        let pod = &documents[1].value;
        assert_eq!(documents[1].header, "# the seed's pod\n");
        let container = serde_yaml::to_string(&pod["spec"]["containers"][0]).unwrap();
        assert!(
            !container.contains("AWS_ROLE_ARN") && !container.contains("AWS_WEB_IDENTITY_TOKEN_FILE"),
            "{container}"
        );
        assert!(
            container.contains("AWS_CONFIG_FILE") && container.contains("value: /etc/awsoidc/config"),
            "{container}"
        );
        assert!(
            container.contains("AWS_PROFILE") && container.contains("AWS_SDK_LOAD_CONFIG"),
            "{container}"
        );
        assert!(container.contains("mountPath: /etc/awsoidc"), "{container}");
    }

    #[test]
    fn process_mode_warns_about_web_identity_variables_already_set() {
        let input = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    env:\n    - {name: AWS_ROLE_ARN, value: x}\n";
        let (_, notes) = run(
            input,
            &Options {
                mode: Mode::Process,
                ..Options::default()
            },
        )
        .unwrap();
        assert!(
            notes.iter().any(|note| note.contains("botocore prefers")),
            "{notes:?}"
        );
    }

    // Input 4: lifetimes the apiserver or AWS would mishandle.
    #[test]
    fn token_lifetimes_outside_the_rules_are_refused_with_the_reason() {
        for (seconds, reason) in [
            (300, "less than 600 seconds"),
            (3607, "legacy token"),
            (86_401, "at most 86400"),
        ] {
            let err = run(
                POD,
                &Options {
                    expiration_seconds: seconds,
                    ..Options::default()
                },
            )
            .unwrap_err();
            assert!(err.to_string().contains(reason), "{seconds}: {err}");
        }
        for seconds in [600, 3600, 86_400] {
            assert!(check_token_expiration(seconds).is_ok());
        }
    }

    #[test]
    fn errors_name_the_document_and_kind() {
        let err = run("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n---\nkind: Service\nmetadata: {name: s}\n", &Options::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("document 2 is a Service, which has no pod template"),
            "{err}"
        );
        let err = run("kind: Pod\n---\nkind: [unclosed\n", &Options::default()).unwrap_err();
        assert!(
            err.to_string().starts_with("failed to parse document 2 as YAML"),
            "{err}"
        );
        let err = run(
            "kind: Deployment\nmetadata: {name: d}\nspec: {}\n",
            &Options::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("no pod spec at .spec.template.spec"),
            "{err}"
        );
    }

    #[test]
    fn a_service_account_bound_with_its_own_audience_and_lifetime_gets_them() {
        let documents = parse_stream(POD).unwrap();
        let binding = |_: &PodTemplate| {
            Some(Binding {
                role_arn: ROLE.into(),
                audience: Some("custom".into()),
                expiration_seconds: Some(3600),
            })
        };
        let options = Options {
            mode: Mode::Process,
            ..Options::default()
        };
        let injected = inject(&documents, &options, &binding).unwrap();
        let (out, _) = render(&injected.documents).unwrap();
        assert!(
            out.contains("audience: custom\n") && out.contains("expirationSeconds: 3600\n"),
            "{out}"
        );
        assert!(
            out.contains(&format!("--role-arn {ROLE} --audience custom")),
            "{out}"
        );
        let bad = |_: &PodTemplate| {
            Some(Binding {
                expiration_seconds: Some(3607),
                ..Binding::from(ROLE.to_owned())
            })
        };
        assert!(matches!(
            inject(&documents, &options, &bad),
            Err(InjectError::ExpirationLegacyMarker)
        ));
    }

    #[test]
    fn a_missing_role_names_the_service_account_and_the_fix() {
        let documents = parse_stream(POD).unwrap();
        let err = inject(&documents, &Options::default(), &|_| None).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("ServiceAccount aws-parameter-reader"),
            "{message}"
        );
        assert!(
            message.contains("kubectl awsoidc bind aws-parameter-reader ROLE"),
            "{message}"
        );
    }
}

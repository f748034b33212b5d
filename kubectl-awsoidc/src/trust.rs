//! The IAM role trust policy: its document model, how `bind` merges a ServiceAccount
//! into it and `unbind` takes it out again, the size quota IAM enforces, and a local
//! evaluation that judges a (`sub`, `aud`) pair the way IAM would. Pure functions over
//! plain values; reading and writing roles is `role`'s job.
//!
//! Merge rules: statements this module did not write stay as they were (their content,
//! not necessarily their key order); a ServiceAccount joins an existing statement for the
//! same provider and audience (its subject list grows), and `StringLike` is used only for
//! subject patterns, because a wildcard under `StringEquals` never matches.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::issuer::Issuer;

/// The action a web identity federation statement must allow.
pub const WEB_IDENTITY_ACTION: &str = "sts:AssumeRoleWithWebIdentity";

/// IAM's default quota for the length of a role trust policy, in characters
/// (whitespace not counted); accounts can have it raised through Service Quotas.
pub const DEFAULT_TRUST_POLICY_QUOTA: usize = 2048;

const POLICY_VERSION: &str = "2012-10-17";

/// The Sid of the statement `unbind` leaves when it removes the last one: IAM refuses a
/// trust policy without statements, so this one trusts nobody until `bind` replaces it.
pub const NO_SUBJECT_LEFT_SID: &str = "AwsoidcNoSubjectLeft";

/// Why a trust policy cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("failed to parse the trust policy as JSON: {0}")]
    InvalidJson(serde_json::Error),
    #[error("failed to decode the URL-encoded trust policy: {0}")]
    InvalidEncoding(String),
    #[error("the document is not a trust policy: it has no Statement (nor Role.AssumeRolePolicyDocument)")]
    NotAPolicy,
    #[error(
        "the trust policy would be {length} characters, over the IAM quota of {quota}: {fit} of its {subjects} \
         subjects for this provider fit; use --subject-pattern for a group of ServiceAccounts, split them over \
         several roles, or raise the quota (Service Quotas: \"Role trust policy length\") and pass \
         --trust-policy-quota"
    )]
    OverQuota {
        length: usize,
        quota: usize,
        subjects: usize,
        fit: usize,
    },
}

/// An IAM policy document. Fields this model does not name are kept as they came and
/// written back unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyDocument {
    #[serde(rename = "Version", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(rename = "Id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "Statement", deserialize_with = "one_or_many")]
    pub statements: Vec<Statement>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One statement. `Principal`, `Action` and `Condition` stay JSON values so any shape
/// IAM accepts survives a round trip; the accessors below read them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "Sid", default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(rename = "Effect", default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    #[serde(rename = "Principal", default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<Value>,
    #[serde(rename = "Action", default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Value>,
    #[serde(rename = "Condition", default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Value>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Statement>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Box<Statement>),
        Many(Vec<Statement>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(statement) => vec![*statement],
        OneOrMany::Many(statements) => statements,
    })
}

impl PolicyDocument {
    /// A document with no statements, as a new role starts.
    pub fn empty() -> Self {
        Self {
            version: Some(POLICY_VERSION.to_owned()),
            id: None,
            statements: Vec::new(),
            other: Map::new(),
        }
    }

    /// Read a trust policy from a policy document, the JSON of `aws iam get-role` (or the
    /// IAM API's `Role`), or either URL-encoded as the IAM API returns it.
    pub fn parse(text: &str) -> Result<Self, TrustError> {
        let text = text.trim();
        let value: Value = match serde_json::from_str(text) {
            Ok(value) => value,
            Err(err) if text.starts_with('%') => {
                return Self::parse(&percent_decode(text)?).map_err(|inner| match inner {
                    TrustError::InvalidJson(_) => TrustError::InvalidJson(err),
                    other => other,
                });
            }
            Err(err) => return Err(TrustError::InvalidJson(err)),
        };
        Self::from_value(value)
    }

    fn from_value(value: Value) -> Result<Self, TrustError> {
        let embedded = value
            .get("Role")
            .and_then(|role| role.get("AssumeRolePolicyDocument"))
            .or_else(|| value.get("AssumeRolePolicyDocument"));
        match embedded {
            Some(Value::String(text)) => Self::parse(text),
            Some(document) => Self::from_value(document.clone()),
            None if value.get("Statement").is_some() => {
                serde_json::from_value(value).map_err(TrustError::InvalidJson)
            }
            None => Err(TrustError::NotAPolicy),
        }
    }

    /// True when the only statements left are `unbind`'s placeholder.
    pub fn trusts_nobody(&self) -> bool {
        self.statements.iter().all(is_placeholder)
    }

    /// The compact JSON IAM receives.
    pub fn to_compact_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Indented JSON for people (diffs, dry runs).
    pub fn to_pretty_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The length IAM counts against the quota: the document without insignificant whitespace.
    pub fn quota_length(&self) -> usize {
        self.to_compact_json().chars().count()
    }
}

fn placeholder() -> Statement {
    Statement {
        sid: Some(NO_SUBJECT_LEFT_SID.to_owned()),
        effect: Some("Deny".to_owned()),
        principal: Some(serde_json::json!({ "AWS": "*" })),
        action: Some(Value::String("sts:AssumeRole".to_owned())),
        condition: None,
        other: Map::new(),
    }
}

fn is_placeholder(statement: &Statement) -> bool {
    *statement == placeholder()
}

fn percent_decode(text: &str) -> Result<String, TrustError> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'%' => {
                let hex = text
                    .get(at + 1..at + 3)
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    .ok_or_else(|| TrustError::InvalidEncoding(format!("bad escape at offset {at}")))?;
                decoded.push(hex);
                at += 3;
            }
            b'+' => {
                decoded.push(b' ');
                at += 1;
            }
            byte => {
                decoded.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8(decoded).map_err(|err| TrustError::InvalidEncoding(err.to_string()))
}

/// Which ServiceAccounts a binding lets in: one exact `sub`, or a `StringLike` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Exact(String),
    Pattern(String),
}

impl Subject {
    /// A pattern when `text` holds `*` or `?`, otherwise an exact subject.
    pub fn from_text(text: &str) -> Self {
        if text.contains(['*', '?']) {
            Self::Pattern(text.to_owned())
        } else {
            Self::Exact(text.to_owned())
        }
    }

    pub fn text(&self) -> &str {
        match self {
            Self::Exact(text) | Self::Pattern(text) => text,
        }
    }

    fn operator(&self) -> &'static str {
        match self {
            Self::Exact(_) => "StringEquals",
            Self::Pattern(_) => "StringLike",
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

/// What `bind` wants a trust policy to allow.
#[derive(Debug, Clone)]
pub struct Binding {
    pub provider_arn: String,
    pub issuer: Issuer,
    pub subject: Subject,
    pub audience: String,
}

impl Binding {
    fn sub_key(&self) -> String {
        self.issuer.condition_key("sub")
    }

    fn aud_key(&self) -> String {
        self.issuer.condition_key("aud")
    }

    /// The statement `bind` writes when no existing one can take the subject.
    fn statement(&self) -> Statement {
        let mut condition = Map::new();
        let mut equals = Map::new();
        equals.insert(self.aud_key(), Value::String(self.audience.clone()));
        let sub = (self.sub_key(), Value::String(self.subject.text().to_owned()));
        match &self.subject {
            Subject::Exact(_) => {
                equals.insert(sub.0, sub.1);
                condition.insert("StringEquals".to_owned(), Value::Object(equals));
            }
            Subject::Pattern(_) => {
                condition.insert("StringEquals".to_owned(), Value::Object(equals));
                condition.insert("StringLike".to_owned(), Value::Object(Map::from_iter([sub])));
            }
        }
        Statement {
            sid: None,
            effect: Some("Allow".to_owned()),
            principal: Some(serde_json::json!({ "Federated": self.provider_arn })),
            action: Some(Value::String(WEB_IDENTITY_ACTION.to_owned())),
            condition: Some(Value::Object(condition)),
            other: Map::new(),
        }
    }
}

/// The result of merging a binding into a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub policy: PolicyDocument,
    /// False when the policy already allowed the binding (nothing to write).
    pub changed: bool,
}

/// Merge `binding` into `policy`: unchanged when a statement already lists the subject
/// under the right operator; else the subject joins the first statement for the same
/// provider and audience that conditions only on `sub` and `aud` with that operator;
/// else a new statement is appended. Other statements and subjects are never touched.
pub fn bind(policy: &PolicyDocument, binding: &Binding) -> Merged {
    let (sub_key, aud_key) = (binding.sub_key(), binding.aud_key());
    let operator = binding.subject.operator();
    let mut policy = policy.clone();
    policy.statements.retain(|statement| !is_placeholder(statement));
    let mut joinable = None;
    for (index, statement) in policy.statements.iter().enumerate() {
        if !is_federation_for(statement, &binding.provider_arn) {
            continue;
        }
        let conditions = conditions_of(statement);
        let audiences = values_under(&conditions, "StringEquals", &aud_key);
        if !audiences.iter().any(|audience| audience == &binding.audience) {
            continue;
        }
        if values_under(&conditions, operator, &sub_key)
            .iter()
            .any(|sub| sub == binding.subject.text())
        {
            return Merged {
                policy,
                changed: false,
            };
        }
        let only_sub_and_aud = conditions.iter().all(|(op, keys)| {
            keys.keys().all(|key| {
                (op == "StringEquals" && key.eq_ignore_ascii_case(&aud_key))
                    || (op == operator && key.eq_ignore_ascii_case(&sub_key))
            })
        });
        let has_sub_here = !values_under(&conditions, operator, &sub_key).is_empty();
        if joinable.is_none() && only_sub_and_aud && has_sub_here && audiences.len() == 1 {
            joinable = Some(index);
        }
    }
    match joinable {
        Some(index) => add_subject(
            &mut policy.statements[index],
            operator,
            &sub_key,
            binding.subject.text(),
        ),
        None => policy.statements.push(binding.statement()),
    }
    Merged {
        policy,
        changed: true,
    }
}

/// Remove `subject` from every statement for `provider_arn` (the caller decides whether
/// bind added it there); a statement left with one `sub` value gets it back as a plain
/// string, as it was before bind joined it, and a statement left with no `sub` value goes (and when none is left, the placeholder that trusts nobody stays,
/// see [`NO_SUBJECT_LEFT_SID`]). Returns the new policy and whether it changed.
pub fn unbind(policy: &PolicyDocument, provider_arn: &str, issuer: &Issuer, subject: &str) -> Merged {
    let sub_key = issuer.condition_key("sub");
    let mut policy = policy.clone();
    let mut changed = false;
    policy.statements.retain_mut(|statement| {
        if !is_federation_for(statement, provider_arn) {
            return true;
        }
        let Some(Value::Object(condition)) = statement.condition.as_mut() else {
            return true;
        };
        let mut emptied = false;
        for operator in ["StringEquals", "StringLike"] {
            let Some(Value::Object(keys)) = condition.get_mut(operator) else {
                continue;
            };
            let Some(key) = keys
                .keys()
                .find(|key| key.eq_ignore_ascii_case(&sub_key))
                .cloned()
            else {
                continue;
            };
            let remaining = match keys.get(&key) {
                Some(Value::String(only)) if only == subject => Some(Vec::new()),
                Some(Value::Array(values)) if values.iter().any(|value| value == subject) => {
                    Some(values.iter().filter(|value| *value != subject).cloned().collect())
                }
                _ => None,
            };
            if let Some(remaining) = remaining {
                changed = true;
                match <[Value; 1]>::try_from(remaining) {
                    // A lone value goes back to the plain string `bind` found before it joined.
                    Ok([only]) => {
                        keys.insert(key, only);
                    }
                    Err(remaining) if remaining.is_empty() => emptied = true,
                    Err(remaining) => {
                        keys.insert(key, Value::Array(remaining));
                    }
                }
            }
        }
        !emptied
    });
    if policy.statements.is_empty() {
        policy.statements.push(placeholder());
    }
    Merged { policy, changed }
}

/// Refuse a policy over `quota` characters, saying how many of its subjects for the
/// binding's provider would fit.
pub fn check_quota(policy: &PolicyDocument, binding: &Binding, quota: usize) -> Result<(), TrustError> {
    let length = policy.quota_length();
    if length <= quota {
        return Ok(());
    }
    let sub_key = binding.sub_key();
    let mut trimmed = policy.clone();
    let mut subjects = subjects_for(&trimmed, &binding.provider_arn, &sub_key);
    let total = subjects.len();
    while trimmed.quota_length() > quota {
        let Some(last) = subjects.pop() else { break };
        trimmed = unbind(&trimmed, &binding.provider_arn, &binding.issuer, &last).policy;
    }
    Err(TrustError::OverQuota {
        length,
        quota,
        subjects: total,
        fit: subjects.len(),
    })
}

/// Every `sub` value the policy's statements for `provider_arn` list, in order.
fn subjects_for(policy: &PolicyDocument, provider_arn: &str, sub_key: &str) -> Vec<String> {
    policy
        .statements
        .iter()
        .filter(|statement| is_federation_for(statement, provider_arn))
        .flat_map(|statement| {
            let conditions = conditions_of(statement);
            ["StringEquals", "StringLike"]
                .into_iter()
                .flat_map(|operator| values_under(&conditions, operator, sub_key))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn add_subject(statement: &mut Statement, operator: &str, sub_key: &str, subject: &str) {
    let Some(Value::Object(condition)) = statement.condition.as_mut() else {
        return;
    };
    let Some(Value::Object(keys)) = condition.get_mut(operator) else {
        return;
    };
    let key = keys
        .keys()
        .find(|key| key.eq_ignore_ascii_case(sub_key))
        .cloned()
        .unwrap_or(sub_key.to_owned());
    let values = match keys.remove(&key) {
        Some(Value::Array(mut values)) => {
            values.push(Value::String(subject.to_owned()));
            values
        }
        Some(existing) => vec![existing, Value::String(subject.to_owned())],
        None => vec![Value::String(subject.to_owned())],
    };
    keys.insert(key, Value::Array(values));
}

/// An Allow statement whose principal is exactly `provider_arn` (among others) and whose
/// action covers web identity federation.
fn is_federation_for(statement: &Statement, provider_arn: &str) -> bool {
    statement.effect.as_deref() == Some("Allow")
        && federated_principals(statement)
            .iter()
            .any(|principal| principal == provider_arn)
        && actions_allow(statement)
}

fn federated_principals(statement: &Statement) -> Vec<String> {
    match statement
        .principal
        .as_ref()
        .and_then(|principal| principal.get("Federated"))
    {
        Some(value) => strings(value),
        None => Vec::new(),
    }
}

fn principal_is_everyone(statement: &Statement) -> bool {
    match &statement.principal {
        Some(Value::String(star)) => star == "*",
        Some(Value::Object(map)) => map.values().any(|value| strings(value).iter().any(|s| s == "*")),
        _ => false,
    }
}

fn actions_allow(statement: &Statement) -> bool {
    let matches_action = |pattern: &String| {
        glob_match(
            &pattern.to_ascii_lowercase(),
            &WEB_IDENTITY_ACTION.to_ascii_lowercase(),
        )
    };
    match (&statement.action, statement.other.get("NotAction")) {
        (Some(action), _) => strings(action).iter().any(matches_action),
        (None, Some(not_action)) => !strings(not_action).iter().any(matches_action),
        (None, None) => false,
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => vec![text.clone()],
        Value::Array(values) => values.iter().flat_map(strings).collect(),
        Value::Bool(flag) => vec![flag.to_string()],
        Value::Number(number) => vec![number.to_string()],
        _ => Vec::new(),
    }
}

/// The statement's conditions as operator -> key -> values.
fn conditions_of(statement: &Statement) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let Some(Value::Object(condition)) = &statement.condition else {
        return BTreeMap::new();
    };
    condition
        .iter()
        .map(|(operator, keys)| {
            let keys = match keys {
                Value::Object(keys) => keys
                    .iter()
                    .map(|(key, value)| (key.clone(), strings(value)))
                    .collect(),
                _ => BTreeMap::new(),
            };
            (operator.clone(), keys)
        })
        .collect()
}

fn values_under(
    conditions: &BTreeMap<String, BTreeMap<String, Vec<String>>>,
    operator: &str,
    key: &str,
) -> Vec<String> {
    conditions
        .get(operator)
        .into_iter()
        .flat_map(|keys| keys.iter())
        .filter(|(candidate, _)| candidate.eq_ignore_ascii_case(key))
        .flat_map(|(_, values)| values.iter().cloned())
        .collect()
}

/// IAM's `StringLike` matching: `*` is any run of characters (also none), `?` exactly one.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            backtrack = Some((p, t));
            p += 1;
        } else if let Some((star, matched)) = backtrack {
            p = star + 1;
            t = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// IAM's verdict on one web identity request, with the reasons a person needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// True when some Allow statement matches and no Deny statement does.
    pub allowed: bool,
    /// The statement that decided: the allowing one, or the matching Deny.
    pub statement: Option<usize>,
    /// Why statements for this provider did not match, or what could not be judged.
    pub findings: Vec<String>,
}

/// Judge whether a token with `sub` and `aud` from `issuer`, presented through the
/// provider `provider_arn`, may assume a role with this trust policy. Follows IAM:
/// an explicit Deny wins; an Allow needs the principal, the action and every condition
/// (operators AND, keys AND, values OR). Supports `StringEquals`, `StringLike`,
/// `StringNotEquals`, `StringNotLike`, `StringEqualsIgnoreCase`, their `ForAnyValue:` /
/// `ForAllValues:` forms and `IfExists`; a condition on any other operator or key cannot
/// be judged locally, does not match, and is named in the findings.
pub fn evaluate(
    policy: &PolicyDocument,
    provider_arn: &str,
    issuer: &Issuer,
    sub: &str,
    aud: &str,
) -> Evaluation {
    let context = [
        (issuer.condition_key("sub"), sub),
        (issuer.condition_key("aud"), aud),
    ];
    let mut findings = Vec::new();
    let mut allowing = None;
    for (index, statement) in policy.statements.iter().enumerate() {
        let principal_matches = federated_principals(statement).iter().any(|p| p == provider_arn)
            || principal_is_everyone(statement);
        if statement.other.contains_key("NotPrincipal") {
            findings.push(format!(
                "statement {index} uses NotPrincipal, which is not judged locally"
            ));
            continue;
        }
        if !principal_matches {
            let federated = federated_principals(statement);
            if let Some(other) = federated.iter().find(|p| p.contains(":oidc-provider/")) {
                findings.push(format!(
                    "statement {index} trusts the provider {other}, not {provider_arn}"
                ));
            }
            continue;
        }
        if !actions_allow(statement) {
            findings.push(format!("statement {index} does not allow {WEB_IDENTITY_ACTION}"));
            continue;
        }
        let mismatches = condition_mismatches(statement, &context, issuer);
        let effect = statement.effect.as_deref().unwrap_or_default();
        match (effect, mismatches.is_empty()) {
            ("Deny", true) => {
                findings.push(format!("statement {index} explicitly denies this token"));
                return Evaluation {
                    allowed: false,
                    statement: Some(index),
                    findings,
                };
            }
            ("Allow", true) if allowing.is_none() => allowing = Some(index),
            ("Allow", false) => findings.extend(
                mismatches
                    .into_iter()
                    .map(|why| format!("statement {index}: {why}")),
            ),
            _ => {}
        }
    }
    Evaluation {
        allowed: allowing.is_some(),
        statement: allowing,
        findings,
    }
}

/// Why the statement's conditions do not hold for `context` (empty when they all do).
fn condition_mismatches(statement: &Statement, context: &[(String, &str)], issuer: &Issuer) -> Vec<String> {
    let mut mismatches = Vec::new();
    for (operator, keys) in conditions_of(statement) {
        let base = operator
            .strip_prefix("ForAnyValue:")
            .or_else(|| operator.strip_prefix("ForAllValues:"))
            .unwrap_or(&operator);
        let base = base.strip_suffix("IfExists").unwrap_or(base);
        for (key, patterns) in keys {
            let Some((_, actual)) = context.iter().find(|(known, _)| known.eq_ignore_ascii_case(&key)) else {
                let hint = match key.rsplit_once(':') {
                    Some((prefix, claim @ ("sub" | "aud"))) if prefix != issuer.provider_url() => format!(
                        ": its issuer part {prefix:?} differs from the provider URL {:?} ({claim} is never matched)",
                        issuer.provider_url()
                    ),
                    _ => String::new(),
                };
                mismatches.push(format!(
                    "condition {operator} on key {key} cannot be judged locally{hint}"
                ));
                continue;
            };
            let holds = match base {
                "StringEquals" => patterns.iter().any(|p| p == actual),
                "StringEqualsIgnoreCase" => patterns.iter().any(|p| p.eq_ignore_ascii_case(actual)),
                "StringNotEquals" => patterns.iter().all(|p| p != actual),
                "StringLike" => patterns.iter().any(|p| glob_match(p, actual)),
                "StringNotLike" => patterns.iter().all(|p| !glob_match(p, actual)),
                _ => {
                    mismatches.push(format!("condition operator {operator} is not judged locally"));
                    continue;
                }
            };
            if holds {
                continue;
            }
            let mut why = format!("{key} {operator} {patterns:?} does not match {actual:?}");
            if base == "StringEquals" && patterns.iter().any(|p| p.contains(['*', '?'])) {
                why.push_str(" (a wildcard under StringEquals is literal and never matches: use StringLike)");
            }
            mismatches.push(why);
        }
    }
    mismatches
}

/// Subjects that stand for "any ServiceAccount" when a pattern matches them all.
const PROBE_SUBJECTS: [&str; 3] = [
    "system:serviceaccount:a:b",
    "system:serviceaccount:kube-system:default",
    "system:serviceaccount:zz-9:q-1.x",
];

/// Statements for `provider_arn` that let in more than a named set of ServiceAccounts:
/// no `sub` condition, a `sub` pattern matching every ServiceAccount, or no `aud` condition.
pub fn too_wide(policy: &PolicyDocument, provider_arn: &str, issuer: &Issuer) -> Vec<String> {
    let (sub_key, aud_key) = (issuer.condition_key("sub"), issuer.condition_key("aud"));
    let mut findings = Vec::new();
    for (index, statement) in policy.statements.iter().enumerate() {
        let for_provider = federated_principals(statement).iter().any(|p| p == provider_arn)
            || principal_is_everyone(statement);
        if statement.effect.as_deref() != Some("Allow") || !for_provider || !actions_allow(statement) {
            continue;
        }
        let conditions = conditions_of(statement);
        let keyed = |key: &str| {
            conditions
                .values()
                .any(|keys| keys.keys().any(|candidate| candidate.eq_ignore_ascii_case(key)))
        };
        if !keyed(&sub_key) {
            findings.push(format!(
                "statement {index} has no {sub_key} condition: every ServiceAccount of the cluster can assume the role"
            ));
        } else {
            let patterns = ["StringLike", "ForAnyValue:StringLike", "StringLikeIfExists"]
                .into_iter()
                .flat_map(|operator| values_under(&conditions, operator, &sub_key));
            for pattern in patterns {
                if PROBE_SUBJECTS.iter().all(|subject| glob_match(&pattern, subject)) {
                    findings.push(format!(
                        "statement {index}: the {sub_key} pattern {pattern:?} matches every ServiceAccount"
                    ));
                }
            }
        }
        if !keyed(&aud_key) {
            findings.push(format!(
                "statement {index} has no {aud_key} condition: tokens for any audience are accepted"
            ));
        }
    }
    findings
}

/// A unified-style line diff of two texts (`-` removed, `+` added, ` ` kept).
pub fn diff_lines(before: &str, after: &str) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    let mut common = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i][j] = if old[i] == new[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            out.push_str(&format!("  {}\n", old[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < old.len() && (j == new.len() || common[i + 1][j] >= common[i][j + 1]) {
            out.push_str(&format!("- {}\n", old[i]));
            i += 1;
        } else {
            out.push_str(&format!("+ {}\n", new[j]));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ACCOUNT: &str = "123456789012";

    fn issuer() -> Issuer {
        Issuer::parse("https://api.shoot.example.com").unwrap()
    }

    fn binding(subject: &str) -> Binding {
        Binding {
            provider_arn: issuer().provider_arn(ACCOUNT),
            issuer: issuer(),
            subject: Subject::from_text(subject),
            audience: "sts.amazonaws.com".to_owned(),
        }
    }

    fn policy(value: Value) -> PolicyDocument {
        PolicyDocument::parse(&value.to_string()).unwrap()
    }

    fn federation(subjects: Value) -> Value {
        json!({
            "Effect": "Allow",
            "Principal": { "Federated": issuer().provider_arn(ACCOUNT) },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": { "StringEquals": {
                "api.shoot.example.com:aud": "sts.amazonaws.com",
                "api.shoot.example.com:sub": subjects,
            }}
        })
    }

    fn ec2_statement() -> Value {
        json!({ "Sid": "Ec2", "Effect": "Allow", "Principal": { "Service": "ec2.amazonaws.com" },
                "Action": "sts:AssumeRole", "Extra": { "kept": true } })
    }

    fn allows(policy: &PolicyDocument, sub: &str) -> bool {
        evaluate(
            policy,
            &issuer().provider_arn(ACCOUNT),
            &issuer(),
            sub,
            "sts.amazonaws.com",
        )
        .allowed
    }

    #[test]
    fn parses_documents_get_role_output_and_url_encoded_text() {
        let document = json!({ "Version": "2012-10-17", "Statement": [ec2_statement()] });
        let plain = PolicyDocument::parse(&document.to_string()).unwrap();
        let cli = PolicyDocument::parse(
            &json!({ "Role": { "RoleName": "r", "AssumeRolePolicyDocument": document } }).to_string(),
        )
        .unwrap();
        let encoded_text: String = document
            .to_string()
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let api = PolicyDocument::parse(
            &json!({ "Role": { "AssumeRolePolicyDocument": encoded_text } }).to_string(),
        )
        .unwrap();
        let raw = PolicyDocument::parse(&encoded_text).unwrap();
        assert_eq!(plain, cli);
        assert_eq!(plain, api);
        assert_eq!(plain, raw);
        assert_eq!(plain.statements[0].other["Extra"], json!({ "kept": true }));
    }

    #[test]
    fn a_single_statement_object_is_accepted() {
        let parsed = policy(json!({ "Statement": ec2_statement() }));
        assert_eq!(parsed.statements.len(), 1);
    }

    #[test]
    fn refuses_what_is_not_a_policy() {
        assert!(matches!(
            PolicyDocument::parse("{\"Role\": {}}"),
            Err(TrustError::NotAPolicy)
        ));
        assert!(matches!(
            PolicyDocument::parse("not json"),
            Err(TrustError::InvalidJson(_))
        ));
        assert!(matches!(
            PolicyDocument::parse("%7B%zz"),
            Err(TrustError::InvalidEncoding(_))
        ));
    }

    #[test]
    fn bind_into_an_empty_policy_writes_string_equals_for_sub_and_aud() {
        let merged = bind(
            &PolicyDocument::empty(),
            &binding("system:serviceaccount:default:app"),
        );
        assert!(merged.changed);
        assert_eq!(
            serde_json::to_value(&merged.policy).unwrap(),
            json!({ "Version": "2012-10-17", "Statement": [federation(json!("system:serviceaccount:default:app"))] })
        );
        assert!(allows(&merged.policy, "system:serviceaccount:default:app"));
        assert!(!allows(&merged.policy, "system:serviceaccount:default:other"));
    }

    // Input 1: the trust policy names a:b, the pod runs as c:d.
    #[test]
    fn bind_extends_the_subject_list_and_keeps_the_existing_subject() {
        let before = policy(
            json!({ "Version": "2012-10-17", "Statement": [federation(json!("system:serviceaccount:a:b"))] }),
        );
        assert!(!allows(&before, "system:serviceaccount:c:d"));
        let merged = bind(&before, &binding("system:serviceaccount:c:d"));
        assert!(merged.changed);
        assert_eq!(merged.policy.statements.len(), 1);
        assert_eq!(
            merged.policy.statements[0].condition.as_ref().unwrap()["StringEquals"]["api.shoot.example.com:sub"],
            json!(["system:serviceaccount:a:b", "system:serviceaccount:c:d"])
        );
        assert!(allows(&merged.policy, "system:serviceaccount:a:b"));
        assert!(allows(&merged.policy, "system:serviceaccount:c:d"));
    }

    #[test]
    fn binding_twice_changes_nothing() {
        let once = bind(&PolicyDocument::empty(), &binding("system:serviceaccount:a:b")).policy;
        let twice = bind(&once, &binding("system:serviceaccount:a:b"));
        assert!(!twice.changed);
        assert_eq!(twice.policy, once);
    }

    // Input 2: an unrelated EC2 statement survives bind and unbind.
    #[test]
    fn unrelated_statements_survive_bind_and_unbind() {
        let before = policy(json!({ "Version": "2012-10-17", "Statement": [ec2_statement()] }));
        let bound = bind(&before, &binding("system:serviceaccount:a:b")).policy;
        assert_eq!(bound.statements.len(), 2);
        assert_eq!(
            serde_json::to_value(&bound.statements[0]).unwrap(),
            ec2_statement()
        );
        let unbound = unbind(
            &bound,
            &issuer().provider_arn(ACCOUNT),
            &issuer(),
            "system:serviceaccount:a:b",
        );
        assert!(unbound.changed);
        assert_eq!(unbound.policy, before);
    }

    #[test]
    fn removing_the_last_subject_leaves_a_statement_that_trusts_nobody_and_bind_replaces_it() {
        let bound = bind(&PolicyDocument::empty(), &binding("system:serviceaccount:a:b")).policy;
        let unbound = unbind(
            &bound,
            &issuer().provider_arn(ACCOUNT),
            &issuer(),
            "system:serviceaccount:a:b",
        )
        .policy;
        assert!(unbound.trusts_nobody());
        assert_eq!(unbound.statements.len(), 1);
        assert!(!allows(&unbound, "system:serviceaccount:a:b"));
        assert_eq!(
            bind(&unbound, &binding("system:serviceaccount:a:b")).policy,
            bound
        );
    }

    #[test]
    fn unbind_removes_only_the_one_subject() {
        let before = policy(
            json!({ "Statement": [federation(json!(["system:serviceaccount:a:b", "system:serviceaccount:c:d"]))] }),
        );
        let after = unbind(
            &before,
            &issuer().provider_arn(ACCOUNT),
            &issuer(),
            "system:serviceaccount:c:d",
        );
        assert!(after.changed);
        assert!(allows(&after.policy, "system:serviceaccount:a:b"));
        assert!(!allows(&after.policy, "system:serviceaccount:c:d"));
        let again = unbind(
            &after.policy,
            &issuer().provider_arn(ACCOUNT),
            &issuer(),
            "system:serviceaccount:c:d",
        );
        assert!(!again.changed);
    }

    #[test]
    fn joining_a_hand_made_statement_and_leaving_it_restores_it_exactly() {
        let mut hand_made = federation(json!("system:serviceaccount:default:app3"));
        hand_made["Sid"] = json!("HandMade");
        let before = policy(json!({ "Version": "2012-10-17", "Statement": [hand_made] }));
        let joined = bind(&before, &binding("system:serviceaccount:default:app4"));
        assert!(joined.changed);
        let left = unbind(
            &joined.policy,
            &issuer().provider_arn(ACCOUNT),
            &issuer(),
            "system:serviceaccount:default:app4",
        );
        assert_eq!(left.policy, before);
        assert!(!left.policy.trusts_nobody());
    }

    #[test]
    fn a_different_audience_gets_its_own_statement() {
        let before = bind(&PolicyDocument::empty(), &binding("system:serviceaccount:a:b")).policy;
        let mut other = binding("system:serviceaccount:a:b");
        other.audience = "my-audience".to_owned();
        let merged = bind(&before, &other);
        assert_eq!(merged.policy.statements.len(), 2);
    }

    #[test]
    fn patterns_use_string_like_in_their_own_statement() {
        let before = bind(&PolicyDocument::empty(), &binding("system:serviceaccount:a:b")).policy;
        let merged = bind(&before, &binding("system:serviceaccount:ci:runner-*")).policy;
        assert_eq!(merged.statements.len(), 2);
        assert_eq!(
            merged.statements[1].condition.as_ref().unwrap()["StringLike"]["api.shoot.example.com:sub"],
            json!("system:serviceaccount:ci:runner-*")
        );
        assert!(allows(&merged, "system:serviceaccount:ci:runner-42"));
        assert!(allows(&merged, "system:serviceaccount:a:b"));
        assert!(!allows(&merged, "system:serviceaccount:ci:builder"));
    }

    #[test]
    fn a_wildcard_under_string_equals_never_matches_and_is_explained() {
        let policy = policy(json!({ "Statement": [federation(json!("system:serviceaccount:a:*"))] }));
        let verdict = evaluate(
            &policy,
            &issuer().provider_arn(ACCOUNT),
            &issuer(),
            "system:serviceaccount:a:b",
            "sts.amazonaws.com",
        );
        assert!(!verdict.allowed);
        assert!(
            verdict.findings.iter().any(|f| f.contains("use StringLike")),
            "{:?}",
            verdict.findings
        );
    }

    #[test]
    fn evaluation_follows_iam_for_actions_principals_and_deny() {
        let arn = issuer().provider_arn(ACCOUNT);
        let mut statement = federation(json!("system:serviceaccount:a:b"));
        statement["Action"] = json!(["sts:AssumeRole*"]);
        statement["Condition"] = json!({ "ForAnyValue:StringLike": { "api.shoot.example.com:sub": "system:serviceaccount:a:?" },
                                         "StringEquals": { "API.shoot.example.com:AUD": ["x", "sts.amazonaws.com"] } });
        let allowed = policy(json!({ "Statement": [statement.clone()] }));
        let verdict = evaluate(
            &allowed,
            &arn,
            &issuer(),
            "system:serviceaccount:a:b",
            "sts.amazonaws.com",
        );
        assert_eq!((verdict.allowed, verdict.statement), (true, Some(0)));
        assert!(!allows(&allowed, "system:serviceaccount:a:bb"));
        assert!(!evaluate(&allowed, &arn, &issuer(), "system:serviceaccount:a:b", "other").allowed);

        let deny = json!({ "Effect": "Deny", "Principal": "*", "Action": "sts:*",
                           "Condition": { "StringEquals": { "api.shoot.example.com:sub": "system:serviceaccount:a:b" } } });
        let denied = policy(json!({ "Statement": [statement.clone(), deny] }));
        let verdict = evaluate(
            &denied,
            &arn,
            &issuer(),
            "system:serviceaccount:a:b",
            "sts.amazonaws.com",
        );
        assert_eq!((verdict.allowed, verdict.statement), (false, Some(1)));

        let mut wrong_provider = statement;
        wrong_provider["Principal"] =
            json!({ "Federated": "arn:aws:iam::123456789012:oidc-provider/other.example.com" });
        let verdict = evaluate(
            &policy(json!({ "Statement": [wrong_provider] })),
            &arn,
            &issuer(),
            "system:serviceaccount:a:b",
            "sts.amazonaws.com",
        );
        assert!(!verdict.allowed);
        assert!(
            verdict.findings[0].contains("other.example.com"),
            "{:?}",
            verdict.findings
        );
    }

    #[test]
    fn a_condition_key_with_the_wrong_issuer_is_named() {
        let statement = json!({ "Effect": "Allow", "Principal": { "Federated": issuer().provider_arn(ACCOUNT) },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": { "StringEquals": { "https://api.shoot.example.com:sub": "system:serviceaccount:a:b" } } });
        let verdict = evaluate(
            &policy(json!({ "Statement": [statement] })),
            &issuer().provider_arn(ACCOUNT),
            &issuer(),
            "system:serviceaccount:a:b",
            "sts.amazonaws.com",
        );
        assert!(!verdict.allowed);
        assert!(
            verdict.findings[0].contains("differs from the provider URL"),
            "{:?}",
            verdict.findings
        );
    }

    #[test]
    fn glob_matching_is_iam_string_like() {
        assert!(glob_match("a*c", "abbbc"));
        assert!(glob_match("a*", "a"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("*:ns:*", "system:serviceaccount:ns:x"));
        assert!(!glob_match("abc", "abcd"));
    }

    #[test]
    fn too_wide_names_missing_sub_catch_all_patterns_and_missing_aud() {
        let arn = issuer().provider_arn(ACCOUNT);
        let no_sub = json!({ "Effect": "Allow", "Principal": { "Federated": arn }, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": { "StringEquals": { "api.shoot.example.com:aud": "sts.amazonaws.com" } } });
        let catch_all = json!({ "Effect": "Allow", "Principal": { "Federated": arn }, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": { "StringLike": { "api.shoot.example.com:sub": "system:serviceaccount:*" } } });
        let findings = too_wide(
            &policy(
                json!({ "Statement": [no_sub, catch_all, federation(json!("system:serviceaccount:a:b")), ec2_statement()] }),
            ),
            &arn,
            &issuer(),
        );
        assert_eq!(findings.len(), 3, "{findings:?}");
        assert!(findings[0].starts_with("statement 0 has no api.shoot.example.com:sub"));
        assert!(findings[1].contains("matches every ServiceAccount"));
        assert!(findings[2].starts_with("statement 1 has no api.shoot.example.com:aud"));
        let namespace_pattern = bind(&PolicyDocument::empty(), &binding("system:serviceaccount:ci:*")).policy;
        assert!(too_wide(&namespace_pattern, &arn, &issuer()).is_empty());
    }

    // Input 3: 40 ServiceAccounts on one role.
    #[test]
    fn forty_service_accounts_exceed_the_default_quota_and_the_error_says_how_many_fit() {
        let mut policy = PolicyDocument::empty();
        let mut first_failure = None;
        for n in 1..=40 {
            let binding = binding(&format!(
                "system:serviceaccount:team-payments:payments-worker-{n:02}"
            ));
            let merged = bind(&policy, &binding).policy;
            match check_quota(&merged, &binding, DEFAULT_TRUST_POLICY_QUOTA) {
                Ok(()) => policy = merged,
                Err(err) => {
                    first_failure.get_or_insert((n, err));
                }
            }
        }
        let (n, err) = first_failure.expect("40 subjects must exceed 2048 characters");
        let message = err.to_string();
        let TrustError::OverQuota {
            length,
            quota,
            subjects,
            fit,
        } = err
        else {
            panic!("{err}")
        };
        assert_eq!((quota, subjects, fit), (2048, n, n - 1));
        assert!(length > 2048);
        assert!(policy.quota_length() <= 2048);
        assert!(
            message.contains(&format!("{fit} of its {n} subjects")),
            "{message}"
        );
    }

    #[test]
    fn diffs_show_added_and_removed_lines() {
        assert_eq!(diff_lines("a\nb\nc\n", "a\nc\nd\n"), "  a\n- b\n  c\n+ d\n");
        assert_eq!(
            diff_lines("a\n\"x\"\nz\n", "a\n\"x\",\n\"y\"\nz\n"),
            "  a\n- \"x\"\n+ \"x\",\n+ \"y\"\n  z\n"
        );
    }
}

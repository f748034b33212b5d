//! What a write command changes, as plain data: each command computes a list of
//! [`Change`]s, applies them unless `--dry-run`, and prints them the way kubectl does
//! (`clusterrole.rbac.authorization.k8s.io/awsoidc-discovery created (dry run)`).
//! A run in which every change is [`Action::Unchanged`] says so in one line.

use std::fmt;

use serde::Serialize;

use crate::cli::OutputFormat;

/// What happens to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
    Unchanged,
}

impl Action {
    fn past_tense(self) -> &'static str {
        match self {
            Action::Create => "created",
            Action::Update => "configured",
            Action::Delete => "deleted",
            Action::Unchanged => "unchanged",
        }
    }
}

/// One object and what the command does to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// `kind/name` as kubectl prints it, or an AWS resource (`iam-oidc-provider/HOST`).
    pub target: String,
    pub action: Action,
    /// A short reason or diff, printed indented under the line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Change {
    pub fn new(target: impl Into<String>, action: Action) -> Self {
        Self {
            target: target.into(),
            action,
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// The changes of one command run.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    pub changes: Vec<Change>,
    #[serde(skip)]
    pub dry_run: bool,
}

impl Report {
    pub fn new(dry_run: bool) -> Self {
        Self {
            changes: Vec::new(),
            dry_run,
        }
    }

    pub fn push(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// True when the run wrote (or, under `--dry-run`, would write) nothing.
    pub fn is_unchanged(&self) -> bool {
        self.changes
            .iter()
            .all(|change| change.action == Action::Unchanged)
    }
}

impl Report {
    /// Print the report in the format `-o` asks for.
    pub fn print(&self, format: OutputFormat) -> anyhow::Result<()> {
        match format {
            OutputFormat::Text => print!("{self}"),
            OutputFormat::Json => println!("{}", serde_json::to_string_pretty(self)?),
            OutputFormat::Yaml => print!("{}", serde_yaml::to_string(self)?),
        }
        Ok(())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let suffix = if self.dry_run { " (dry run)" } else { "" };
        for change in &self.changes {
            writeln!(f, "{} {}{suffix}", change.target, change.action.past_tense())?;
            if let Some(detail) = &change.detail {
                for line in detail.lines() {
                    writeln!(f, "  {line}")?;
                }
            }
        }
        if self.is_unchanged() {
            writeln!(f, "nothing to change: everything is already as wanted")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_kubectl_and_marks_dry_runs() {
        let mut report = Report::new(true);
        report.push(Change::new("serviceaccount/app", Action::Create).with_detail("annotation added"));
        assert_eq!(
            report.to_string(),
            "serviceaccount/app created (dry run)\n  annotation added\n"
        );
    }

    #[test]
    fn an_all_unchanged_run_says_so() {
        let mut report = Report::new(false);
        report.push(Change::new("clusterrole/x", Action::Unchanged));
        assert!(report.is_unchanged());
        assert!(
            report
                .to_string()
                .ends_with("nothing to change: everything is already as wanted\n")
        );
    }
}

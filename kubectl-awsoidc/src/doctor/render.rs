//! How checks are shown: a readable chain with one mark per link and per check (ANSI
//! colour only when the caller says the output is a terminal), or the plain list of
//! `{id, status, message, fix}` for `-o json` / `-o yaml`.

use std::fmt::Write as _;

use super::{Check, Status, first_failure};

/// The mark and ANSI colour of a status.
fn mark(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Pass => ("✓", "\x1b[32m"),
        Status::Warn => ("!", "\x1b[33m"),
        Status::Fail => ("✗", "\x1b[31m"),
        Status::Skip => ("-", "\x1b[2m"),
    }
}

fn paint(text: &str, status: Status, colour: bool) -> String {
    if colour {
        format!("{}{text}\x1b[0m", mark(status).1)
    } else {
        text.to_owned()
    }
}

/// The chain as text: a heading per link with its worst status, then each check.
pub fn text(checks: &[Check], colour: bool) -> String {
    let width = checks
        .iter()
        .map(|check| check.id.as_str().len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let mut links: Vec<&str> = Vec::new();
    for check in checks {
        if !links.contains(&check.id.link()) {
            links.push(check.id.link());
        }
    }
    for link in links {
        let in_link: Vec<&Check> = checks.iter().filter(|check| check.id.link() == link).collect();
        let worst = in_link
            .iter()
            .map(|check| check.status)
            .max()
            .unwrap_or(Status::Skip);
        let _ = writeln!(out, "{} {link}", paint(mark(worst).0, worst, colour));
        for check in in_link {
            let label = format!("{:<width$}", check.id.as_str());
            let _ = writeln!(
                out,
                "  {} {label}  {}",
                paint(mark(check.status).0, check.status, colour),
                check.message
            );
            if let Some(fix) = &check.fix {
                let _ = writeln!(out, "    {:<width$}  fix: {fix}", "");
            }
        }
    }
    let count = |status| checks.iter().filter(|check| check.status == status).count();
    let _ = write!(
        out,
        "\n{} passed, {} warned, {} failed, {} skipped",
        count(Status::Pass),
        count(Status::Warn),
        count(Status::Fail),
        count(Status::Skip)
    );
    match first_failure(checks) {
        Some(check) => {
            let _ = writeln!(out, "; first broken link: {}", check.id.as_str());
        }
        None => out.push('\n'),
    }
    out
}

pub fn json(checks: &[Check]) -> String {
    serde_json::to_string_pretty(checks).unwrap_or_default() + "\n"
}

pub fn yaml(checks: &[Check]) -> String {
    serde_yaml::to_string(checks).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::CheckId;

    fn sample() -> Vec<Check> {
        vec![
            Check::pass(CheckId::IssuerUrl, "issuer https://a.example"),
            Check::fail(
                CheckId::IssuerToken,
                "token iss differs",
                "kube-apiserver --service-account-issuer=x",
            ),
            Check::skip(CheckId::DiscoveryReachable, "--offline"),
        ]
    }

    #[test]
    fn text_marks_links_and_checks_and_names_the_first_broken_link() {
        let out = text(&sample(), false);
        assert!(out.starts_with("✗ issuer\n  ✓ issuer.url "), "{out}");
        assert!(
            out.contains("fix: kube-apiserver --service-account-issuer=x"),
            "{out}"
        );
        assert!(out.contains("- discovery\n"), "{out}");
        assert!(
            out.ends_with("1 passed, 0 warned, 1 failed, 1 skipped; first broken link: issuer.token\n"),
            "{out}"
        );
        assert!(!out.contains('\x1b'));
        assert!(text(&sample(), true).contains("\x1b[31m✗\x1b[0m"));
    }

    #[test]
    fn json_is_the_list_of_checks() {
        let value: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        assert_eq!(value[1]["id"], "issuer.token");
        assert_eq!(value[1]["status"], "fail");
        assert_eq!(value[2]["fix"], serde_json::Value::Null);
    }
}

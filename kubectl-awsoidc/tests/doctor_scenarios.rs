//! Every `doctor` scenario under `tests/fixtures/doctor/<scenario>/`: the files a user
//! would paste (`scenario.json` says which flag each one is given to, the clock and the
//! other inputs) and the verdict (`expected.json`: exit code, first broken link, the
//! status of every check that is not skipped, and the words messages and fixes must
//! hold). A check missing from `statuses` must be `skip`, so a new finding cannot slip in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use awsoidc_credential_process::time::Timestamp;
use kubectl_awsoidc::doctor::{self, CheckId, Files, Inputs, Status};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    /// What the scenario is, shown when it fails.
    description: String,
    now: String,
    #[serde(default)]
    issuer_url: Option<String>,
    /// `namespace/name`, as `doctor NAME -n NAMESPACE` names it.
    #[serde(default)]
    service_account: Option<String>,
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    aws_endpoint: Option<String>,
    /// Flag name (without `--`) to file name.
    files: BTreeMap<String, String>,
    #[serde(default)]
    known_cas: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    exit: u8,
    first_failure: Option<String>,
    statuses: BTreeMap<String, String>,
    #[serde(default)]
    messages: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    fixes: BTreeMap<String, String>,
}

fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/doctor");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("scenario.json").exists())
        .collect();
    dirs.sort();
    dirs
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|err| panic!("{}/{file}: {err}", dir.display()))
}

fn inputs_of(dir: &Path, scenario: &Scenario) -> Inputs {
    let mut inputs = Inputs::offline_empty();
    inputs.now = Timestamp::parse_rfc3339(&scenario.now).unwrap();
    inputs.issuer_url = scenario.issuer_url.clone();
    inputs.aws_endpoint = scenario.aws_endpoint.clone();
    if let Some(audience) = &scenario.audience {
        inputs.audience = audience.clone();
    }
    inputs.service_account_name = scenario.service_account.as_ref().map(|text| {
        let (namespace, name) = text.split_once('/').unwrap();
        (namespace.to_owned(), name.to_owned())
    });
    inputs.known_cas = scenario
        .known_cas
        .iter()
        .flat_map(|file| doctor::parse_pem_chain(&read(dir, file)).unwrap())
        .collect();
    let mut files = Files::default();
    for (flag, file) in &scenario.files {
        let text = Some(read(dir, file));
        match flag.as_str() {
            "discovery" => files.discovery = text,
            "jwks" => files.jwks = text,
            "token" => files.token = text,
            "chain" => files.chain = text,
            "provider" => files.provider = text,
            "trust-policy" => files.trust_policy = text,
            "service-account-file" => files.service_account = text,
            other => panic!("{}: unknown flag {other}", dir.display()),
        }
    }
    inputs.apply_files(&files).unwrap();
    inputs
}

fn check_scenario(dir: &Path) -> Result<(), String> {
    let scenario: Scenario = serde_json::from_str(&read(dir, "scenario.json")).map_err(|e| e.to_string())?;
    let expected: Expected = serde_json::from_str(&read(dir, "expected.json")).map_err(|e| e.to_string())?;
    let checks = doctor::diagnose(&inputs_of(dir, &scenario));

    let mut problems = Vec::new();
    let known: Vec<&str> = CheckId::ALL.iter().map(|id| id.as_str()).collect();
    for id in expected
        .statuses
        .keys()
        .chain(expected.messages.keys())
        .chain(expected.fixes.keys())
    {
        if !known.contains(&id.as_str()) {
            problems.push(format!("expected.json names unknown check {id}"));
        }
    }
    for check in &checks {
        let id = check.id.as_str();
        let want = expected.statuses.get(id).map_or("skip", String::as_str);
        if check.status.as_str() != want {
            problems.push(format!(
                "{id}: {} (want {want}): {}",
                check.status.as_str(),
                check.message
            ));
        }
        for words in expected.messages.get(id).into_iter().flatten() {
            if !check.message.contains(words.as_str()) {
                problems.push(format!("{id}: message lacks {words:?}: {}", check.message));
            }
        }
        if let Some(fix) = expected.fixes.get(id)
            && check
                .fix
                .as_deref()
                .is_none_or(|actual| !actual.starts_with(fix.as_str()))
        {
            problems.push(format!("{id}: fix {:?} does not start with {fix:?}", check.fix));
        }
        if matches!(check.status, Status::Warn | Status::Fail) && check.fix.is_none() {
            problems.push(format!("{id}: {} without a fix", check.status.as_str()));
        }
    }
    let first = doctor::first_failure(&checks).map(|check| check.id.as_str().to_owned());
    if first != expected.first_failure {
        problems.push(format!(
            "first failure {first:?}, want {:?}",
            expected.first_failure
        ));
    }
    let exit = doctor::exit_code(&checks) as u8;
    if exit != expected.exit {
        problems.push(format!("exit {exit}, want {}", expected.exit));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n  {}", scenario.description, problems.join("\n  ")))
    }
}

#[test]
fn every_scenario_comes_out_as_expected() {
    let dirs = scenarios();
    assert!(
        dirs.len() >= 6,
        "scenarios missing under tests/fixtures/doctor: {dirs:?}"
    );
    let failures: Vec<String> = dirs
        .iter()
        .filter_map(|dir| {
            check_scenario(dir)
                .err()
                .map(|why| format!("{}:\n  {why}", dir.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

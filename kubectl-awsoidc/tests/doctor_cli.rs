//! The `doctor` binary offline: its exit codes (0 nothing failed, 1 a check failed,
//! 2 usage), its JSON, and `--error`. Uses fixture files without tokens, so the real
//! clock cannot change the verdict.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/doctor")
        .join(path)
}

fn doctor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubectl-awsoidc"))
        .arg("doctor")
        .args(args)
        .env_clear()
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn path(name: &str) -> String {
    fixture(name).display().to_string()
}

#[test]
fn a_failed_check_exits_1_and_prints_the_fix() {
    let output = doctor(&[
        "--offline",
        "--discovery",
        &path("jwks-uri-internal/discovery.json"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("✗ discovery.jwks-uri"), "{text}");
    assert!(text.contains(
        "fix: kube-apiserver --service-account-jwks-uri=https://api.example.internal/openid/v1/jwks"
    ));
    assert!(
        text.ends_with("first broken link: discovery.jwks-uri\n"),
        "{text}"
    );
}

#[test]
fn a_warning_alone_exits_0_and_json_lists_every_check() {
    let output = doctor(&[
        "--offline",
        "--issuer-url",
        "https://oidc.example.com",
        "--chain",
        &path("leaf-thumbprint-on-full-chain/chain.pem"),
        "--provider",
        &path("leaf-thumbprint-on-full-chain/provider.json"),
        "-o",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let checks: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let checks = checks.as_array().unwrap();
    assert_eq!(checks.len(), kubectl_awsoidc::doctor::CheckId::ALL.len());
    let thumbprint = checks
        .iter()
        .find(|check| check["id"] == "tls.thumbprint")
        .unwrap();
    assert_eq!(thumbprint["status"], "warn");
    assert_eq!(thumbprint["fix"], "kubectl awsoidc provider sync");
}

#[test]
fn unusable_input_exits_2_naming_the_flag() {
    let missing = doctor(&["--offline", "--jwks", "/nonexistent/jwks.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--jwks /nonexistent/jwks.json"));
    let not_jwks = doctor(&["--offline", "--jwks", &path("healthy/serviceaccount.yaml")]);
    assert_eq!(not_jwks.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_jwks.stderr).contains("--jwks: failed to parse the JWKS"));
    assert_eq!(doctor(&["--offline"]).status.code(), Some(2));
    assert_eq!(
        doctor(&["--offline", "--issuer-url", "http://plain.example"])
            .status
            .code(),
        Some(2)
    );
    assert!(missing.stdout.is_empty(), "nothing half-written on stdout");
}

#[test]
fn error_maps_an_sts_message_to_links_and_checks() {
    let output = doctor(&[
        "--error",
        "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to \
         perform sts:AssumeRoleWithWebIdentity",
        "-o",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let links: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(links[0]["link"], "trust-policy");
    assert!(
        links[0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|id| id == "trust.allows")
    );
}

#[test]
fn a_service_account_file_for_another_account_or_none_is_a_usage_error() {
    let file = path("wrong-annotation/serviceaccount.yaml");
    let output = doctor(&[
        "someone-else",
        "-n",
        "elsewhere",
        "--offline",
        "--service-account-file",
        &file,
    ]);
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8(output.stderr).unwrap();
    assert!(
        text.contains("--service-account-file") && text.contains("not elsewhere/someone-else"),
        "{text}"
    );

    let output = doctor(&["--offline", "--service-account-file", "/dev/null"]);
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8(output.stderr).unwrap();
    assert!(text.contains("no metadata.name"), "{text}");
}

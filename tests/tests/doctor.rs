//! `doctor` on the real test bed: after the seed flow (anonymous discovery, the IAM
//! provider with the CA's thumbprint, `bind --create-role`) every check passes; and
//! every broken link the bed can produce for real (anonymous authentication off, RBAC
//! missing, a ServiceAccount annotated with another role, a leaf-only chain) gets the
//! same verdict online as offline from the files a user would paste into a bug report.
//! moto's STS accepts any token, so these verdicts are the chain's only real proof.

use std::path::{Path, PathBuf};
use std::process::Command;

use awsoidc_testbed::seed::{self, Narrator};
use awsoidc_testbed::{Anonymous, Chain, MOTO_ACCOUNT, TestBed, checked, testbed};
use serde_json::Value;

const NAMESPACE: &str = "doctor-e2e";
const ACCOUNT: &str = "app";
const ROLE: &str = "doctor-app";

const DISCOVERY_RBAC: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: doctor-e2e-discovery
  labels: {app.kubernetes.io/managed-by: kubectl-awsoidc}
rules:
- nonResourceURLs: [/.well-known/openid-configuration, /openid/v1/jwks]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: doctor-e2e-discovery
  labels: {app.kubernetes.io/managed-by: kubectl-awsoidc}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: doctor-e2e-discovery}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:anonymous}
";

/// The SHA-1 of a PEM certificate's DER, as IAM writes thumbprints.
fn thumbprint(pem: &Path) -> String {
    let output = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha1", "-in"])
        .arg(pem)
        .output();
    let text = checked("openssl x509 -fingerprint", output.unwrap()).unwrap();
    text.trim()
        .rsplit('=')
        .next()
        .unwrap()
        .replace(':', "")
        .to_ascii_lowercase()
}

/// The seed flow: discovery open to anonymous requests, the provider, the bound role.
fn seed(bed: &TestBed) {
    bed.reset().unwrap();
    bed.set_anonymous(Anonymous::Legacy).unwrap();
    bed.kubectl_ok(&["apply", "-f", "-"], Some(DISCOVERY_RBAC))
        .unwrap();
    bed.kubectl(&["create", "namespace", NAMESPACE], None);
    bed.kubectl_ok(
        &[
            "delete",
            "serviceaccount",
            ACCOUNT,
            "-n",
            NAMESPACE,
            "--ignore-not-found",
        ],
        None,
    )
    .unwrap();
    bed.aws_ok(&[
        "iam",
        "create-open-id-connect-provider",
        "--url",
        &bed.issuer(),
        "--client-id-list",
        "sts.amazonaws.com",
        "--thumbprint-list",
        &thumbprint(bed.ca_file()),
    ])
    .unwrap();
    let bound = bed
        .plugin()
        .args(["bind", ACCOUNT, ROLE, "-n", NAMESPACE, "--create-role"])
        .output()
        .unwrap();
    checked("kubectl awsoidc bind", bound).unwrap();
}

/// A `doctor -o json` run: its exit code and checks.
fn doctor(bed: &TestBed, args: &[&str]) -> (i32, Vec<Value>) {
    let output = bed
        .plugin()
        .args(["doctor", ACCOUNT, "-n", NAMESPACE, "-o", "json"])
        .args(args)
        .output()
        .unwrap();
    let checks: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "doctor printed no JSON ({err}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap(), checks.as_array().unwrap().clone())
}

fn status<'a>(checks: &'a [Value], id: &str) -> &'a str {
    let check = checks
        .iter()
        .find(|check| check["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"));
    check["status"].as_str().unwrap()
}

fn first_failure(checks: &[Value]) -> Option<String> {
    checks
        .iter()
        .find(|check| check["status"] == "fail")
        .map(|check| check["id"].as_str().unwrap().to_owned())
}

/// A `curl -i`-style capture of an unauthenticated GET, as a user would paste it.
fn capture(bed: &TestBed, path: &str) -> String {
    let (code, body) = bed.get_anonymously(path).expect("an HTTP answer");
    format!("HTTP/1.1 {code}\r\ncontent-type: application/json\r\n\r\n{body}")
}

/// Write the files a user would paste: anonymous captures of both documents, a
/// TokenRequest token, the presented chain, `aws iam` JSON and the ServiceAccount.
fn paste_files(bed: &TestBed, dir: &Path, chain: Chain) -> Vec<(String, PathBuf)> {
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let account_yaml = bed
        .kubectl_ok(
            &["get", "serviceaccount", ACCOUNT, "-n", NAMESPACE, "-o", "yaml"],
            None,
        )
        .unwrap();
    let account: Value = serde_json::from_str(
        &bed.kubectl_ok(
            &["get", "serviceaccount", ACCOUNT, "-n", NAMESPACE, "-o", "json"],
            None,
        )
        .unwrap(),
    )
    .unwrap();
    let role_arn = account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let role_name = role_arn.rsplit('/').next().unwrap();
    let provider_arn = format!(
        "arn:aws:iam::{MOTO_ACCOUNT}:oidc-provider/{}",
        bed.issuer().trim_start_matches("https://")
    );
    let leaf = std::fs::read_to_string(bed.leaf_file()).unwrap();
    let presented = match chain {
        Chain::LeafOnly => leaf,
        Chain::LeafAndCa => leaf + &std::fs::read_to_string(bed.ca_file()).unwrap(),
    };
    vec![
        (
            "--discovery".into(),
            write("discovery.txt", capture(bed, "/.well-known/openid-configuration")),
        ),
        (
            "--jwks".into(),
            write("jwks.txt", capture(bed, "/openid/v1/jwks")),
        ),
        (
            "--token".into(),
            write(
                "token.jwt",
                bed.create_token(NAMESPACE, ACCOUNT, "sts.amazonaws.com", 600)
                    .unwrap(),
            ),
        ),
        ("--chain".into(), write("chain.pem", presented)),
        (
            "--provider".into(),
            write(
                "provider.json",
                bed.aws_ok(&[
                    "iam",
                    "get-open-id-connect-provider",
                    "--open-id-connect-provider-arn",
                    &provider_arn,
                ])
                .unwrap(),
            ),
        ),
        (
            "--trust-policy".into(),
            write(
                "role.json",
                bed.aws_ok(&["iam", "get-role", "--role-name", role_name])
                    .unwrap(),
            ),
        ),
        (
            "--service-account-file".into(),
            write("serviceaccount.yaml", account_yaml),
        ),
    ]
}

/// Online and offline (from pasted files) must agree: same exit code, same first
/// broken link, and every check the files allow gets the online status.
fn assert_same_verdict(bed: &TestBed, name: &str, chain: Chain) -> (i32, Vec<Value>) {
    let (online_exit, online) = doctor(bed, &[]);
    let dir = bed.scratch(&format!("doctor-{name}"));
    let files = paste_files(bed, &dir, chain);
    let mut args: Vec<String> = vec!["--offline".into()];
    for (flag, path) in &files {
        args.push(flag.clone());
        args.push(path.display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (offline_exit, offline) = doctor(bed, &args);
    assert_eq!(
        online_exit, offline_exit,
        "{name}: exit online {online:#?}\noffline {offline:#?}"
    );
    assert_eq!(
        first_failure(&online),
        first_failure(&offline),
        "{name}: first broken link"
    );
    for check in offline.iter().filter(|check| check["status"] != "skip") {
        let id = check["id"].as_str().unwrap();
        assert_eq!(
            status(&online, id),
            check["status"],
            "{name}: {id} online vs offline: {check}"
        );
    }
    (online_exit, online)
}

#[test]
fn after_the_seed_flow_every_check_passes() {
    let bed = testbed();
    let _guard = bed.lock();
    seed(bed);
    let (exit, checks) = doctor(bed, &["--exchange"]);
    let not_passing: Vec<&Value> = checks.iter().filter(|check| check["status"] != "pass").collect();
    assert!(not_passing.is_empty(), "{not_passing:#?}");
    assert_eq!(exit, 0);
    let (exit, _) = assert_same_verdict(bed, "seeded", Chain::LeafAndCa);
    assert_eq!(exit, 0);
    bed.reset().unwrap();
}

/// The seed flow's narration is not needed here.
struct Quiet;

impl Narrator for Quiet {
    fn step(&mut self, _title: &str) {}
    fn show(&mut self, _text: &str) {}
}

#[test]
fn after_the_seed_tutorial_with_enable_every_check_passes() {
    let bed = testbed();
    let _guard = bed.lock();
    let outcome = seed::run(bed, &mut Quiet);
    let output = bed
        .plugin()
        .args([
            "doctor",
            seed::SERVICE_ACCOUNT,
            "-n",
            "default",
            "--exchange",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    bed.reset().unwrap();
    outcome.unwrap();
    let checks: Value = serde_json::from_slice(&output.stdout).unwrap();
    let not_passing: Vec<&Value> = checks
        .as_array()
        .unwrap()
        .iter()
        .filter(|check| check["status"] != "pass")
        .collect();
    assert!(not_passing.is_empty(), "{not_passing:#?}");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn anonymous_authentication_off_is_discovery_reachable_online_and_offline() {
    let bed = testbed();
    let _guard = bed.lock();
    seed(bed);
    bed.set_anonymous(Anonymous::Off).unwrap();
    let (exit, checks) = assert_same_verdict(bed, "anonymous-off", Chain::LeafAndCa);
    assert_eq!(exit, 1);
    assert_eq!(first_failure(&checks).as_deref(), Some("discovery.reachable"));
    let message = checks
        .iter()
        .find(|check| check["id"] == "discovery.reachable")
        .unwrap()["message"]
        .to_string();
    assert!(
        message.contains("401") && message.contains("anonymous authentication is off"),
        "{message}"
    );
    bed.reset().unwrap();
}

#[test]
fn missing_rbac_is_a_403_online_and_offline() {
    let bed = testbed();
    let _guard = bed.lock();
    seed(bed);
    bed.kubectl_ok(&["delete", "clusterrolebinding", "doctor-e2e-discovery"], None)
        .unwrap();
    let (exit, checks) = assert_same_verdict(bed, "rbac-missing", Chain::LeafAndCa);
    assert_eq!(exit, 1);
    assert_eq!(first_failure(&checks).as_deref(), Some("discovery.reachable"));
    assert_eq!(status(&checks, "jwks.reachable"), "fail");
    let message = checks
        .iter()
        .find(|check| check["id"] == "discovery.reachable")
        .unwrap()["message"]
        .to_string();
    assert!(
        message.contains("403") && message.contains("system:anonymous"),
        "{message}"
    );
    bed.reset().unwrap();
}

#[test]
fn a_service_account_annotated_with_another_role_fails_its_trust_online_and_offline() {
    let bed = testbed();
    let _guard = bed.lock();
    seed(bed);
    // Another role exists, bound to another ServiceAccount; ours is annotated with it.
    let other = bed
        .plugin()
        .args(["bind", "other", "doctor-other", "-n", NAMESPACE, "--create-role"])
        .output()
        .unwrap();
    checked("kubectl awsoidc bind other", other).unwrap();
    let other_arn = format!("eks.amazonaws.com/role-arn=arn:aws:iam::{MOTO_ACCOUNT}:role/doctor-other");
    bed.kubectl_ok(
        &[
            "annotate",
            "serviceaccount",
            ACCOUNT,
            "-n",
            NAMESPACE,
            &other_arn,
            "--overwrite",
        ],
        None,
    )
    .unwrap();
    let (exit, checks) = assert_same_verdict(bed, "wrong-annotation", Chain::LeafAndCa);
    assert_eq!(exit, 1);
    assert_eq!(first_failure(&checks).as_deref(), Some("trust.allows"));
    let check = checks.iter().find(|check| check["id"] == "trust.allows").unwrap();
    let message = check["message"].to_string();
    assert!(
        message.contains(&format!("system:serviceaccount:{NAMESPACE}:{ACCOUNT}")),
        "{message}"
    );
    assert!(
        message.contains(&format!("system:serviceaccount:{NAMESPACE}:other")),
        "{message}"
    );
    assert_eq!(
        check["fix"],
        format!("kubectl awsoidc bind {ACCOUNT} doctor-other -n {NAMESPACE}")
    );
    bed.kubectl_ok(
        &[
            "delete",
            "serviceaccount",
            "other",
            "-n",
            NAMESPACE,
            "--ignore-not-found",
        ],
        None,
    )
    .unwrap();
    bed.reset().unwrap();
}

#[test]
fn a_leaf_only_chain_with_the_cas_thumbprint_fails_online_and_offline() {
    let bed = testbed();
    let _guard = bed.lock();
    seed(bed);
    bed.set_chain(Chain::LeafOnly).unwrap();
    let (exit, checks) = assert_same_verdict(bed, "leaf-only", Chain::LeafOnly);
    assert_eq!(exit, 1);
    assert_eq!(first_failure(&checks).as_deref(), Some("tls.thumbprint"));
    assert_eq!(status(&checks, "tls.chain"), "warn");
    let message = checks
        .iter()
        .find(|check| check["id"] == "tls.thumbprint")
        .unwrap()["message"]
        .to_string();
    assert!(message.contains("AWS only sees the leaf"), "{message}");
    assert!(message.contains(&thumbprint(bed.ca_file())), "{message}");
    bed.reset().unwrap();
}

#[test]
fn a_binding_giving_anonymous_requests_more_than_discovery_warns_in_legacy_mode() {
    let bed = testbed();
    let _guard = bed.lock();
    seed(bed);
    let (_, checks) = doctor(bed, &[]);
    assert_eq!(
        status(&checks, "discovery.anonymous-scope"),
        "pass",
        "kube-apiserver's bootstrap bindings are fine"
    );
    let wide = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: doctor-e2e-read-secrets
  labels: {app.kubernetes.io/managed-by: kubectl-awsoidc}
rules:
- {apiGroups: [\"\"], resources: [secrets], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: doctor-e2e-anonymous-view
  labels: {app.kubernetes.io/managed-by: kubectl-awsoidc}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: doctor-e2e-read-secrets}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:unauthenticated}
";
    bed.kubectl_ok(&["apply", "-f", "-"], Some(wide)).unwrap();
    let (exit, checks) = doctor(bed, &[]);
    assert_eq!(exit, 0, "a warning is not a failure");
    let check = checks
        .iter()
        .find(|check| check["id"] == "discovery.anonymous-scope")
        .unwrap();
    assert_eq!(check["status"], "warn", "{check}");
    let message = check["message"].as_str().unwrap();
    assert!(
        message.contains("ClusterRoleBinding/doctor-e2e-anonymous-view"),
        "{message}"
    );
    assert!(
        message.contains("Group system:unauthenticated") && message.contains("get,list secrets"),
        "{message}"
    );
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .starts_with("kubectl delete clusterrolebinding doctor-e2e-anonymous-view")
    );
    bed.reset().unwrap();
}

#[test]
fn gardeners_managed_issuer_passes_without_anonymous_access() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.reset().unwrap();
    bed.make_shoot(&awsoidc_testbed::ShootSpec::new("managed", "mgd", "1.34.4"))
        .unwrap();
    let kubeconfig = bed.kubeconfig().display().to_string();
    let enable = bed
        .plugin()
        .args([
            "enable",
            "--issuer",
            "managed",
            "--garden-kubeconfig",
            &kubeconfig,
            "--wait",
            "120s",
        ])
        .output()
        .unwrap();
    checked("kubectl awsoidc enable --issuer managed", enable).unwrap();
    let bound = bed
        .plugin()
        .args([
            "bind",
            "managed-app",
            "managed-role",
            "-n",
            "default",
            "--create-role",
        ])
        .output();
    checked("kubectl awsoidc bind", bound.unwrap()).unwrap();
    let output = bed
        .plugin()
        .args([
            "doctor",
            "managed-app",
            "-n",
            "default",
            "--exchange",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let managed = bed
        .managed_issuer()
        .expect("the stand-in serves the managed issuer");
    bed.reset().unwrap();
    let checks: Value = serde_json::from_slice(&output.stdout).unwrap();
    let checks = checks.as_array().unwrap();
    let failing: Vec<&Value> = checks.iter().filter(|check| check["status"] == "fail").collect();
    assert!(failing.is_empty(), "{failing:#?}");
    assert_eq!(output.status.code(), Some(0));
    let issuer = checks.iter().find(|check| check["id"] == "issuer.url").unwrap();
    assert_eq!(issuer["message"], format!("issuer {managed}"));
    assert_eq!(status(checks, "discovery.reachable"), "pass");
    assert_eq!(
        status(checks, "discovery.anonymous-scope"),
        "pass",
        "the apiserver stays closed"
    );
}

//! Smoke tests that prove each part of the test bed is the real thing: the
//! apiserver's own tokens and JWKS, its anonymous-authentication modes, the
//! gardenlet stand-in, moto through the real AWS CLI, and kubectl's plugin lookup.

use std::process::Command;

use awsoidc_testbed::{Anonymous, ShootSpec, checked, jwt_segment, testbed};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// An AuthenticationConfiguration that lets anonymous requests reach only the two
/// discovery paths (what `enable` writes for Kubernetes >= 1.32).
const DISCOVERY_ONLY: &str = "apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
anonymous:
  enabled: true
  conditions:
  - path: /.well-known/openid-configuration
  - path: /openid/v1/jwks
";

const DISCOVERY_RBAC: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: testbed-discovery
  labels: {app.kubernetes.io/managed-by: kubectl-awsoidc}
rules:
- nonResourceURLs: [/.well-known/openid-configuration, /openid/v1/jwks]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: testbed-discovery
  labels: {app.kubernetes.io/managed-by: kubectl-awsoidc}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: testbed-discovery}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:anonymous}
";

#[test]
fn token_request_tokens_verify_against_the_apiservers_own_jwks() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.reset().unwrap();
    bed.kubectl_ok(
        &["create", "serviceaccount", "smoke-token", "-n", "default"],
        None,
    )
    .ok();
    let token = bed
        .create_token("default", "smoke-token", "sts.amazonaws.com", 3600)
        .unwrap();

    let claims = jwt_segment(&token, 1).unwrap();
    assert_eq!(claims["iss"], bed.issuer());
    assert_eq!(claims["sub"], "system:serviceaccount:default:smoke-token");
    assert_eq!(claims["aud"], serde_json::json!(["sts.amazonaws.com"]));

    // The JWKS the apiserver serves (authenticated: anonymous is off) holds the
    // token's kid, and that key is the bed's signing key...
    let jwks: Value = serde_json::from_str(
        &bed.kubectl_ok(&["get", "--raw", "/openid/v1/jwks"], None)
            .unwrap(),
    )
    .unwrap();
    let kid = jwt_segment(&token, 0).unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kid"] == kid.as_str())
        .expect("the token's kid");
    let modulus = checked(
        "openssl rsa -modulus",
        Command::new("openssl")
            .args(["rsa", "-pubin", "-noout", "-modulus", "-in"])
            .arg(bed.signing_public_key())
            .output()
            .unwrap(),
    )
    .unwrap();
    let served_modulus = URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap();
    let served_hex: String = served_modulus.iter().map(|byte| format!("{byte:02X}")).collect();
    assert_eq!(modulus.trim().trim_start_matches("Modulus="), served_hex);

    // ...and the signature verifies with it.
    let dir = bed.scratch("jwks-verify");
    let (signed, signature) = token.rsplit_once('.').unwrap();
    std::fs::write(dir.join("signed"), signed).unwrap();
    std::fs::write(dir.join("signature"), URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
    let verified = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(bed.signing_public_key())
        .arg("-signature")
        .arg(dir.join("signature"))
        .arg(dir.join("signed"))
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
}

#[test]
fn anonymous_off_is_401_and_anonymous_on_without_rbac_is_403() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.reset().unwrap();
    let (status, _) = bed.get_anonymously("/openid/v1/jwks").unwrap();
    assert_eq!(status, 401);

    bed.set_anonymous(Anonymous::Legacy).unwrap();
    let (status, body) = bed.get_anonymously("/openid/v1/jwks").unwrap();
    assert_eq!(status, 403);
    assert!(body.contains("system:anonymous"), "{body}");
    bed.reset().unwrap();
}

#[test]
fn the_gardenlet_stand_in_applies_structured_anonymous_auth_for_the_two_paths_only() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.reset().unwrap();
    bed.kubectl_ok(&["apply", "-f", "-"], Some(DISCOVERY_RBAC))
        .unwrap();
    let shoot = ShootSpec::new("smoke", "dev", "1.34.4");
    bed.make_shoot(&shoot).unwrap();
    let config_map = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: smoke-auth, namespace: {}}}\ndata:\n  config.yaml: |\n{}",
        shoot.namespace(),
        DISCOVERY_ONLY
            .lines()
            .map(|line| format!("    {line}\n"))
            .collect::<String>()
    );
    bed.kubectl_ok(&["apply", "-f", "-"], Some(&config_map)).unwrap();
    let patch = r#"{"spec":{"kubernetes":{"kubeAPIServer":{"structuredAuthentication":{"configMapName":"smoke-auth"}}}}}"#;
    bed.kubectl_ok(
        &[
            "patch",
            "shoot",
            "smoke",
            "-n",
            &shoot.namespace(),
            "--type=merge",
            "-p",
            patch,
        ],
        None,
    )
    .unwrap();

    bed.wait_until(
        "the stand-in to reconcile the shoot",
        std::time::Duration::from_secs(90),
        || {
            matches!(bed.anonymous(), Anonymous::Structured(_))
                && bed
                    .get_anonymously("/openid/v1/jwks")
                    .is_some_and(|(status, _)| status == 200)
        },
    )
    .unwrap();
    let (status, discovery) = bed.get_anonymously("/.well-known/openid-configuration").unwrap();
    assert_eq!(status, 200);
    let discovery: Value = serde_json::from_str(&discovery).unwrap();
    assert_eq!(discovery["issuer"], bed.issuer());
    for closed in ["/api", "/apis", "/version", "/openid/v1/jwks/../../api"] {
        let (status, _) = bed.get_anonymously(closed).unwrap();
        assert_eq!(status, 401, "{closed} must stay closed to anonymous requests");
    }
    bed.reset().unwrap();
}

#[test]
fn moto_serves_ssm_through_the_real_aws_cli() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.reset_moto().unwrap();
    bed.aws_ok(&[
        "ssm",
        "put-parameter",
        "--name",
        "/smoke/value",
        "--value",
        "hello",
        "--type",
        "String",
    ])
    .unwrap();
    let value = bed
        .aws_ok(&[
            "ssm",
            "get-parameter",
            "--name",
            "/smoke/value",
            "--query",
            "Parameter.Value",
            "--output",
            "text",
        ])
        .unwrap();
    assert_eq!(value.trim(), "hello");
}

#[test]
fn kubectl_finds_the_plugin_on_path() {
    let bed = testbed();
    let output = bed.kubectl(&["awsoidc", "version"], None);
    let text = checked("kubectl awsoidc version", output).unwrap();
    assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
    let plugins = bed.kubectl_ok(&["plugin", "list"], None).unwrap();
    assert!(plugins.contains("kubectl-awsoidc"), "{plugins}");
}

//! `enable`, `disable`, `thumbprint` and `provider sync` against the real test bed:
//! the apiserver's real anonymous modes, the gardenlet stand-in and moto's IAM.

use std::process::{Command, Output};

use awsoidc_testbed::{Anonymous, Chain, MOTO_ACCOUNT, ShootSpec, TestBed, checked, testbed};
use serde_json::Value;

fn plugin(bed: &TestBed, args: &[&str]) -> Output {
    bed.plugin().args(args).output().expect("run kubectl-awsoidc")
}

fn plugin_json(bed: &TestBed, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    let text = checked(&format!("kubectl-awsoidc {}", args.join(" ")), plugin(bed, &all)).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("not JSON ({err}): {text}"))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn sha1_of_pem(path: &std::path::Path) -> String {
    let der = Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(path)
        .output()
        .unwrap()
        .stdout;
    let mut child = Command::new("sha1sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&der).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

fn resource_version(bed: &TestBed, args: &[&str]) -> String {
    let mut all = vec!["get"];
    all.extend(args);
    all.extend(["-o", "jsonpath={.metadata.resourceVersion}"]);
    bed.kubectl_ok(&all, None).unwrap()
}

fn provider(bed: &TestBed) -> Value {
    let arn = format!(
        "arn:aws:iam::{MOTO_ACCOUNT}:oidc-provider/{}",
        bed.issuer().trim_start_matches("https://")
    );
    serde_json::from_str(
        &bed.aws_ok(&[
            "iam",
            "get-open-id-connect-provider",
            "--open-id-connect-provider-arn",
            &arn,
        ])
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn anonymous_authentication_off_is_named_as_such_not_as_rbac() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.reset().unwrap();
    let output = plugin(bed, &["enable", "--skip-aws", "--wait", "4s"]);
    assert!(!output.status.success());
    let text = stderr(&output);
    assert!(
        text.contains("401") && text.contains("anonymous authentication is off"),
        "{text}"
    );
    assert!(text.contains("not an RBAC problem"), "{text}");
    assert!(
        text.contains("not a Gardener shoot") && text.contains("AuthenticationConfiguration"),
        "{text}"
    );
    assert!(text.contains("done so far: clusterrole"), "{text}");
}

#[test]
fn rbac_missing_is_403_and_enable_fixes_it() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.reset().unwrap();
    bed.set_anonymous(Anonymous::Legacy).unwrap();
    let (status, body) = bed.get_anonymously("/openid/v1/jwks").unwrap();
    assert_eq!(status, 403);
    assert!(body.contains("system:anonymous"));
    let output = plugin(bed, &["enable", "--skip-aws", "--wait", "30s"]);
    assert!(output.status.success(), "{}", stderr(&output));
    // The documents are checked too; against moto the reachability rules are waived, and said so.
    assert!(
        stderr(&output).contains("AWS is a local stand-in"),
        "{}",
        stderr(&output)
    );
    assert_eq!(bed.get_anonymously("/openid/v1/jwks").unwrap().0, 200);
    assert_eq!(
        bed.get_anonymously("/.well-known/openid-configuration")
            .unwrap()
            .0,
        200
    );
    bed.reset().unwrap();
}

#[test]
fn the_thumbprint_is_the_last_presented_certificates() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.reset().unwrap();
    let hosts = plugin_json(bed, &["thumbprint"]);
    assert_eq!(hosts[0]["choice"]["thumbprint"], sha1_of_pem(bed.ca_file()));
    assert_eq!(hosts[0]["choice"]["shape"], "leaf-and-ca");

    bed.set_chain(Chain::LeafOnly).unwrap();
    let output = plugin(bed, &["thumbprint"]);
    let text = checked("thumbprint", output).unwrap();
    assert!(text.contains(&sha1_of_pem(bed.leaf_file())), "{text}");
    assert!(
        text.contains("breaks when that certificate is renewed") && text.contains("provider sync"),
        "{text}"
    );
    bed.reset().unwrap();
}

#[test]
fn a_structured_shoot_opens_only_the_two_paths_and_registers_the_provider_once() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.reset().unwrap();
    let shoot = ShootSpec::new("demo", "demo", "1.34.4");
    bed.make_shoot(&shoot).unwrap();
    let kubeconfig = bed.kubeconfig().display().to_string();
    let enable = [
        "enable",
        "--garden-kubeconfig",
        kubeconfig.as_str(),
        "--wait",
        "120s",
    ];

    let dry = plugin_json(bed, &[&enable[..], &["--dry-run"]].concat());
    assert!(
        dry["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|change| change["action"] != "unchanged")
    );
    assert_eq!(
        bed.kubectl(&["get", "clusterrole", "kubectl-awsoidc-discovery"], None)
            .status
            .code(),
        Some(1)
    );

    let first = plugin_json(bed, &enable);
    assert_eq!(bed.anonymous(), Anonymous::Structured(bed_structured_config(bed)));
    for open in ["/.well-known/openid-configuration", "/openid/v1/jwks"] {
        assert_eq!(bed.get_anonymously(open).unwrap().0, 200, "{open}");
    }
    for closed in [
        "/api",
        "/apis",
        "/version",
        "/openid/v1/jwks/../../api",
        "/openid/v1/jwks/x",
    ] {
        assert_ne!(
            bed.get_anonymously(closed).unwrap().0,
            200,
            "{closed} must stay closed"
        );
    }
    let registered = provider(bed);
    assert_eq!(
        registered["ClientIDList"],
        serde_json::json!(["sts.amazonaws.com"])
    );
    assert_eq!(
        registered["ThumbprintList"],
        serde_json::json!([sha1_of_pem(bed.ca_file())])
    );
    assert_eq!(first["thumbprints"][0], sha1_of_pem(bed.ca_file()));

    let versions = |bed: &TestBed| {
        [
            resource_version(bed, &["clusterrole", "kubectl-awsoidc-discovery"]),
            resource_version(bed, &["clusterrolebinding", "kubectl-awsoidc-discovery"]),
            resource_version(bed, &["shoot", "demo", "-n", "garden-demo"]),
            resource_version(
                bed,
                &[
                    "configmap",
                    "demo-kubectl-awsoidc-authentication",
                    "-n",
                    "garden-demo",
                ],
            ),
        ]
    };
    let before = versions(bed);
    let second = plugin_json(bed, &enable);
    assert!(
        second["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|change| change["action"] == "unchanged"),
        "{second:#}"
    );
    assert_eq!(versions(bed), before, "a second enable writes nothing");
    let text = checked("enable", plugin(bed, &enable)).unwrap();
    assert!(text.contains("nothing to change"), "{text}");

    let disable = plugin_json(
        bed,
        &["disable", "--garden-kubeconfig", &kubeconfig, "--delete-provider"],
    );
    assert!(
        disable["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["action"] == "delete"),
        "{disable:#}"
    );
    bed.wait_until(
        "the stand-in to undo anonymous access",
        std::time::Duration::from_secs(60),
        || bed.anonymous() == Anonymous::Off,
    )
    .unwrap();
    assert_eq!(
        bed.kubectl(
            &[
                "get",
                "configmap",
                "demo-kubectl-awsoidc-authentication",
                "-n",
                "garden-demo"
            ],
            None
        )
        .status
        .code(),
        Some(1)
    );
    let shoot_json: Value = serde_json::from_str(
        &bed.kubectl_ok(&["get", "shoot", "demo", "-n", "garden-demo", "-o", "json"], None)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        shoot_json["spec"]["kubernetes"]
            .get("kubeAPIServer")
            .and_then(|s| s.as_object())
            .map(|s| s.len())
            .unwrap_or(0),
        0,
        "{shoot_json:#}"
    );
    assert!(
        shoot_json["metadata"]["annotations"]
            .get("kubectl-awsoidc/enabled")
            .is_none()
    );
    bed.reset().unwrap();
}

fn bed_structured_config(bed: &TestBed) -> String {
    match bed.anonymous() {
        Anonymous::Structured(config) => config,
        other => panic!("expected structured anonymous authentication, got {other:?}"),
    }
}

#[test]
fn a_jwt_authenticator_in_the_shoots_config_map_survives_enable_and_disable() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.reset().unwrap();
    let shoot = ShootSpec::new("jwt", "team", "1.33.2");
    bed.make_shoot(&shoot).unwrap();
    let jwt_config = "apiVersion: apiserver.config.k8s.io/v1beta1\nkind: AuthenticationConfiguration\njwt:\n- issuer:\n    url: https://issuer.example.com\n    audiences:\n    - team\n  claimMappings:\n    username:\n      claim: sub\n      prefix: 'oidc:'\n";
    let config_map = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: team-auth, namespace: garden-team}}\ndata:\n  config.yaml: |\n{}",
        jwt_config
            .lines()
            .map(|line| format!("    {line}\n"))
            .collect::<String>()
    );
    bed.kubectl_ok(&["apply", "-f", "-"], Some(&config_map)).unwrap();
    let patch = r#"{"spec":{"kubernetes":{"kubeAPIServer":{"structuredAuthentication":{"configMapName":"team-auth"}}}}}"#;
    bed.kubectl_ok(
        &[
            "patch",
            "shoot",
            "jwt",
            "-n",
            "garden-team",
            "--type=merge",
            "-p",
            patch,
        ],
        None,
    )
    .unwrap();
    let kubeconfig = bed.kubeconfig().display().to_string();

    checked(
        "enable",
        plugin(
            bed,
            &[
                "enable",
                "--garden-kubeconfig",
                &kubeconfig,
                "--skip-aws",
                "--wait",
                "120s",
            ],
        ),
    )
    .unwrap();
    let read = || -> serde_yaml::Value {
        let text = bed
            .kubectl_ok(
                &[
                    "get",
                    "configmap",
                    "team-auth",
                    "-n",
                    "garden-team",
                    "-o",
                    "jsonpath={.data.config\\.yaml}",
                ],
                None,
            )
            .unwrap();
        serde_yaml::from_str(&text).unwrap()
    };
    let merged = read();
    assert_eq!(merged["jwt"][0]["issuer"]["url"], "https://issuer.example.com");
    assert_eq!(merged["anonymous"]["enabled"], true);
    assert_eq!(bed.get_anonymously("/openid/v1/jwks").unwrap().0, 200);

    checked(
        "disable",
        plugin(bed, &["disable", "--garden-kubeconfig", &kubeconfig]),
    )
    .unwrap();
    assert_eq!(
        read(),
        serde_yaml::from_str::<serde_yaml::Value>(jwt_config).unwrap()
    );
    bed.reset().unwrap();
}

#[test]
fn an_old_shoot_gets_the_legacy_flag_and_provider_sync_adds_a_rotated_thumbprint() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.reset().unwrap();
    bed.make_shoot(&ShootSpec::new("old", "legacy", "1.31.5"))
        .unwrap();
    let kubeconfig = bed.kubeconfig().display().to_string();
    bed.set_chain(Chain::LeafOnly).unwrap();
    let output = plugin(
        bed,
        &["enable", "--garden-kubeconfig", &kubeconfig, "--wait", "120s"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("breaks when that certificate is renewed"),
        "{}",
        stderr(&output)
    );
    assert_eq!(bed.anonymous(), Anonymous::Legacy);
    let leaf = sha1_of_pem(bed.leaf_file());
    assert_eq!(provider(bed)["ThumbprintList"], serde_json::json!([leaf]));

    // The chain changes shape (as after a renewal the thumbprint differs): sync adds, keeps the old.
    bed.set_chain(Chain::LeafAndCa).unwrap();
    checked("provider sync", plugin(bed, &["provider", "sync"])).unwrap();
    assert_eq!(
        provider(bed)["ThumbprintList"],
        serde_json::json!([leaf, sha1_of_pem(bed.ca_file())])
    );
    let again = checked("provider sync", plugin(bed, &["provider", "sync"])).unwrap();
    assert!(again.contains("unchanged"), "{again}");
    bed.reset().unwrap();
}

#[test]
fn the_managed_issuer_needs_no_anonymous_access_and_becomes_the_provider() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.reset().unwrap();
    bed.make_shoot(&ShootSpec::new("managed", "mgd", "1.34.4"))
        .unwrap();
    let kubeconfig = bed.kubeconfig().display().to_string();
    let enable = [
        "enable",
        "--issuer",
        "managed",
        "--garden-kubeconfig",
        kubeconfig.as_str(),
        "--wait",
        "120s",
    ];
    let first = plugin_json(bed, &enable);
    let managed = bed
        .managed_issuer()
        .expect("the stand-in serves the managed issuer");
    assert_eq!(first["issuer"], managed.as_str());
    assert!(managed.contains("/projects/mgd/shoots/"), "{managed}");
    assert_eq!(
        bed.anonymous(),
        Anonymous::Off,
        "no anonymous access on the apiserver"
    );
    assert_eq!(
        bed.kubectl(&["get", "clusterrole", "kubectl-awsoidc-discovery"], None)
            .status
            .code(),
        Some(1)
    );
    let arn = format!(
        "arn:aws:iam::{MOTO_ACCOUNT}:oidc-provider/{}",
        managed.trim_start_matches("https://")
    );
    let registered: Value = serde_json::from_str(
        &bed.aws_ok(&[
            "iam",
            "get-open-id-connect-provider",
            "--open-id-connect-provider-arn",
            &arn,
        ])
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        registered["ClientIDList"],
        serde_json::json!(["sts.amazonaws.com"])
    );
    // Tokens now carry the managed issuer, so bind's trust policy keys on it.
    bed.kubectl_ok(
        &["create", "serviceaccount", "managed-app", "-n", "default"],
        None,
    )
    .ok();
    let token = bed
        .create_token("default", "managed-app", "sts.amazonaws.com", 3600)
        .unwrap();
    let claims = awsoidc_testbed::jwt_segment(&token, 1).unwrap();
    assert_eq!(claims["iss"], managed.as_str());

    let second = plugin_json(bed, &enable);
    assert!(
        second["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|change| change["action"] == "unchanged"),
        "{second:#}"
    );
    let output = plugin(bed, &["disable", "--garden-kubeconfig", &kubeconfig]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("managed issuer stays on"),
        "{}",
        stderr(&output)
    );
    bed.reset().unwrap();
}

//! The seed tutorial, end to end, as one test with no manual step: the cluster's issuer
//! as an IAM OIDC provider, `bind` with `--create-role` and the SSM policy, `inject
//! --mode process` of the seed's `aws-test` pod applied to the real apiserver, then the
//! kubelet's part done by hand (no kubelet runs here): a TokenRequest token with the
//! audience and lifetime the stored pod asks for, written where the kubelet writes it,
//! and the pod's AWS config and environment as the apiserver stored them. The real AWS
//! CLI then runs the helper as `credential_process` and reads the parameter from moto.
//!
//! moto's STS does not verify web identity tokens, so the last step judges the role's
//! trust policy against the token's own `sub` and `aud` with `trust::evaluate`.
//! Run with `-- --nocapture` to read the narration.

use std::path::{Path, PathBuf};

use awsoidc_testbed::{MOTO_ACCOUNT, REGION, TestBed, checked, run, testbed};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kubectl_awsoidc::inject::HELPER_PATH;
use kubectl_awsoidc::issuer::Issuer;
use kubectl_awsoidc::trust::{self, PolicyDocument};
use serde_json::Value;

const SERVICE_ACCOUNT: &str = "aws-parameter-reader";
const ROLE: &str = "KubernetesParameterStoreRole";
const SSM_READ_ONLY: &str = "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess";
const PARAMETER: &str = "/demo/demo/image-id";
const PARAMETER_VALUE: &str = "ami-0123456789abcdef0";

/// The seed tutorial's test pod.
const POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: aws-test
spec:
  serviceAccountName: aws-parameter-reader
  containers:
  - name: aws-test
    image: amazon/aws-cli
    command: [sleep, infinity]
";

fn step(text: &str) {
    println!("\n==> {text}");
}

fn plugin_ok(bed: &TestBed, args: &[&str], stdin: Option<&str>) -> String {
    let output = run(bed.plugin().args(args), stdin).expect("run the plugin");
    let out = checked(&format!("kubectl awsoidc {}", args.join(" ")), output).unwrap();
    print!("{out}");
    out
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON")
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON claims")
}

/// The kubelet's projected-volume layout: `FILE -> ..data/FILE`, `..data -> ..<timestamp>`.
fn write_like_the_kubelet(dir: &Path, file: &str, token: &str) -> PathBuf {
    let version = dir.join("..2026_12_03_10_00_00.000000001");
    std::fs::create_dir_all(&version).expect("create the volume directory");
    std::fs::write(version.join(file), token).expect("write the token");
    std::os::unix::fs::symlink(version.file_name().expect("a name"), dir.join("..data")).expect("..data");
    std::os::unix::fs::symlink(format!("..data/{file}"), dir.join(file)).expect("the token link");
    dir.join(file)
}

/// A path inside the pod, placed under the test's stand-in for the pod's file system.
fn in_pod(root: &Path, path: &str) -> PathBuf {
    root.join(path.trim_start_matches('/'))
}

fn by_name<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .and_then(|items| items.iter().find(|item| item["name"] == name))
        .unwrap_or_else(|| panic!("no entry named {name} in {list}"))
}

#[test]
fn seed_tutorial_from_the_provider_to_aws_ssm_get_parameter() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.reset().expect("reset the bed");
    let namespace = "default";

    step("the parameter the workload will read (moto SSM)");
    bed.aws_ok(&[
        "ssm",
        "put-parameter",
        "--name",
        PARAMETER,
        "--value",
        PARAMETER_VALUE,
        "--type",
        "String",
    ])
    .unwrap();

    step("the cluster's issuer becomes an IAM OIDC provider");
    // `enable`'s AWS step, done with the AWS CLI until `enable` is on main.
    bed.aws_ok(&[
        "iam",
        "create-open-id-connect-provider",
        "--url",
        &bed.issuer(),
        "--client-id-list",
        "sts.amazonaws.com",
        "--thumbprint-list",
        &"0".repeat(40),
    ])
    .unwrap();

    step(&format!(
        "kubectl awsoidc bind {SERVICE_ACCOUNT} {ROLE} --create-role --policy-arn {SSM_READ_ONLY}"
    ));
    plugin_ok(
        bed,
        &[
            "bind",
            SERVICE_ACCOUNT,
            ROLE,
            "--create-role",
            "--policy-arn",
            SSM_READ_ONLY,
        ],
        None,
    );

    step("kubectl awsoidc inject --mode process -f pod.yaml | kubectl apply -f -");
    let injected = plugin_ok(
        bed,
        &["inject", "--mode", "process", "--region", REGION, "-f", "-"],
        Some(POD),
    );
    print!(
        "{}",
        bed.kubectl_ok(&["apply", "-f", "-"], Some(&injected)).unwrap()
    );

    step("the kubelet's part: a TokenRequest token as the stored pod asks for it, where the kubelet puts it");
    let pod = json(
        &bed.kubectl_ok(&["get", "pod", "aws-test", "-n", namespace, "-o", "json"], None)
            .unwrap(),
    );
    let spec = &pod["spec"];
    let token_volume = by_name(&spec["volumes"], "aws-iam-token");
    let projection = &token_volume["projected"]["sources"][0]["serviceAccountToken"];
    let audience = projection["audience"].as_str().unwrap();
    let lifetime = u32::try_from(projection["expirationSeconds"].as_u64().unwrap()).unwrap();
    let container = by_name(&spec["containers"], "aws-test");
    let token_mount = by_name(&container["volumeMounts"], "aws-iam-token");
    assert_eq!(token_mount["readOnly"], true);
    let token = bed
        .create_token(
            namespace,
            spec["serviceAccountName"].as_str().unwrap(),
            audience,
            lifetime,
        )
        .unwrap();
    let root = bed.scratch("seed-pod");
    let token_dir = in_pod(&root, token_mount["mountPath"].as_str().unwrap());
    let token_file = write_like_the_kubelet(&token_dir, projection["path"].as_str().unwrap(), &token);
    println!(
        "token for {} (aud {audience}, {lifetime} s) at {}",
        claims(&token)["sub"],
        token_file.display()
    );

    step("the pod's AWS config (its ConfigMap), with the helper from this build in place of the image's");
    let config_volume = by_name(&spec["volumes"], "awsoidc-aws-config");
    let config_map = config_volume["configMap"]["name"].as_str().unwrap();
    let config_mount = by_name(&container["volumeMounts"], "awsoidc-aws-config");
    let stored = json(
        &bed.kubectl_ok(
            &["get", "configmap", config_map, "-n", namespace, "-o", "json"],
            None,
        )
        .unwrap(),
    );
    let helper = format!(
        "{} --token-file {} --cache-dir {}",
        bed.target_dir().join("awsoidc-credential-process").display(),
        token_file.display(),
        root.join("cache").display()
    );
    let config = stored["data"]["config"]
        .as_str()
        .unwrap()
        .replace(HELPER_PATH, &helper);
    let config_dir = in_pod(&root, config_mount["mountPath"].as_str().unwrap());
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config"), &config).unwrap();
    print!("{config}");

    // The AWS CLI with the container's environment as stored, and no static keys.
    let pod_env: Vec<(String, String)> = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|var| {
            (
                var["name"].as_str().unwrap().to_owned(),
                var["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let names: Vec<&str> = pod_env.iter().map(|(name, _)| name.as_str()).collect();
    assert!(
        !names.contains(&"AWS_ROLE_ARN") && !names.contains(&"AWS_WEB_IDENTITY_TOKEN_FILE"),
        "{names:?}"
    );
    let aws = |args: &[&str]| {
        let mut command = bed.command(bed.aws_cli());
        command
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY");
        for (name, value) in &pod_env {
            let value = if name == "AWS_CONFIG_FILE" {
                in_pod(&root, value).display().to_string()
            } else {
                value.clone()
            };
            command.env(name, value);
        }
        checked(
            &format!("aws {}", args.join(" ")),
            command.args(args).output().expect("run the AWS CLI"),
        )
        .unwrap()
    };

    step("aws sts get-caller-identity");
    let identity = aws(&["sts", "get-caller-identity"]);
    print!("{identity}");
    let arn = json(&identity)["Arn"].as_str().unwrap().to_owned();
    assert!(
        arn.starts_with(&format!("arn:aws:sts::{MOTO_ACCOUNT}:assumed-role/{ROLE}/")),
        "{arn}"
    );

    step(&format!("aws ssm get-parameter --name {PARAMETER}"));
    let value = aws(&[
        "ssm",
        "get-parameter",
        "--name",
        PARAMETER,
        "--query",
        "Parameter.Value",
        "--output",
        "text",
    ]);
    print!("{value}");
    assert_eq!(value.trim(), PARAMETER_VALUE);

    step("IAM's judgement, which moto skips: does the role's trust policy let this token in?");
    let role = bed.aws_ok(&["iam", "get-role", "--role-name", ROLE]).unwrap();
    let policy = PolicyDocument::parse(&role).unwrap();
    let issuer = Issuer::parse(claims(&token)["iss"].as_str().unwrap()).unwrap();
    let claims = claims(&token);
    let verdict = trust::evaluate(
        &policy,
        &issuer.provider_arn(MOTO_ACCOUNT),
        &issuer,
        claims["sub"].as_str().unwrap(),
        claims["aud"][0].as_str().unwrap(),
    );
    println!("allowed by statement {:?}", verdict.statement);
    assert!(verdict.allowed, "{:?}", verdict.findings);
}

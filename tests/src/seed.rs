//! The seed tutorial as one flow on the bed, shared by its end-to-end test
//! (`tests/seed.rs`) and `make demo`, which narrates it:
//!
//! 1. a Gardener shoot stand-in, and `kubectl awsoidc enable --garden-kubeconfig`
//!    (anonymous discovery, RBAC, the IAM OIDC provider in moto);
//! 2. `bind aws-parameter-reader KubernetesParameterStoreRole --create-role
//!    --policy-arn arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess`;
//! 3. `inject --mode process` of the seed's `aws-test` pod, applied to the apiserver;
//! 4. the kubelet's part, by hand (no kubelet runs here): a TokenRequest token with the
//!    audience and lifetime the stored pod asks for, written where the kubelet writes it
//!    (its `..data` symlink layout), and the pod's ConfigMap as its AWS config, with the
//!    helper built here in place of the image's;
//! 5. the real AWS CLI with the stored container environment and no static keys:
//!    `aws sts get-caller-identity`, `aws ssm get-parameter`;
//! 6. IAM's judgement, which moto skips: the role's trust policy evaluated against the
//!    token's own `sub` and `aud` with the plugin's `trust::evaluate`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, ensure};
use kubectl_awsoidc::inject::HELPER_PATH;
use kubectl_awsoidc::issuer::Issuer;
use kubectl_awsoidc::trust::{self, PolicyDocument};
use serde_json::Value;

use crate::{MOTO_ACCOUNT, REGION, ShootSpec, TestBed, checked, run as run_command};

pub const SERVICE_ACCOUNT: &str = "aws-parameter-reader";
pub const ROLE: &str = "KubernetesParameterStoreRole";
pub const SSM_READ_ONLY: &str = "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess";
pub const PARAMETER: &str = "/demo/demo/image-id";
pub const PARAMETER_VALUE: &str = "ami-0123456789abcdef0";
const NAMESPACE: &str = "default";

/// The seed tutorial's test pod.
pub const POD: &str = "\
# The seed tutorial's test pod: the AWS CLI, run as the bound ServiceAccount.
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

/// What the chain produced, for the test to check.
#[derive(Debug)]
pub struct Outcome {
    /// `aws sts get-caller-identity`'s Arn.
    pub identity_arn: String,
    /// `aws ssm get-parameter`'s value.
    pub parameter_value: String,
    /// The container's environment names as the apiserver stored them.
    pub environment: Vec<String>,
    /// The trust statement that lets the token in, by `trust::evaluate`.
    pub trusted_by: Option<usize>,
}

/// How the flow reports progress: a step title, or output to show under it.
pub trait Narrator {
    fn step(&mut self, title: &str);
    fn show(&mut self, text: &str);
}

/// Run the whole seed tutorial on a reset bed.
pub fn run(bed: &TestBed, say: &mut dyn Narrator) -> Result<Outcome> {
    bed.reset()?;
    say.step("the parameter the workload will read (moto SSM)");
    bed.aws_ok(&[
        "ssm",
        "put-parameter",
        "--name",
        PARAMETER,
        "--value",
        PARAMETER_VALUE,
        "--type",
        "String",
    ])?;
    say.show(&format!("{PARAMETER} = {PARAMETER_VALUE}\n"));

    say.step("kubectl awsoidc enable --garden-kubeconfig ... (a Gardener shoot stand-in, Kubernetes 1.34)");
    bed.make_shoot(&ShootSpec::new("demo", "demo", "1.34.4"))?;
    let kubeconfig = bed.kubeconfig().display().to_string();
    say.show(&plugin(
        bed,
        &["enable", "--garden-kubeconfig", &kubeconfig, "--wait", "120s"],
        None,
    )?);

    say.step(&format!(
        "kubectl awsoidc bind {SERVICE_ACCOUNT} {ROLE} --create-role --policy-arn {SSM_READ_ONLY}"
    ));
    say.show(&plugin(
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
    )?);

    say.step("kubectl awsoidc inject --mode process -f pod.yaml | kubectl apply -f -");
    let injected = plugin(
        bed,
        &["inject", "--mode", "process", "--region", REGION, "-f", "-"],
        Some(POD),
    )?;
    say.show(&injected);
    say.show(&bed.kubectl_ok(&["apply", "-f", "-"], Some(&injected))?);

    say.step(
        "the kubelet's part, done here (no kubelet runs, so the pod never starts: its container's view is \
         rebuilt on this host): a TokenRequest token as the stored pod asks for it, where the kubelet puts it",
    );
    let pod = json(&bed.kubectl_ok(&["get", "pod", "aws-test", "-n", NAMESPACE, "-o", "json"], None)?)?;
    let spec = &pod["spec"];
    let projection =
        &by_name(&spec["volumes"], "aws-iam-token")?["projected"]["sources"][0]["serviceAccountToken"];
    let audience = text(&projection["audience"])?;
    let lifetime = u32::try_from(
        projection["expirationSeconds"]
            .as_u64()
            .context("no expirationSeconds")?,
    )?;
    let container = by_name(&spec["containers"], "aws-test")?;
    let token_mount = by_name(&container["volumeMounts"], "aws-iam-token")?;
    ensure!(
        token_mount["readOnly"] == true,
        "the token mount is not read-only"
    );
    let token = bed.create_token(NAMESPACE, text(&spec["serviceAccountName"])?, audience, lifetime)?;
    let root = bed.scratch("seed-pod");
    let token_dir = in_pod(&root, text(&token_mount["mountPath"])?);
    let token_file = write_like_the_kubelet(&token_dir, text(&projection["path"])?, &token)?;
    let claims = crate::jwt_segment(&token, 1)?;
    say.show(&format!(
        "token for {} (aud {audience}, {lifetime} s) at {}\n",
        claims["sub"],
        token_file.display()
    ));

    say.step("the pod's AWS config (its ConfigMap), with the helper built here in place of the image's");
    let config_map = text(&by_name(&spec["volumes"], "awsoidc-aws-config")?["configMap"]["name"])?;
    let config_mount = by_name(&container["volumeMounts"], "awsoidc-aws-config")?;
    let stored = json(&bed.kubectl_ok(
        &["get", "configmap", config_map, "-n", NAMESPACE, "-o", "json"],
        None,
    )?)?;
    let helper = format!(
        "{} --token-file {} --cache-dir {}",
        bed.target_dir().join("awsoidc-credential-process").display(),
        token_file.display(),
        root.join("cache").display()
    );
    let config = text(&stored["data"]["config"])?.replace(HELPER_PATH, &helper);
    let config_dir = in_pod(&root, text(&config_mount["mountPath"])?);
    std::fs::create_dir_all(&config_dir)?;
    std::fs::write(config_dir.join("config"), &config)?;
    say.show(&config);

    let environment: Vec<(String, String)> = container["env"]
        .as_array()
        .context("the container has no env")?
        .iter()
        .map(|var| Ok((text(&var["name"])?.to_owned(), text(&var["value"])?.to_owned())))
        .collect::<Result<_>>()?;
    let aws = |args: &[&str]| -> Result<String> {
        let mut command = bed.command(bed.aws_cli());
        command
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY");
        for (name, value) in &environment {
            let value = if name == "AWS_CONFIG_FILE" {
                in_pod(&root, value).display().to_string()
            } else {
                value.clone()
            };
            command.env(name, value);
        }
        checked(&format!("aws {}", args.join(" ")), command.args(args).output()?)
    };

    say.step("aws sts get-caller-identity (the helper as credential_process, moto's STS)");
    let identity = aws(&["sts", "get-caller-identity"])?;
    say.show(&identity);
    let identity_arn = text(&json(&identity)?["Arn"])?.to_owned();

    say.step(&format!("aws ssm get-parameter --name {PARAMETER}"));
    let value = aws(&[
        "ssm",
        "get-parameter",
        "--name",
        PARAMETER,
        "--query",
        "Parameter.Value",
        "--output",
        "text",
    ])?;
    say.show(&value);

    say.step("IAM's judgement, which moto skips: does the role's trust policy let this very token in?");
    let policy = PolicyDocument::parse(&bed.aws_ok(&["iam", "get-role", "--role-name", ROLE])?)?;
    let issuer = Issuer::parse(text(&claims["iss"])?)?;
    let verdict = trust::evaluate(
        &policy,
        &issuer.provider_arn(MOTO_ACCOUNT),
        &issuer,
        text(&claims["sub"])?,
        text(&claims["aud"][0])?,
    );
    match verdict.statement {
        Some(index) => say.show(&format!("allowed by statement {index} of the trust policy\n")),
        None => say.show(&format!("refused: {}\n", verdict.findings.join("; "))),
    }

    say.step(&format!(
        "kubectl awsoidc doctor {SERVICE_ACCOUNT} -n {NAMESPACE}: every link of the chain"
    ));
    say.show(&plugin(bed, &["doctor", SERVICE_ACCOUNT, "-n", NAMESPACE], None)?);
    Ok(Outcome {
        identity_arn,
        parameter_value: value.trim().to_owned(),
        environment: environment.into_iter().map(|(name, _)| name).collect(),
        trusted_by: verdict.allowed.then_some(verdict.statement).flatten(),
    })
}

fn plugin(bed: &TestBed, args: &[&str], stdin: Option<&str>) -> Result<String> {
    checked(
        &format!("kubectl awsoidc {}", args.join(" ")),
        run_command(bed.plugin().args(args), stdin)?,
    )
}

fn json(text: &str) -> Result<Value> {
    serde_json::from_str(text).context("the output is not JSON")
}

fn text(value: &Value) -> Result<&str> {
    value.as_str().with_context(|| format!("{value} is not a string"))
}

fn by_name<'a>(list: &'a Value, name: &str) -> Result<&'a Value> {
    list.as_array()
        .and_then(|items| items.iter().find(|item| item["name"] == name))
        .with_context(|| format!("no entry named {name} in {list}"))
}

/// A path inside the pod, under the flow's stand-in for the pod's file system.
fn in_pod(root: &Path, path: &str) -> PathBuf {
    root.join(path.trim_start_matches('/'))
}

/// The kubelet's projected-volume layout: `FILE -> ..data/FILE`, `..data -> ..<timestamp>`.
fn write_like_the_kubelet(dir: &Path, file: &str, token: &str) -> Result<PathBuf> {
    let version = dir.join("..2026_12_03_10_00_00.000000001");
    std::fs::create_dir_all(&version)?;
    std::fs::write(version.join(file), token)?;
    std::os::unix::fs::symlink(version.file_name().context("a version name")?, dir.join("..data"))?;
    std::os::unix::fs::symlink(format!("..data/{file}"), dir.join(file))?;
    Ok(dir.join(file))
}

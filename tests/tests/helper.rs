//! End to end for the in-pod helper `awsoidc-credential-process`: a token from the real
//! kube-apiserver's TokenRequest API, written where the kubelet writes it (with the
//! kubelet's `..data` symlink layout), the helper as `credential_process` of an AWS CLI
//! profile, and the real AWS CLI reading an SSM parameter from moto with the
//! credentials the helper got from moto's STS. STS requests are counted by a small
//! forwarding proxy in front of moto, so "one request per cold call, none per cached
//! call, at most two for 64 parallel calls" is measured at the server side.
//!
//! Needs the debug helper built next to the test binary:
//! `cargo build -p awsoidc-credential-process && cargo test -p awsoidc-testbed --test helper`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use awsoidc_testbed::{MOTO_ACCOUNT, REGION, TestBed, checked, testbed};
use serde_json::Value;

const NAMESPACE: &str = "demo";
const SERVICE_ACCOUNT: &str = "demo";
const PARAMETER: &str = "/demo/demo/image-id";
const PARAMETER_VALUE: &str = "registry.example/demo@sha256:0123456789abcdef";

/// A forwarding proxy in front of moto that counts AssumeRoleWithWebIdentity requests.
struct CountingProxy {
    url: String,
    assume_role_requests: Arc<AtomicUsize>,
}

impl CountingProxy {
    fn start(upstream: &str) -> CountingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the counting proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let count = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&count);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (upstream, counter) = (upstream.clone(), Arc::clone(&counter));
                std::thread::spawn(move || forward(client, &upstream, &counter));
            }
        });
        CountingProxy {
            url,
            assume_role_requests: count,
        }
    }

    fn count(&self) -> usize {
        self.assume_role_requests.load(Ordering::SeqCst)
    }
}

/// Relay one request (headers and Content-Length body) and the whole response.
fn forward(client: TcpStream, upstream: &str, counter: &AtomicUsize) {
    let mut reader = BufReader::new(client);
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    if String::from_utf8_lossy(&body).contains("Action=AssumeRoleWithWebIdentity") {
        counter.fetch_add(1, Ordering::SeqCst);
    }
    let Ok(mut server) = TcpStream::connect(upstream) else {
        return;
    };
    if server
        .write_all(head.as_bytes())
        .and_then(|()| server.write_all(&body))
        .is_err()
    {
        return;
    }
    let mut client = reader.into_inner();
    let _ = std::io::copy(&mut server, &mut client);
}

/// The kubelet's projected-volume layout under `root`: `token -> ..data/token`,
/// `..data -> ..<timestamp>`; returns the path of `token`.
fn write_like_the_kubelet(root: &Path, token: &str) -> PathBuf {
    let version = root.join("..2026_12_03_09_00_00.000000001");
    std::fs::create_dir_all(&version).expect("create the token volume");
    std::fs::write(version.join("token"), token).expect("write the token");
    std::os::unix::fs::symlink(version.file_name().expect("name"), root.join("..data")).expect("..data");
    std::os::unix::fs::symlink("..data/token", root.join("token")).expect("token link");
    root.join("token")
}

/// The helper binary under test, which `cargo build -p awsoidc-credential-process` puts there.
fn helper_path(bed: &TestBed) -> PathBuf {
    let path = bed.target_dir().join("awsoidc-credential-process");
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build -p awsoidc-credential-process`",
        path.display()
    );
    path
}

/// A ServiceAccount, a role for it in moto, and a real TokenRequest token in a
/// kubelet-style volume under the test's scratch directory.
struct Pod {
    scratch: PathBuf,
    token_file: PathBuf,
    role_arn: String,
}

fn pod(bed: &TestBed, name: &str) -> Pod {
    bed.reset().expect("reset the bed");
    bed.kubectl(&["create", "namespace", NAMESPACE], None);
    bed.kubectl(
        &["create", "serviceaccount", SERVICE_ACCOUNT, "-n", NAMESPACE],
        None,
    );
    let token = bed
        .create_token(NAMESPACE, SERVICE_ACCOUNT, "sts.amazonaws.com", 3600)
        .expect("TokenRequest");
    let scratch = bed.scratch(name);
    let mount = scratch.join("var/run/secrets/eks.amazonaws.com/serviceaccount");
    let token_file = write_like_the_kubelet(&mount, &token);

    let provider = bed.issuer().trim_start_matches("https://").to_owned();
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": format!("arn:aws:iam::{MOTO_ACCOUNT}:oidc-provider/{provider}")},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                format!("{provider}:sub"): format!("system:serviceaccount:{NAMESPACE}:{SERVICE_ACCOUNT}"),
                format!("{provider}:aud"): "sts.amazonaws.com",
            }},
        }],
    });
    let created = bed
        .aws_ok(&[
            "iam",
            "create-role",
            "--role-name",
            "demo",
            "--assume-role-policy-document",
            &trust.to_string(),
        ])
        .expect("create the role in moto");
    let role_arn = serde_json::from_str::<Value>(&created).expect("create-role JSON")["Role"]["Arn"]
        .as_str()
        .expect("role ARN")
        .to_owned();
    Pod {
        scratch,
        token_file,
        role_arn,
    }
}

#[test]
fn aws_cli_reads_ssm_through_the_helper_as_credential_process() {
    let bed = testbed();
    let _guard = bed.lock();
    let pod = pod(bed, "helper-profile");
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
    .expect("put the parameter");
    let proxy = CountingProxy::start(&bed.moto_url());

    let config = pod.scratch.join("aws-config");
    let line = format!(
        "{} --role-arn {} --token-file {} --region {REGION} --cache-dir {}",
        helper_path(bed).display(),
        pod.role_arn,
        pod.token_file.display(),
        pod.scratch.join("cache").display(),
    );
    std::fs::write(
        &config,
        format!("[profile app]\ncredential_process = {line}\nregion = {REGION}\n"),
    )
    .expect("write the AWS config");
    let aws = |args: &[&str]| -> Output {
        let mut command = bed.command(bed.aws_cli());
        // No static keys: the profile's credential_process must be what signs the call.
        command
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY");
        command
            .env("AWS_CONFIG_FILE", &config)
            .env("AWS_SHARED_CREDENTIALS_FILE", pod.scratch.join("none"));
        command
            .env("AWS_ENDPOINT_URL_STS", &proxy.url)
            .args(args)
            .args(["--profile", "app"]);
        command.output().expect("run the AWS CLI")
    };

    let value = checked(
        "aws ssm get-parameter",
        aws(&[
            "ssm",
            "get-parameter",
            "--name",
            PARAMETER,
            "--query",
            "Parameter.Value",
            "--output",
            "text",
        ]),
    )
    .expect("the AWS CLI gets the parameter through the helper");
    assert_eq!(value.trim(), PARAMETER_VALUE);
    assert_eq!(proxy.count(), 1, "one STS request for the cold call");

    // moto maps the helper's ASIA key back to the role session it issued.
    let identity = checked(
        "aws sts get-caller-identity",
        aws(&["sts", "get-caller-identity"]),
    )
    .expect("identity");
    let arn = serde_json::from_str::<Value>(&identity).expect("identity JSON")["Arn"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert_eq!(
        arn,
        format!("arn:aws:sts::{MOTO_ACCOUNT}:assumed-role/demo/{NAMESPACE}.{SERVICE_ACCOUNT}")
    );
    assert_eq!(
        proxy.count(),
        1,
        "the second AWS CLI run is served from the helper's cache"
    );
}

#[test]
fn sixty_four_parallel_calls_on_an_empty_cache_make_at_most_two_sts_requests() {
    let bed = testbed();
    let _guard = bed.lock();
    let pod = pod(bed, "helper-parallel");
    let proxy = CountingProxy::start(&bed.moto_url());
    let cache = pod.scratch.join("cache");
    let children: Vec<_> = (0..64)
        .map(|_| {
            let mut command = bed.helper();
            command
                .env("AWS_ENDPOINT_URL_STS", &proxy.url)
                .env("AWS_ROLE_ARN", &pod.role_arn);
            command
                .env("AWS_WEB_IDENTITY_TOKEN_FILE", &pod.token_file)
                .arg("--cache-dir")
                .arg(&cache);
            command
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn the helper")
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|child| child.wait_with_output().expect("wait"))
        .collect();
    let mut keys = Vec::new();
    for output in &outputs {
        let stdout = checked("awsoidc-credential-process", output.clone()).expect("the helper succeeds");
        let value: Value = serde_json::from_str(&stdout).expect("one JSON object on stdout");
        assert_eq!(value["Version"], serde_json::json!(1));
        let expiration = value["Expiration"].as_str().expect("Expiration");
        assert!(
            expiration.len() == 20 && expiration.ends_with('Z'),
            "{expiration}"
        );
        keys.push(value["AccessKeyId"].as_str().expect("AccessKeyId").to_owned());
    }
    keys.sort();
    keys.dedup();
    let requests = proxy.count();
    assert!(
        (1..=2).contains(&requests),
        "{requests} STS requests for 64 parallel calls"
    );
    assert_eq!(
        keys.len(),
        requests,
        "every caller got credentials from one of the STS answers"
    );
}

//! The `awsoidc-credential-process` binary as a `credential_process` caller sees it:
//! argv, a hermetic environment, stdout, stderr and the exit code, against a small
//! HTTP server that plays STS on loopback and counts the requests that reach it.
//! One test per "input that must come out right" of the helper's issue, named by
//! scenario, plus the retry, timeout and secrecy behaviour.

use awsoidc_credential_process::credentials::ProcessCredentials;
use awsoidc_credential_process::time::Timestamp;
use base64::Engine;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROLE: &str = "arn:aws:iam::111122223333:role/app";
const SECRET_KEY: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRET";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzSESSIONTOKEN";

/// A request as the fake STS saw it.
#[derive(Debug, Clone)]
struct Seen {
    request_line: String,
    body: String,
}

/// What the fake STS does with request number `n` (0-based).
enum Reply {
    Send(u16, String),
    /// Hold the connection open without answering.
    Hang,
}

struct FakeSts {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeSts {
    fn start(reply: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let reply = Arc::new(reply);
        let record = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (record, reply) = (Arc::clone(&record), Arc::clone(&reply));
                std::thread::spawn(move || serve(stream, &record, &*reply));
            }
        });
        FakeSts { url, seen }
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

fn serve(stream: TcpStream, record: &Mutex<Vec<Seen>>, reply: &(dyn Fn(usize, &Seen) -> Reply + Sync)) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let seen = Seen {
        request_line: request_line.trim().to_owned(),
        body: String::from_utf8_lossy(&body).into(),
    };
    let n = {
        let mut record = record.lock().expect("lock");
        record.push(seen.clone());
        record.len() - 1
    };
    let mut stream = reader.into_inner();
    match reply(n, &seen) {
        Reply::Send(status, body) => {
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Reply::Hang => std::thread::sleep(Duration::from_secs(30)),
    }
}

fn success(expiration: &str) -> Reply {
    Reply::Send(
        200,
        format!(
            "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId>\
             <SecretAccessKey>{SECRET_KEY}</SecretAccessKey><SessionToken>{SESSION_TOKEN}</SessionToken>\
             <Expiration>{expiration}</Expiration></Credentials></AssumeRoleWithWebIdentityResult>\
             </AssumeRoleWithWebIdentityResponse>"
        ),
    )
}

fn in_an_hour() -> Reply {
    success(&Timestamp::now().plus(3600).to_string())
}

fn sts_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::Send(
        status,
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
             <Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
        ),
    )
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("awsoidc-bin-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn jwt(claims: serde_json::Value) -> String {
    let encode = |value: serde_json::Value| base64::prelude::BASE64_URL_SAFE_NO_PAD.encode(value.to_string());
    format!(
        "{}.{}.c2ln",
        encode(serde_json::json!({"alg": "RS256", "kid": "k1"})),
        encode(claims)
    )
}

fn sts_token() -> String {
    jwt(serde_json::json!({
        "iss": "https://127.0.0.1:6443", "sub": "system:serviceaccount:team-a:app",
        "aud": ["sts.amazonaws.com"], "exp": Timestamp::now().plus(3600).0,
    }))
}

/// A scratch home with a token file and a cache dir, and the helper command for it.
struct Scene {
    dir: TempDir,
}

impl Scene {
    fn new(label: &str, token: &str) -> Self {
        let dir = TempDir::new(label);
        std::fs::write(dir.0.join("token"), token).expect("write token");
        Scene { dir }
    }

    fn token_file(&self) -> PathBuf {
        self.dir.0.join("token")
    }

    fn cache_dir(&self) -> PathBuf {
        self.dir.0.join("cache")
    }

    /// The helper with a hermetic environment, pointed at `endpoint`.
    fn helper(&self, endpoint: Option<&str>, extra: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_awsoidc-credential-process"));
        command
            .env_clear()
            .env("HOME", &self.dir.0)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        if let Some(endpoint) = endpoint {
            command.env("AWS_ENDPOINT_URL_STS", endpoint);
        }
        command
            .args(["--role-arn", ROLE, "--token-file"])
            .arg(self.token_file());
        command.arg("--cache-dir").arg(self.cache_dir()).args(extra);
        command
    }
}

fn run(mut command: Command) -> Output {
    command.output().expect("run the helper")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// stdout must be exactly one JSON object with integer Version 1; returns it parsed.
fn one_credential_object(output: &Output) -> ProcessCredentials {
    assert!(
        output.status.success(),
        "exit {:?}, stderr: {}",
        output.status,
        stderr(output)
    );
    let stdout = String::from_utf8(output.stdout.clone()).expect("utf-8 stdout");
    let mut values = serde_json::Deserializer::from_str(&stdout).into_iter::<serde_json::Value>();
    let value = values.next().expect("one value").expect("valid JSON");
    assert!(
        values.next().is_none(),
        "more than one JSON value on stdout: {stdout}"
    );
    assert_eq!(value["Version"], serde_json::json!(1), "{stdout}");
    assert!(value["Version"].is_u64(), "{stdout}");
    ProcessCredentials::from_json(stdout.trim()).expect("credential_process JSON")
}

#[test]
fn default_service_account_token_is_refused_before_any_network_call() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    for aud in [
        serde_json::json!(["https://kubernetes.default.svc"]),
        serde_json::Value::Null,
    ] {
        let token = jwt(
            serde_json::json!({"sub": "system:serviceaccount:team-a:default", "aud": aud,
                                           "exp": Timestamp::now().plus(3600).0}),
        );
        let scene = Scene::new("default-sa", &token);
        let output = run(scene.helper(Some(&sts.url), &[]));
        assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
        assert!(output.stdout.is_empty());
        let message = stderr(&output);
        assert!(message.contains("sts.amazonaws.com"), "{message}");
        if aud.is_null() {
            assert!(message.contains("no audience"), "{message}");
        } else {
            assert!(
                message.contains("[\"https://kubernetes.default.svc\"]"),
                "{message}"
            );
        }
    }
    assert_eq!(sts.requests().len(), 0);
}

#[test]
fn expired_token_is_refused_before_any_network_call() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let expired_at = Timestamp::now().plus(-60);
    let token = jwt(serde_json::json!({"aud": "sts.amazonaws.com", "exp": expired_at.0}));
    let scene = Scene::new("expired", &token);
    let output = run(scene.helper(Some(&sts.url), &[]));
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains(&format!("token expired at {expired_at}")),
        "{}",
        stderr(&output)
    );
    assert_eq!(sts.requests().len(), 0);
}

#[test]
fn token_file_missing_for_200_ms_during_symlink_swap_still_succeeds() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let scene = Scene::new("swap", &sts_token());
    // The kubelet's layout: token -> ..data/token, ..data -> a timestamped directory.
    let root = scene.dir.0.join("mount");
    std::fs::create_dir_all(root.join("..2026_01")).expect("mkdir");
    std::fs::write(root.join("..2026_01/token"), sts_token()).expect("write");
    std::os::unix::fs::symlink("..2026_01", root.join("..data")).expect("symlink");
    std::os::unix::fs::symlink("..data/token", root.join("token")).expect("symlink");
    std::fs::remove_file(root.join("..data")).expect("unlink ..data");
    let swap = {
        let root = root.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            std::fs::create_dir_all(root.join("..2026_02")).expect("mkdir");
            std::fs::write(root.join("..2026_02/token"), sts_token()).expect("write");
            std::os::unix::fs::symlink("..2026_02", root.join("..data")).expect("symlink");
        })
    };
    std::fs::remove_file(scene.token_file()).expect("remove the plain token file");
    std::os::unix::fs::symlink(root.join("token"), scene.token_file()).expect("symlink");
    let output = run(scene.helper(Some(&sts.url), &["--no-cache"]));
    swap.join().expect("swap thread");
    one_credential_object(&output);
    assert_eq!(sts.requests().len(), 1);
}

#[test]
fn expiration_with_fraction_or_offset_is_printed_as_utc_z() {
    let later = Timestamp::now().plus(7200);
    let fraction = format!("{}.202393Z", &later.to_string()[..19]);
    let offset = Timestamp(later.0 + 2 * 3600).to_string().replace('Z', "+02:00");
    for (i, expiration) in [fraction, offset].into_iter().enumerate() {
        let sts = FakeSts::start(move |_, _| success(&expiration));
        let scene = Scene::new(&format!("expiration-{i}"), &sts_token());
        let output = run(scene.helper(Some(&sts.url), &[]));
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            stdout.contains(&format!("\"Expiration\":\"{later}\"")),
            "{stdout}"
        );
        one_credential_object(&output);
    }
}

#[test]
fn verbose_output_goes_to_stderr_and_never_shows_secrets() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let token = sts_token();
    let scene = Scene::new("verbose", &token);
    let cold = run(scene.helper(Some(&sts.url), &["--verbose"]));
    let credentials = one_credential_object(&cold);
    assert_eq!(credentials.secret_access_key.expose(), SECRET_KEY);
    let cached = run(scene.helper(Some(&sts.url), &["--verbose"]));
    one_credential_object(&cached);
    for output in [&cold, &cached] {
        let log = stderr(output);
        assert!(log.lines().count() >= 2, "{log}");
        for secret in [
            SECRET_KEY,
            SESSION_TOKEN,
            token.as_str(),
            token.split('.').nth(1).unwrap_or("x"),
        ] {
            assert!(!log.contains(secret), "secret on stderr: {log}");
        }
    }
    assert!(stderr(&cached).contains("serving cached credentials"));
    assert_eq!(sts.requests().len(), 1, "a cached call makes no request");
}

#[test]
fn cached_credentials_with_twelve_minutes_left_are_refreshed() {
    let sts = FakeSts::start(|n, _| {
        if n == 0 {
            success(&Timestamp::now().plus(12 * 60).to_string())
        } else {
            in_an_hour()
        }
    });
    let scene = Scene::new("twelve", &sts_token());
    let first = one_credential_object(&run(scene.helper(Some(&sts.url), &["--duration", "3600"])));
    let second = one_credential_object(&run(scene.helper(Some(&sts.url), &[])));
    assert!(first.expiration < second.expiration);
    assert_eq!(sts.requests().len(), 2);
    let third = one_credential_object(&run(scene.helper(Some(&sts.url), &[])));
    assert_eq!(third, second);
    assert_eq!(
        sts.requests().len(),
        2,
        "the fresh entry is served from the cache"
    );
}

#[test]
fn missing_region_is_a_usage_error_naming_flag_and_variable() {
    let scene = Scene::new("no-region", &sts_token());
    let output = run(scene.helper(None, &[]));
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("--region") && message.contains("AWS_REGION"),
        "{message}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn region_selects_the_regional_sts_endpoint() {
    // A proxy that records where the helper wants to go, then refuses: no real network.
    let proxy = FakeSts::start(|_, _| Reply::Send(403, String::new()));
    let scene = Scene::new("regional", &sts_token());
    let mut command = scene.helper(None, &["--region", "eu-central-1", "--timeout", "2"]);
    command.env("HTTPS_PROXY", &proxy.url);
    let output = run(command);
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    let seen = proxy.requests();
    assert!(!seen.is_empty());
    assert!(
        seen.iter()
            .all(|s| s.request_line == "CONNECT sts.eu-central-1.amazonaws.com:443 HTTP/1.1"),
        "{seen:?}"
    );
}

#[test]
fn duration_above_the_roles_maximum_passes_aws_validation_error_with_a_hint() {
    let message = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.";
    let sts = FakeSts::start(move |_, _| sts_error(400, "ValidationError", message));
    let scene = Scene::new("duration", &sts_token());
    let output = run(scene.helper(Some(&sts.url), &["--duration", "21600"]));
    assert_eq!(output.status.code(), Some(4));
    let log = stderr(&output);
    assert!(log.contains(&format!("ValidationError: {message}")), "{log}");
    assert!(
        log.contains("hint: sts-parameters") && log.contains("kubectl awsoidc doctor"),
        "{log}"
    );
    assert!(sts.requests()[0].body.contains("DurationSeconds=21600"));
    assert!(output.stdout.is_empty());
}

#[test]
fn duration_below_the_sts_minimum_is_refused_locally() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let scene = Scene::new("short", &sts_token());
    let output = run(scene.helper(Some(&sts.url), &["--duration", "100"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("900..43200"), "{}", stderr(&output));
    assert_eq!(sts.requests().len(), 0);
}

#[test]
fn short_sessions_warn_that_they_cannot_be_cached() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let scene = Scene::new("warn", &sts_token());
    let output = run(scene.helper(Some(&sts.url), &["--duration", "900"]));
    one_credential_object(&output);
    assert!(
        stderr(&output).contains("warning: --duration 900"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn corrupt_entry_is_ignored_and_replaced() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let scene = Scene::new("corrupt", &sts_token());
    one_credential_object(&run(scene.helper(Some(&sts.url), &[])));
    let entries = entry_files(&scene.cache_dir());
    assert_eq!(entries.len(), 1);
    std::fs::write(&entries[0], "{\"key\":").expect("corrupt");
    one_credential_object(&run(scene.helper(Some(&sts.url), &[])));
    assert_eq!(sts.requests().len(), 2);
    one_credential_object(&run(scene.helper(Some(&sts.url), &[])));
    assert_eq!(sts.requests().len(), 2, "the rewritten entry is served");
}

#[test]
fn foreign_owned_entry_is_ignored() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let scene = Scene::new("foreign", &sts_token());
    one_credential_object(&run(scene.helper(Some(&sts.url), &[])));
    let entry = entry_files(&scene.cache_dir()).remove(0);
    let chown = Command::new("chown")
        .args(["65534:65534"])
        .arg(&entry)
        .status()
        .expect("chown");
    assert!(
        chown.success(),
        "these tests run as root, which can hand a file to nobody"
    );
    let output = run(scene.helper(Some(&sts.url), &["--verbose"]));
    one_credential_object(&output);
    assert!(
        stderr(&output).contains("not a regular file owned by this user"),
        "{}",
        stderr(&output)
    );
    assert_eq!(sts.requests().len(), 2);
}

#[test]
fn read_only_cache_directory_is_skipped() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let scene = Scene::new("read-only", &sts_token());
    let cache = scene.cache_dir();
    std::fs::create_dir_all(&cache).expect("mkdir");
    std::fs::set_permissions(&scene.dir.0, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::set_permissions(scene.token_file(), std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let chown = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&cache)
        .status()
        .expect("chown");
    assert!(chown.success());
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o500)).expect("chmod");
    // As nobody, the directory is its own and read-only: root would write anyway.
    let as_nobody = || {
        let helper = scene.helper(Some(&sts.url), &["--verbose"]);
        let mut command = Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        command.arg(helper.get_program()).args(helper.get_args());
        command.env_clear().env("AWS_ENDPOINT_URL_STS", &sts.url);
        command
    };
    for _ in 0..2 {
        let output = run(as_nobody());
        one_credential_object(&output);
        assert!(stderr(&output).contains("; not cached"), "{}", stderr(&output));
    }
    assert_eq!(
        sts.requests().len(),
        2,
        "nothing could be cached, each call asks STS"
    );
    assert!(entry_files(&cache).is_empty());
}

#[test]
fn sixty_four_parallel_calls_on_an_empty_cache_make_at_most_two_requests() {
    let sts = FakeSts::start(|_, _| {
        std::thread::sleep(Duration::from_millis(50));
        in_an_hour()
    });
    let scene = Scene::new("parallel", &sts_token());
    let children: Vec<_> = (0..64)
        .map(|_| {
            let mut command = scene.helper(Some(&sts.url), &[]);
            command
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            command.spawn().expect("spawn")
        })
        .collect();
    for child in children {
        one_credential_object(&child.wait_with_output().expect("wait"));
    }
    let requests = sts.requests().len();
    assert!((1..=2).contains(&requests), "{requests} STS requests");
}

#[test]
fn throttling_is_retried_with_backoff() {
    let sts = FakeSts::start(|n, _| {
        if n < 2 {
            sts_error(400, "Throttling", "Rate exceeded")
        } else {
            in_an_hour()
        }
    });
    let scene = Scene::new("throttle", &sts_token());
    one_credential_object(&run(scene.helper(Some(&sts.url), &[])));
    assert_eq!(sts.requests().len(), 3);
}

#[test]
fn persistent_server_errors_give_up_as_network_failure() {
    let sts = FakeSts::start(|_, _| Reply::Send(503, "busy".into()));
    let scene = Scene::new("503", &sts_token());
    let output = run(scene.helper(Some(&sts.url), &[]));
    assert_eq!(output.status.code(), Some(5));
    assert!(stderr(&output).contains("HTTP 503"), "{}", stderr(&output));
    assert_eq!(sts.requests().len(), 4);
}

#[test]
fn a_hanging_sts_is_given_up_on_within_the_timeout() {
    let sts = FakeSts::start(|_, _| Reply::Hang);
    let scene = Scene::new("hang", &sts_token());
    let started = Instant::now();
    let output = run(scene.helper(Some(&sts.url), &["--timeout", "2"]));
    let elapsed = started.elapsed();
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
    let log = stderr(&output);
    assert!(
        log.contains(&format!(
            "error: gave up after 2 s waiting for STS at {}: raise --timeout or check the endpoint",
            sts.url
        )),
        "{log}"
    );
    assert!(!log.contains("timeout: global"), "{log}");
}

#[test]
fn rejected_identity_token_prints_code_message_and_hints() {
    let message = "No OpenIDConnect provider found in your account for https://127.0.0.1:6443";
    let sts = FakeSts::start(move |_, _| sts_error(400, "InvalidIdentityToken", message));
    let scene = Scene::new("rejected", &sts_token());
    let output = run(scene.helper(Some(&sts.url), &[]));
    assert_eq!(output.status.code(), Some(4));
    let log = stderr(&output);
    assert!(
        log.contains(&format!(
            "error: STS rejected the exchange: InvalidIdentityToken: {message}"
        )),
        "{log}"
    );
    assert!(
        log.contains("hint: provider:") && log.contains("hint: issuer:"),
        "{log}"
    );
    assert_eq!(sts.requests().len(), 1, "a rejection is not retried");
}

#[test]
fn the_request_is_the_documented_unsigned_form_post() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let token = sts_token();
    let scene = Scene::new("form", &token);
    one_credential_object(&run(scene.helper(Some(&sts.url), &[])));
    let seen = &sts.requests()[0];
    assert_eq!(seen.request_line, "POST / HTTP/1.1");
    let fields: Vec<&str> = seen.body.split('&').collect();
    assert_eq!(
        fields[..4],
        [
            "Action=AssumeRoleWithWebIdentity",
            "Version=2011-06-15",
            "RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp",
            "RoleSessionName=team-a.app"
        ]
    );
    assert_eq!(fields[4], format!("WebIdentityToken={token}"));
    assert_eq!(fields[5], "DurationSeconds=3600");
}

#[test]
fn env_format_evaluates_in_a_shell() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let scene = Scene::new("env", &sts_token());
    let helper = scene.helper(Some(&sts.url), &["--format", "env"]);
    let mut line = format!("{:?}", helper.get_program());
    for arg in helper.get_args() {
        line.push_str(&format!(" {:?}", arg));
    }
    let script = format!(
        "eval \"$(AWS_ENDPOINT_URL_STS={} {line})\" && printf '%s|%s' \"$AWS_SECRET_ACCESS_KEY\" \"$AWS_SESSION_TOKEN\"",
        sts.url
    );
    let output = run({
        let mut sh = Command::new("sh");
        sh.args(["-c", &script]).env("HOME", &scene.dir.0);
        sh
    });
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("{SECRET_KEY}|{SESSION_TOKEN}")
    );
}

#[test]
fn token_command_supplies_the_token_and_is_skipped_when_cached() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let scene = Scene::new("command", &sts_token());
    let counter = scene.dir.0.join("runs");
    let command_text = format!("echo run >> {0:?}; cat {1:?}", counter, scene.token_file());
    let call = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_awsoidc-credential-process"));
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        command
            .env("AWS_ENDPOINT_URL", &sts.url)
            .env("AWS_ROLE_ARN", ROLE);
        command
            .args(["--token-command", &command_text, "--cache-dir"])
            .arg(scene.cache_dir());
        run(command)
    };
    one_credential_object(&call());
    one_credential_object(&call());
    assert_eq!(
        std::fs::read_to_string(&counter).expect("runs").lines().count(),
        1
    );
    assert_eq!(sts.requests().len(), 1);
}

#[test]
fn help_documents_the_exit_codes() {
    let output = run({
        let mut command = Command::new(env!("CARGO_BIN_EXE_awsoidc-credential-process"));
        command.arg("--help");
        command
    });
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for code in [
        "0  credentials",
        "2  usage",
        "3  token",
        "4  STS rejected",
        "5  network",
    ] {
        assert!(help.contains(code), "{help}");
    }
}

fn entry_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|path| path.extension().is_some_and(|ext| ext == "json"));
    files
}

/// The helper with only a hermetic environment and `args`: no flags added.
fn bare_helper(scene: &Scene, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_awsoidc-credential-process"));
    command
        .env_clear()
        .env("HOME", &scene.dir.0)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(args);
    command
}

/// stderr must be exactly one `error:` line.
fn one_error_line(output: &Output) -> String {
    let log = stderr(output);
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.contains("error: "), "{log}");
    assert!(output.stdout.is_empty());
    log
}

#[test]
fn token_text_beyond_one_jwt_is_refused_before_any_network_call() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let token = sts_token();
    for junk in [
        format!("{token}\nsecond line junk"),
        format!("{token} extra"),
        format!("{token}.c2ln"),
    ] {
        let scene = Scene::new("junk", &junk);
        let output = run(scene.helper(Some(&sts.url), &[]));
        assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
        let log = one_error_line(&output);
        let named = format!("refused the token file {}: ", scene.token_file().display());
        assert!(log.contains(&named) && !log.contains(&token), "{log}");
    }
    let scene = Scene::new("junk-command", &format!("{token}\n"));
    let command = format!("cat {:?}; echo x", scene.token_file());
    let output = run(bare_helper(
        &scene,
        &[
            "--role-arn",
            ROLE,
            "--endpoint-url",
            &sts.url,
            "--no-cache",
            "--token-command",
            &command,
        ],
    ));
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let log = one_error_line(&output);
    assert!(
        log.contains("refused the output of --token-command: the token text spans 2 lines"),
        "{log}"
    );
    assert_eq!(sts.requests().len(), 0);

    let scene = Scene::new("trailing", &format!("{token}\n\n"));
    one_credential_object(&run(scene.helper(Some(&sts.url), &[])));
    assert!(
        sts.requests()[0]
            .body
            .contains(&format!("WebIdentityToken={token}&"))
    );
}

#[test]
fn pasted_tokens_and_passwords_are_never_echoed() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let token = sts_token();
    let scene = Scene::new("echo", &token);
    let file = scene.token_file();
    let file = file.to_str().expect("utf-8 path");
    let region = ["--region", "eu-central-1", "--token-file", file];
    let cases: Vec<(Vec<&str>, i32)> = vec![
        ([&["--role-arn", &token][..], &region].concat(), 2),
        (
            [&["--role-arn", ROLE, "--session-name", &token][..], &region].concat(),
            2,
        ),
        (
            [&["--role-arn", ROLE, "--format", &token][..], &region].concat(),
            2,
        ),
        ([&["--role-arn", ROLE, &token][..], &region].concat(), 2),
        (
            [&["--role-arn", ROLE, "--audience", &token][..], &region].concat(),
            3,
        ),
        (
            vec![
                "--role-arn",
                ROLE,
                "--token-file",
                file,
                "--endpoint-url",
                "http://user:SECRETPW@127.0.0.1:1/",
            ],
            2,
        ),
    ];
    for (args, code) in cases {
        let output = run(bare_helper(&scene, &args));
        assert_eq!(output.status.code(), Some(code), "{args:?}: {}", stderr(&output));
        let log = one_error_line(&output);
        assert!(!log.contains(&token[..30]) && !log.contains("SECRETPW"), "{log}");
    }
    assert_eq!(sts.requests().len(), 0);
}

#[test]
fn role_names_iam_would_refuse_are_usage_errors() {
    let scene = Scene::new("role-name", &sts_token());
    let long = format!("arn:aws:iam::111122223333:role/{}", "n".repeat(65));
    for arn in [
        long.as_str(),
        "arn:aws:iam::111122223333:role/r\u{f4}le",
        "arn:aws:iam::1111:role/app",
    ] {
        let output = run(bare_helper(
            &scene,
            &["--role-arn", arn, "--region", "eu-central-1"],
        ));
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let log = one_error_line(&output);
        assert!(
            log.contains("expected arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME"),
            "{log}"
        );
    }
}

#[test]
fn a_token_command_printing_too_much_says_so() {
    let sts = FakeSts::start(|_, _| in_an_hour());
    let scene = Scene::new("flood", &sts_token());
    let output = run(bare_helper(
        &scene,
        &[
            "--role-arn",
            ROLE,
            "--endpoint-url",
            &sts.url,
            "--no-cache",
            "--token-command",
            "yes",
        ],
    ));
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let log = one_error_line(&output);
    assert!(
        log.contains("printed more than 65536 bytes") && !log.contains("141"),
        "{log}"
    );
    assert_eq!(sts.requests().len(), 0);
}

#[test]
fn a_session_far_shorter_than_asked_is_warned_about() {
    let sts = FakeSts::start(|_, _| success(&Timestamp::now().plus(600).to_string()));
    let scene = Scene::new("short-grant", &sts_token());
    let output = run(scene.helper(Some(&sts.url), &[]));
    one_credential_object(&output);
    let log = stderr(&output);
    assert!(log.contains("warning: STS granted credentials for "), "{log}");
    assert!(
        log.contains("although --duration 3600") && log.contains("never served from the cache"),
        "{log}"
    );
    assert!(!log.contains(SECRET_KEY) && !log.contains(SESSION_TOKEN), "{log}");
}

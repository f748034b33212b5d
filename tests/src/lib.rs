//! The test bed: real parts, started once per test binary.
//!
//! - a real **etcd** and **kube-apiserver** (v1.34, built by `tests/testbed/setup.sh`
//!   from the Go module proxy) on 127.0.0.1 with a private CA, like a Gardener shoot:
//!   `--service-account-issuer=https://127.0.0.1:PORT`, RBAC on, anonymous
//!   authentication off; [`TestBed::set_anonymous`] restarts it with
//!   `--anonymous-auth=true` or an `--authentication-config` file, and
//!   [`TestBed::set_chain`] with a leaf-only or a leaf+CA serving chain;
//! - a **Shoot** CustomResourceDefinition (`core.gardener.cloud/v1beta1`) in the same
//!   apiserver, which doubles as the garden, and a **gardenlet stand-in** thread
//!   that turns the shoot's anonymous settings into the apiserver's real flags;
//! - **moto** (IAM, STS, SSM) and the real **AWS CLI** from the venv setup.sh makes.
//!
//! Every child process runs under a supervisor shell that kills it when this
//! process exits, however it exits. Tests that change cluster-wide state take
//! [`TestBed::lock`] first and call [`TestBed::reset`]. The binaries under test are
//! the ones `cargo test --workspace` builds next to this test binary.
//! [`seed`] is the seed tutorial as one flow, shared by `tests/seed.rs` and `make demo`.
//!
//! | variable         | meaning                                                  |
//! |------------------|----------------------------------------------------------|
//! | `AWSOIDC_CACHE`  | where setup.sh put the bed (default ~/.cache/kubectl-awsoidc) |

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, Once, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use serde_json::Value;

pub mod seed;

/// The account moto puts every resource in.
pub const MOTO_ACCOUNT: &str = "123456789012";
/// The region the bed's AWS environment names.
pub const REGION: &str = "eu-central-1";
/// The annotation that asks gardenlet to reconcile a shoot now (value `reconcile`);
/// gardenlet removes it when done.
pub const RECONCILE_ANNOTATION: &str = "gardener.cloud/operation";
/// The Shoot annotation that asks Gardener for its managed ServiceAccount issuer.
pub const MANAGED_ISSUER_ANNOTATION: &str = "authentication.gardener.cloud/issuer";
/// The label the plugin puts on everything it owns; `reset` deletes what carries it.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by=kubectl-awsoidc";

/// How the apiserver treats unauthenticated requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anonymous {
    /// `--anonymous-auth=false`: every unauthenticated request is 401.
    Off,
    /// `--anonymous-auth=true`: unauthenticated requests are `system:anonymous`.
    Legacy,
    /// `--authentication-config` with this AuthenticationConfiguration (YAML).
    Structured(String),
}

/// Which certificates the apiserver presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chain {
    /// The serving certificate alone (older Gardener landscapes, plain kubeadm).
    LeafOnly,
    /// The serving certificate and the cluster CA (Gardener since 2023).
    LeafAndCa,
}

/// A Gardener shoot as the stand-in garden holds it.
#[derive(Debug, Clone)]
pub struct ShootSpec {
    pub name: String,
    pub project: String,
    pub kubernetes_version: String,
}

impl ShootSpec {
    pub fn new(name: &str, project: &str, kubernetes_version: &str) -> Self {
        Self {
            name: name.into(),
            project: project.into(),
            kubernetes_version: kubernetes_version.into(),
        }
    }

    /// The project namespace in the garden (Gardener's `garden-<project>` convention).
    pub fn namespace(&self) -> String {
        format!("garden-{}", self.project)
    }
}

/// The running bed. Get it with [`testbed`].
pub struct TestBed {
    root: PathBuf,
    cache: PathBuf,
    target_dir: PathBuf,
    kubectl: PathBuf,
    pki: Pki,
    api_port: u16,
    moto_port: u16,
    kubeconfig: PathBuf,
    apiserver: Mutex<ApiServer>,
    _etcd: Supervised,
    _moto: Supervised,
    serial: Mutex<()>,
    /// Held by the gardenlet stand-in while it reconciles and by `reset`, so a reset
    /// never races a reconcile that read the state before it.
    reconciling: Mutex<()>,
    /// The managed-issuer discovery server, once a shoot asked for it: (port, process).
    discovery_server: Mutex<Option<(u16, Supervised)>>,
}

struct ApiServer {
    process: Option<Supervised>,
    anonymous: Anonymous,
    chain: Chain,
    etcd_url: String,
    /// Gardener's managed issuer, when the shoot asked for it: the apiserver signs
    /// with it (keeping its own as a second accepted issuer).
    managed_issuer: Option<String>,
}

/// The bed shared by every test of this test binary, started on first use.
/// Panics with the setup command when a part is missing: a missing bed is a failure,
/// never a skip.
pub fn testbed() -> &'static TestBed {
    static BED: OnceLock<TestBed> = OnceLock::new();
    static GARDENLET: Once = Once::new();
    let bed = BED.get_or_init(|| match TestBed::start() {
        Ok(bed) => bed,
        Err(err) => {
            panic!("the test bed failed to start: {err:#}\n(run `bash tests/testbed/setup.sh` first)")
        }
    });
    GARDENLET.call_once(|| bed.spawn_gardenlet());
    bed
}

impl TestBed {
    fn start() -> Result<Self> {
        let cache = std::env::var_os("AWSOIDC_CACHE")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/kubectl-awsoidc"))
            })
            .context("neither AWSOIDC_CACHE nor HOME is set")?;
        for part in [
            "bin/kube-apiserver",
            "bin/etcd",
            "venv/bin/moto_server",
            "venv/bin/aws",
        ] {
            ensure!(
                cache.join(part).exists(),
                "{} is missing",
                cache.join(part).display()
            );
        }
        let kubectl = which("kubectl").context("kubectl is not on PATH")?;
        // A test binary lives in target/debug/deps, the demo in target/debug.
        let exe = std::env::current_exe()?;
        let target_dir = exe
            .ancestors()
            .skip(1)
            .take(2)
            .find(|dir| dir.join("kubectl-awsoidc").exists())
            .unwrap_or_else(|| exe.parent().unwrap_or(Path::new(".")))
            .to_path_buf();
        for binary in ["kubectl-awsoidc", "awsoidc-credential-process"] {
            ensure!(
                target_dir.join(binary).exists(),
                "{} is not built: run the tests with `cargo test --workspace`",
                target_dir.join(binary).display()
            );
        }

        remove_stale_beds();
        let root = std::env::temp_dir().join(format!("awsoidc-testbed-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("home"))?;
        // Only the two binaries on PATH: kubectl's plugin lookup warns about the
        // `kubectl-awsoidc.d` dep-info file cargo leaves beside them.
        fs::create_dir_all(root.join("bin"))?;
        for binary in ["kubectl-awsoidc", "awsoidc-credential-process"] {
            std::os::unix::fs::symlink(target_dir.join(binary), root.join("bin").join(binary))?;
        }
        let pki = Pki::create(&root.join("pki"))?;

        let etcd_port = free_port()?;
        let etcd_peer_port = free_port()?;
        let etcd_url = format!("http://127.0.0.1:{etcd_port}");
        let etcd = Supervised::spawn(
            "etcd",
            &root,
            Command::new(cache.join("bin/etcd")).args([
                "--data-dir",
                &root.join("etcd").display().to_string(),
                "--listen-client-urls",
                &etcd_url,
                "--advertise-client-urls",
                &etcd_url,
                "--listen-peer-urls",
                &format!("http://127.0.0.1:{etcd_peer_port}"),
                "--initial-advertise-peer-urls",
                &format!("http://127.0.0.1:{etcd_peer_port}"),
                "--initial-cluster",
                &format!("default=http://127.0.0.1:{etcd_peer_port}"),
                "--log-level",
                "warn",
            ]),
        )?;

        let moto_port = free_port()?;
        let moto = Supervised::spawn(
            "moto",
            &root,
            Command::new(cache.join("venv/bin/moto_server"))
                .args(["-H", "127.0.0.1", "-p", &moto_port.to_string()])
                .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true"),
        )?;

        let api_port = free_port()?;
        let kubeconfig = root.join("kubeconfig");
        write_kubeconfig(&kubeconfig, api_port, &pki)?;
        let bed = TestBed {
            root,
            cache,
            target_dir,
            kubectl,
            pki,
            api_port,
            moto_port,
            kubeconfig,
            apiserver: Mutex::new(ApiServer {
                process: None,
                anonymous: Anonymous::Off,
                chain: Chain::LeafAndCa,
                etcd_url,
                managed_issuer: None,
            }),
            discovery_server: Mutex::new(None),
            _etcd: etcd,
            _moto: moto,
            serial: Mutex::new(()),
            reconciling: Mutex::new(()),
        };
        bed.wait_until("etcd to answer", Duration::from_secs(30), || {
            bed.curl_status(&format!("{}/health", bed.apiserver_state().etcd_url), &[]) == Some(200)
        })?;
        bed.restart_apiserver()?;
        bed.wait_until("moto to answer", Duration::from_secs(30), || {
            bed.curl_status(&format!("{}/moto-api/", bed.moto_url()), &[])
                .is_some()
        })?;
        bed.kubectl_ok(&["apply", "-f", "-"], Some(SHOOT_CRD))?;
        bed.wait_until("the Shoot CRD to be served", Duration::from_secs(30), || {
            bed.kubectl(&["get", "shoots.core.gardener.cloud", "-A"], None)
                .status
                .success()
        })?;
        Ok(bed)
    }

    /// Serialise tests that change cluster-wide state; every end-to-end test takes it.
    pub fn lock(&self) -> MutexGuard<'_, ()> {
        self.serial
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Back to the starting state: no shoot, no shoot-info, nothing the plugin owns,
    /// anonymous authentication off, a leaf+CA chain, an empty moto.
    pub fn reset(&self) -> Result<()> {
        let _reconciling = self
            .reconciling
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.kubectl_ok(
            &[
                "delete",
                "shoots.core.gardener.cloud",
                "--all",
                "-A",
                "--wait=false",
            ],
            None,
        )?;
        self.kubectl_ok(
            &[
                "delete",
                "configmap",
                "shoot-info",
                "-n",
                "kube-system",
                "--ignore-not-found",
            ],
            None,
        )?;
        self.kubectl_ok(
            &[
                "delete",
                "clusterrole,clusterrolebinding",
                "-l",
                MANAGED_BY_LABEL,
                "--ignore-not-found",
            ],
            None,
        )?;
        self.reset_moto()?;
        let managed = self.apiserver_state().managed_issuer.take().is_some();
        if managed {
            self.restart_apiserver()?;
        }
        self.set_chain(Chain::LeafAndCa)?;
        self.set_anonymous(Anonymous::Off)
    }

    /// The managed issuer the apiserver signs with now, if a shoot asked for one.
    pub fn managed_issuer(&self) -> Option<String> {
        self.apiserver_state().managed_issuer.clone()
    }

    /// Empty moto: every IAM, STS and SSM resource goes.
    pub fn reset_moto(&self) -> Result<()> {
        let output = Command::new("curl")
            .args([
                "-sS",
                "-f",
                "-X",
                "POST",
                &format!("{}/moto-api/reset", self.moto_url()),
            ])
            .output()?;
        ensure!(
            output.status.success(),
            "moto reset failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    }

    /// A scratch directory for one test, empty.
    pub fn scratch(&self, name: &str) -> PathBuf {
        let dir = self.root.join("scratch").join(name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create a scratch directory");
        dir
    }

    /// The admin kubeconfig (a `system:masters` client certificate); it is also the
    /// garden kubeconfig, since the garden's Shoot lives in the same apiserver.
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// The apiserver URL, which is also its ServiceAccount issuer.
    pub fn issuer(&self) -> String {
        format!("https://127.0.0.1:{}", self.api_port)
    }

    /// The cluster CA (PEM).
    pub fn ca_file(&self) -> &Path {
        &self.pki.ca_crt
    }

    /// The serving certificate alone (PEM).
    pub fn leaf_file(&self) -> &Path {
        &self.pki.leaf_crt
    }

    /// The public key the apiserver signs ServiceAccount tokens with (PEM).
    pub fn signing_public_key(&self) -> &Path {
        &self.pki.sa_pub
    }

    pub fn moto_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.moto_port)
    }

    /// The directory holding the binaries under test.
    pub fn target_dir(&self) -> &Path {
        &self.target_dir
    }

    /// A hermetic environment: nothing of the caller's `KUBECONFIG`, `AWS_*` or HOME
    /// leaks in; AWS points at moto with dummy keys and the bed's region.
    pub fn env(&self) -> Vec<(String, String)> {
        let path = [
            self.root.join("bin").display().to_string(),
            self.cache.join("venv/bin").display().to_string(),
            self.kubectl
                .parent()
                .map(|dir| dir.display().to_string())
                .unwrap_or_default(),
            "/usr/local/bin:/usr/bin:/bin".to_owned(),
        ]
        .join(":");
        [
            ("PATH", path),
            ("HOME", self.root.join("home").display().to_string()),
            ("KUBECONFIG", self.kubeconfig.display().to_string()),
            ("AWS_ENDPOINT_URL", self.moto_url()),
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_REGION", REGION.to_owned()),
            ("AWS_DEFAULT_REGION", REGION.to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
            ("AWS_PAGER", String::new()),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
    }

    /// A command with the hermetic environment.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .envs(self.env())
            .current_dir(self.root.join("home"));
        command
    }

    /// The plugin binary under test.
    pub fn plugin(&self) -> Command {
        self.command(self.target_dir.join("kubectl-awsoidc"))
    }

    /// The helper binary under test.
    pub fn helper(&self) -> Command {
        self.command(self.target_dir.join("awsoidc-credential-process"))
    }

    /// kubectl against the bed, with `stdin` piped in when given.
    pub fn kubectl(&self, args: &[&str], stdin: Option<&str>) -> Output {
        run(self.command(&self.kubectl).args(args), stdin).expect("run kubectl")
    }

    /// kubectl that must succeed; its stdout.
    pub fn kubectl_ok(&self, args: &[&str], stdin: Option<&str>) -> Result<String> {
        checked(&format!("kubectl {}", args.join(" ")), self.kubectl(args, stdin))
    }

    /// The real AWS CLI against moto.
    pub fn aws(&self, args: &[&str]) -> Output {
        run(self.command(self.cache.join("venv/bin/aws")).args(args), None).expect("run the AWS CLI")
    }

    /// The AWS CLI that must succeed; its stdout.
    pub fn aws_ok(&self, args: &[&str]) -> Result<String> {
        checked(&format!("aws {}", args.join(" ")), self.aws(args))
    }

    /// The path of the AWS CLI in the venv.
    pub fn aws_cli(&self) -> PathBuf {
        self.cache.join("venv/bin/aws")
    }

    /// A token from the real TokenRequest API.
    pub fn create_token(
        &self,
        namespace: &str,
        service_account: &str,
        audience: &str,
        seconds: u32,
    ) -> Result<String> {
        let duration = format!("{seconds}s");
        let token = self.kubectl_ok(
            &[
                "create",
                "token",
                service_account,
                "-n",
                namespace,
                "--audience",
                audience,
                "--duration",
                &duration,
            ],
            None,
        )?;
        Ok(token.trim().to_owned())
    }

    /// An unauthenticated GET (no client certificate, no token), trusting the cluster
    /// CA: the HTTP status and body, or `None` when no HTTP answer came.
    pub fn get_anonymously(&self, path: &str) -> Option<(u16, String)> {
        let output = Command::new("curl")
            .args(["-sS", "--path-as-is", "--max-time", "5", "--cacert"])
            .arg(&self.pki.ca_crt)
            .args(["-w", "\n%{http_code}", &format!("{}{path}", self.issuer())])
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&output.stdout);
        let (body, code) = text.rsplit_once('\n')?;
        Some((
            code.trim().parse().ok().filter(|code| *code != 0)?,
            body.to_owned(),
        ))
    }

    /// Restart the apiserver with this anonymous setting (no-op when already so).
    pub fn set_anonymous(&self, anonymous: Anonymous) -> Result<()> {
        if self.apiserver_state().anonymous == anonymous {
            return Ok(());
        }
        self.apiserver_state().anonymous = anonymous;
        self.restart_apiserver()
    }

    /// The anonymous setting the apiserver runs with now.
    pub fn anonymous(&self) -> Anonymous {
        self.apiserver_state().anonymous.clone()
    }

    /// Restart the apiserver presenting this chain (no-op when already so).
    pub fn set_chain(&self, chain: Chain) -> Result<()> {
        if self.apiserver_state().chain == chain {
            return Ok(());
        }
        self.apiserver_state().chain = chain;
        self.restart_apiserver()
    }

    /// Make this cluster look like a Gardener shoot: `kube-system/shoot-info` in the
    /// cluster and the Shoot in the garden's project namespace.
    pub fn make_shoot(&self, shoot: &ShootSpec) -> Result<()> {
        let namespace = shoot.namespace();
        let manifests = format!(
            r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: shoot-info
  namespace: kube-system
data:
  shootName: {name}
  projectName: {project}
  kubernetesVersion: "{version}"
  domain: {name}.{project}.shoot.example.internal
  provider: local
  region: local
---
apiVersion: v1
kind: Namespace
metadata:
  name: {namespace}
---
apiVersion: core.gardener.cloud/v1beta1
kind: Shoot
metadata:
  name: {name}
  namespace: {namespace}
spec:
  kubernetes:
    version: "{version}"
"#,
            name = shoot.name,
            project = shoot.project,
            version = shoot.kubernetes_version,
        );
        self.kubectl_ok(&["apply", "-f", "-"], Some(&manifests))?;
        Ok(())
    }

    /// Poll `ready` every 200 ms until it holds or `timeout` passes.
    pub fn wait_until(&self, what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) -> Result<()> {
        let start = Instant::now();
        while !ready() {
            if start.elapsed() > timeout {
                bail!("timed out after {timeout:?} waiting for {what}");
            }
            thread::sleep(Duration::from_millis(200));
        }
        Ok(())
    }

    /// Every request the apiserver has answered so far, as audit events (JSON), one
    /// per request: `userAgent`, `verb`, `requestURI`, `responseStatus.code`.
    pub fn audit_events(&self) -> Vec<Value> {
        fs::read_to_string(self.root.join("audit.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// How many requests moto has answered so far (its request log, one line each).
    pub fn moto_requests(&self) -> usize {
        fs::read_to_string(self.root.join("moto.log"))
            .unwrap_or_default()
            .lines()
            .filter(|line| line.contains("\" 200 ") || line.contains("HTTP/1.1\""))
            .count()
    }

    /// The bed's log directory (each child process writes `NAME.log` there).
    pub fn log_dir(&self) -> &Path {
        &self.root
    }

    fn apiserver_state(&self) -> MutexGuard<'_, ApiServer> {
        self.apiserver
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn restart_apiserver(&self) -> Result<()> {
        let mut state = self.apiserver_state();
        if let Some(process) = state.process.take() {
            process.stop();
        }
        self.wait_until("the apiserver port to be free", Duration::from_secs(30), || {
            TcpListener::bind(("127.0.0.1", self.api_port)).is_ok()
        })?;
        let serving = match state.chain {
            Chain::LeafOnly => &self.pki.leaf_crt,
            Chain::LeafAndCa => &self.pki.chain_crt,
        };
        let mut command = Command::new(self.cache.join("bin/kube-apiserver"));
        command.args([
            format!("--etcd-servers={}", state.etcd_url),
            "--bind-address=127.0.0.1".to_owned(),
            "--advertise-address=127.0.0.1".to_owned(),
            format!("--secure-port={}", self.api_port),
            format!("--tls-cert-file={}", serving.display()),
            format!("--tls-private-key-file={}", self.pki.leaf_key.display()),
            format!("--client-ca-file={}", self.pki.ca_crt.display()),
            format!(
                "--service-account-issuer={}",
                state.managed_issuer.as_deref().unwrap_or(&self.issuer())
            ),
            format!("--service-account-key-file={}", self.pki.sa_pub.display()),
            format!("--service-account-signing-key-file={}", self.pki.sa_key.display()),
            "--api-audiences=https://kubernetes.default.svc".to_owned(),
            "--authorization-mode=RBAC".to_owned(),
            "--service-cluster-ip-range=10.0.0.0/24".to_owned(),
            format!("--cert-dir={}", self.root.join("apiserver-certs").display()),
            "--enable-priority-and-fairness=false".to_owned(),
            format!("--audit-log-path={}", self.root.join("audit.log").display()),
            format!("--audit-policy-file={}", self.pki.audit_policy.display()),
            "--v=1".to_owned(),
        ]);
        if let Some(managed) = &state.managed_issuer {
            command.arg(format!("--service-account-issuer={}", self.issuer()));
            command.arg(format!("--service-account-jwks-uri={managed}/jwks"));
        }
        match &state.anonymous {
            Anonymous::Off => {
                command.arg("--anonymous-auth=false");
            }
            Anonymous::Legacy => {
                command.arg("--anonymous-auth=true");
            }
            Anonymous::Structured(config) => {
                let file = self.root.join("authentication-config.yaml");
                fs::write(&file, config)?;
                command.arg(format!("--authentication-config={}", file.display()));
            }
        }
        state.process = Some(Supervised::spawn("kube-apiserver", &self.root, &mut command)?);
        drop(state);
        let admin = [
            "--cert".to_owned(),
            self.pki.admin_crt.display().to_string(),
            "--key".to_owned(),
            self.pki.admin_key.display().to_string(),
        ];
        let log = self.root.join("kube-apiserver.log");
        let started = Instant::now();
        self.wait_until("the apiserver to be ready", Duration::from_secs(120), || {
            // A flag or config error ends the process at once: fail now, not at the timeout.
            let failed = fs::read_to_string(&log).is_ok_and(|text| {
                text.rsplit("--secure-port")
                    .next()
                    .is_some_and(|tail| tail.contains("\"command failed\""))
            });
            failed && started.elapsed() > Duration::from_secs(1)
                || self.curl_status(&format!("{}/readyz", self.issuer()), &admin) == Some(200)
        })?;
        ensure!(
            self.curl_status(&format!("{}/readyz", self.issuer()), &admin) == Some(200),
            "the apiserver exited: see {}",
            log.display()
        );
        Ok(())
    }

    fn curl_status(&self, url: &str, extra: &[String]) -> Option<u16> {
        let output = Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "--max-time",
                "3",
                "-w",
                "%{http_code}",
                "--cacert",
            ])
            .arg(&self.pki.ca_crt)
            .args(extra)
            .arg(url)
            .output()
            .ok()?;
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .ok()
            .filter(|code| *code != 0)
    }

    /// The gardenlet stand-in: every half second, read the one Shoot named by
    /// shoot-info and make the apiserver's anonymous setting match it, then report
    /// the reconcile in the Shoot's status like gardenlet does.
    fn spawn_gardenlet(&'static self) {
        thread::spawn(move || {
            loop {
                if let Err(err) = self.reconcile_shoot() {
                    let _ = writeln!(self.gardenlet_log(), "reconcile failed: {err:#}");
                }
                thread::sleep(Duration::from_millis(500));
            }
        });
    }

    fn gardenlet_log(&self) -> fs::File {
        fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.root.join("gardenlet.log"))
            .expect("open the gardenlet log")
    }

    fn reconcile_shoot(&self) -> Result<()> {
        let _reconciling = self
            .reconciling
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let info = self.kubectl(
            &[
                "get",
                "configmap",
                "shoot-info",
                "-n",
                "kube-system",
                "-o",
                "json",
            ],
            None,
        );
        if !info.status.success() {
            return Ok(());
        }
        let info: Value = serde_json::from_slice(&info.stdout)?;
        let (Some(name), Some(project)) = (
            info["data"]["shootName"].as_str(),
            info["data"]["projectName"].as_str(),
        ) else {
            return Ok(());
        };
        let namespace = format!("garden-{project}");
        let shoot = self.kubectl(&["get", "shoot", name, "-n", &namespace, "-o", "json"], None);
        if !shoot.status.success() {
            return Ok(());
        }
        let shoot: Value = serde_json::from_slice(&shoot.stdout)?;
        let generation = shoot["metadata"]["generation"].as_i64().unwrap_or(0);
        let requested = shoot["metadata"]["annotations"][RECONCILE_ANNOTATION] == "reconcile";
        if !requested
            && shoot["status"]["observedGeneration"].as_i64() == Some(generation)
            && shoot["status"]["lastOperation"]["state"] == "Succeeded"
        {
            return Ok(());
        }
        let managed = shoot["metadata"]["annotations"][MANAGED_ISSUER_ANNOTATION] == "managed";
        let advertised = if managed {
            let uid = shoot["metadata"]["uid"].as_str().unwrap_or("uid");
            Some(self.serve_managed_issuer(project, uid)?)
        } else {
            None
        };
        let desired = self.desired_anonymous(&shoot, &namespace);
        let (state, description) = match desired {
            Ok(anonymous) => {
                let _ = writeln!(
                    self.gardenlet_log(),
                    "reconciling {namespace}/{name}: {anonymous:?}"
                );
                self.set_anonymous(anonymous)?;
                (
                    "Succeeded",
                    "Shoot cluster has been successfully reconciled.".to_owned(),
                )
            }
            Err(err) => ("Error", format!("{err:#}")),
        };
        let addresses: Vec<Value> = advertised
            .iter()
            .map(|url| serde_json::json!({"name": "service-account-issuer", "url": url}))
            .collect();
        let status = serde_json::json!({"status": {
            "observedGeneration": generation,
            "lastOperation": {"type": "Reconcile", "state": state, "progress": 100, "description": description},
            "advertisedAddresses": addresses,
        }});
        self.kubectl_ok(
            &[
                "patch",
                "shoot",
                name,
                "-n",
                &namespace,
                "--subresource=status",
                "--type=merge",
                "-p",
                &status.to_string(),
            ],
            None,
        )?;
        if requested {
            let annotation = format!("{RECONCILE_ANNOTATION}-");
            self.kubectl_ok(&["annotate", "shoot", name, "-n", &namespace, &annotation], None)?;
        }
        Ok(())
    }

    /// Play Gardener's discovery server for a shoot's managed issuer: the apiserver
    /// signs tokens for the managed URL, and an HTTPS server without authentication
    /// serves its discovery document and JWKS under that URL's path.
    fn serve_managed_issuer(&self, project: &str, uid: &str) -> Result<String> {
        let mut server = self
            .discovery_server
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if server.is_none() {
            let port = free_port()?;
            let process = Supervised::spawn(
                "discovery-server",
                &self.root,
                Command::new(self.cache.join("venv/bin/python3")).args([
                    self.repo_dir()
                        .join("tests/testbed/discovery_server.py")
                        .display()
                        .to_string(),
                    port.to_string(),
                    self.pki.chain_crt.display().to_string(),
                    self.pki.leaf_key.display().to_string(),
                    self.root.join("discovery").display().to_string(),
                ]),
            )?;
            *server = Some((port, process));
        }
        let port = server.as_ref().map(|(port, _)| *port).unwrap_or_default();
        drop(server);
        let path = format!("projects/{project}/shoots/{uid}/issuer");
        let url = format!("https://127.0.0.1:{port}/{path}");
        if self.apiserver_state().managed_issuer.as_deref() != Some(&url) {
            self.apiserver_state().managed_issuer = Some(url.clone());
            self.restart_apiserver()?;
        }
        let dir = self.root.join("discovery").join(&path);
        fs::create_dir_all(dir.join(".well-known"))?;
        let discovery = self.kubectl_ok(&["get", "--raw", "/.well-known/openid-configuration"], None)?;
        fs::write(dir.join(".well-known/openid-configuration"), discovery)?;
        fs::write(
            dir.join("jwks"),
            self.kubectl_ok(&["get", "--raw", "/openid/v1/jwks"], None)?,
        )?;
        Ok(url)
    }

    fn repo_dir(&self) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// What Gardener would make of the shoot's kube-apiserver settings: the legacy
    /// flag, or the anonymous section of the referenced AuthenticationConfiguration
    /// (JWT authenticators are validated and dropped: the bed has no JWT issuers).
    fn desired_anonymous(&self, shoot: &Value, namespace: &str) -> Result<Anonymous> {
        let apiserver = &shoot["spec"]["kubernetes"]["kubeAPIServer"];
        let legacy = apiserver["enableAnonymousAuthentication"].as_bool() == Some(true);
        let structured = match apiserver["structuredAuthentication"]["configMapName"].as_str() {
            Some(config_map) => {
                let data = self.kubectl_ok(
                    &[
                        "get",
                        "configmap",
                        config_map,
                        "-n",
                        namespace,
                        "-o",
                        "jsonpath={.data.config\\.yaml}",
                    ],
                    None,
                )?;
                anonymous_section(&data)?
            }
            None => None,
        };
        match (legacy, structured) {
            (true, Some(_)) => bail!(
                "enableAnonymousAuthentication must not be set together with an anonymous section in structured authentication"
            ),
            (true, None) => Ok(Anonymous::Legacy),
            (false, Some(section)) => Ok(Anonymous::Structured(format!(
                "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n{section}"
            ))),
            (false, None) => Ok(Anonymous::Off),
        }
    }
}

/// The `anonymous:` block of an AuthenticationConfiguration, verbatim, if any.
fn anonymous_section(config: &str) -> Result<Option<String>> {
    ensure!(
        config.contains("AuthenticationConfiguration"),
        "config.yaml holds no AuthenticationConfiguration"
    );
    let mut lines = config.lines().skip_while(|line| !line.starts_with("anonymous:"));
    let Some(first) = lines.next() else {
        return Ok(None);
    };
    let mut section = format!("{first}\n");
    for line in lines.take_while(|line| line.starts_with([' ', '-']) || line.is_empty()) {
        section.push_str(line);
        section.push('\n');
    }
    Ok(Some(section))
}

const SHOOT_CRD: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: shoots.core.gardener.cloud
spec:
  group: core.gardener.cloud
  scope: Namespaced
  names: {plural: shoots, singular: shoot, kind: Shoot, listKind: ShootList}
  versions:
  - name: v1beta1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"#;

/// A child process that dies with this test binary: it runs under a shell that
/// holds the read end of a pipe whose write end only we have.
struct Supervised {
    supervisor: Child,
    stdin: Option<ChildStdin>,
}

impl Supervised {
    fn spawn(name: &str, log_dir: &Path, command: &mut Command) -> Result<Self> {
        let log = log_dir.join(format!("{name}.log"));
        let mut supervisor = Command::new("bash");
        supervisor
            .arg("-c")
            .arg(r#"log="$1"; shift; "$@" </dev/null >>"$log" 2>&1 & child=$!; trap 'kill $child 2>/dev/null; wait $child' EXIT; read -r _ || true"#)
            .arg("supervise")
            .arg(&log)
            .arg(command.get_program())
            .args(command.get_args())
            .envs(command.get_envs().filter_map(|(key, value)| Some((key, value?))))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut supervisor = supervisor
            .spawn()
            .with_context(|| format!("failed to start {name}"))?;
        let stdin = supervisor.stdin.take();
        Ok(Self { supervisor, stdin })
    }

    /// Stop the child and wait until it is gone.
    fn stop(mut self) {
        drop(self.stdin.take());
        let _ = self.supervisor.wait();
    }
}

struct Pki {
    ca_crt: PathBuf,
    leaf_crt: PathBuf,
    leaf_key: PathBuf,
    chain_crt: PathBuf,
    admin_crt: PathBuf,
    admin_key: PathBuf,
    sa_key: PathBuf,
    sa_pub: PathBuf,
    audit_policy: PathBuf,
}

impl Pki {
    /// A private CA like a shoot's: a serving certificate for 127.0.0.1, an admin
    /// client certificate in `system:masters`, and the ServiceAccount signing key.
    fn create(dir: &Path) -> Result<Self> {
        fs::create_dir_all(dir)?;
        let path = |name: &str| dir.join(name);
        let openssl = |args: &[&str]| -> Result<()> {
            let output = Command::new("openssl").args(args).current_dir(dir).output()?;
            ensure!(
                output.status.success(),
                "openssl {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
            Ok(())
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "3650",
            "-subj",
            "/CN=kubernetes-testbed-ca",
        ])?;
        fs::write(
            path("leaf.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
        )?;
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=kube-apiserver",
        ])?;
        openssl(&[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "leaf.crt",
            "-days",
            "90",
            "-extfile",
            "leaf.ext",
        ])?;
        fs::write(path("admin.ext"), "extendedKeyUsage=clientAuth\n")?;
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "admin.key",
            "-out",
            "admin.csr",
            "-subj",
            "/O=system:masters/CN=testbed-admin",
        ])?;
        openssl(&[
            "x509",
            "-req",
            "-in",
            "admin.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "admin.crt",
            "-days",
            "90",
            "-extfile",
            "admin.ext",
        ])?;
        openssl(&["genrsa", "-out", "sa.key", "2048"])?;
        openssl(&["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"])?;
        fs::write(
            path("chain.crt"),
            [fs::read(path("leaf.crt"))?, fs::read(path("ca.crt"))?].concat(),
        )?;
        fs::write(
            path("audit-policy.yaml"),
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: Metadata\n",
        )?;
        Ok(Self {
            ca_crt: path("ca.crt"),
            leaf_crt: path("leaf.crt"),
            leaf_key: path("leaf.key"),
            chain_crt: path("chain.crt"),
            admin_crt: path("admin.crt"),
            admin_key: path("admin.key"),
            sa_key: path("sa.key"),
            sa_pub: path("sa.pub"),
            audit_policy: path("audit-policy.yaml"),
        })
    }
}

fn write_kubeconfig(path: &Path, port: u16, pki: &Pki) -> Result<()> {
    let config = format!(
        r#"apiVersion: v1
kind: Config
clusters:
- name: testbed
  cluster:
    server: https://127.0.0.1:{port}
    certificate-authority: {ca}
users:
- name: admin
  user:
    client-certificate: {crt}
    client-key: {key}
contexts:
- name: testbed
  context: {{cluster: testbed, user: admin, namespace: default}}
current-context: testbed
"#,
        ca = pki.ca_crt.display(),
        crt = pki.admin_crt.display(),
        key = pki.admin_key.display(),
    );
    fs::write(path, config)?;
    Ok(())
}

/// Remove the directories of beds whose test process is gone.
fn remove_stale_beds() {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix("awsoidc-testbed-"))
        else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|candidate| candidate.is_file())
}

/// Segment `index` of a JWT (0 header, 1 claims) as JSON, without verifying anything.
pub fn jwt_segment(token: &str, index: usize) -> Result<Value> {
    use base64::Engine as _;
    let segment = token.split('.').nth(index).context("the token is not a JWT")?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(segment)?;
    Ok(serde_json::from_slice(&bytes)?)
}

/// Run a command, feeding `stdin` when given.
pub fn run(command: &mut Command, stdin: Option<&str>) -> Result<Output> {
    command.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .with_context(|| format!("failed to start {:?}", command.get_program()))?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes())?;
    }
    Ok(child.wait_with_output()?)
}

/// The stdout of an output that must have succeeded, else an error with its stderr.
pub fn checked(what: &str, output: Output) -> Result<String> {
    ensure!(
        output.status.success(),
        "{what} failed ({}): {}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    Ok(String::from_utf8(output.stdout)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_anonymous_section_is_cut_out_verbatim() {
        let config = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt:\n- issuer:\n    url: https://x\nanonymous:\n  enabled: true\n  conditions:\n  - path: /openid/v1/jwks\nother: 1\n";
        assert_eq!(
            anonymous_section(config).unwrap().unwrap(),
            "anonymous:\n  enabled: true\n  conditions:\n  - path: /openid/v1/jwks\n"
        );
        assert_eq!(
            anonymous_section("kind: AuthenticationConfiguration\njwt: []\n").unwrap(),
            None
        );
        assert!(anonymous_section("kind: Other\n").is_err());
    }
}

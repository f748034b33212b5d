//! Packaging, as users get it: the release archives `make dist` builds, installed with
//! the real krew into a scratch KREW_ROOT and run through kubectl's plugin lookup; the
//! static helper (no interpreter, no shared libraries); the committed completion
//! scripts against the CLI; and kubectl's plugin completion (`kubectl_complete-awsoidc`)
//! against the test bed's apiserver.
//!
//! The archive tests need `make dist-linux-amd64` (`make test` runs it) and krew from
//! `bash tests/testbed/setup.sh`; without them they fail, naming the command.
//!
//! | variable        | meaning                                                        |
//! |-----------------|----------------------------------------------------------------|
//! | `AWSOIDC_CACHE` | where setup.sh put krew (default ~/.cache/kubectl-awsoidc)     |

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use awsoidc_testbed::{TestBed, checked, testbed};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The committed completion files and the `completion` argument that prints each.
const COMPLETION_FILES: [(&str, &str); 5] = [
    ("bash", "kubectl-awsoidc.bash"),
    ("zsh", "_kubectl-awsoidc"),
    ("fish", "kubectl-awsoidc.fish"),
    ("powershell", "kubectl-awsoidc.ps1"),
    ("kubectl", "kubectl_complete-awsoidc"),
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository")
        .to_path_buf()
}

/// A file `make dist` writes; a missing one fails the test with the command to run.
fn dist_file(relative: &str) -> PathBuf {
    let path = repo_root().join(relative);
    assert!(
        path.exists(),
        "{} is missing: run `make dist-linux-amd64` (or `make test`) first",
        path.display()
    );
    path
}

fn plugin_archive() -> PathBuf {
    dist_file(&format!("dist/kubectl-awsoidc_v{VERSION}_linux_amd64.tar.gz"))
}

fn helper_archive() -> PathBuf {
    dist_file(&format!(
        "dist/awsoidc-credential-process_v{VERSION}_linux_amd64.tar.gz"
    ))
}

fn krew_binary() -> PathBuf {
    let cache = std::env::var_os("AWSOIDC_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/kubectl-awsoidc")
        });
    let krew = cache.join("bin/krew");
    assert!(
        krew.is_file(),
        "{} is missing: run `bash tests/testbed/setup.sh` first",
        krew.display()
    );
    krew
}

fn which(program: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(program))
                .find(|candidate| candidate.is_file())
        })
        .unwrap_or_else(|| panic!("{program} is not on PATH"))
}

fn run(what: &str, command: &mut Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("start {what}: {err}"));
    checked(what, output).unwrap()
}

fn extract(archive: &Path, into: &Path) -> Vec<String> {
    run(
        "tar -x",
        Command::new("tar").arg("-xzf").arg(archive).arg("-C").arg(into),
    );
    let listing = run("tar -t", Command::new("tar").arg("-tzf").arg(archive));
    let mut entries: Vec<String> = listing
        .lines()
        .map(|line| line.trim_end_matches('/').to_owned())
        .collect();
    entries.sort();
    entries
}

/// Why an ELF executable is not static: an interpreter (`PT_INTERP`) or shared
/// libraries it needs (`DT_NEEDED`). Empty for a static binary, static-pie included.
fn dynamic_dependencies(elf: &[u8]) -> Vec<String> {
    let u16_at = |at: usize| {
        elf.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let u32_at = |at: usize| {
        elf.get(at..at + 4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
    };
    let u64_at = |at: usize| {
        elf.get(at..at + 8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")) as usize)
    };
    assert!(
        elf.starts_with(b"\x7fELF\x02\x01"),
        "not a little-endian 64-bit ELF file"
    );
    let (Some(phoff), Some(phentsize), Some(phnum)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38)) else {
        panic!("truncated ELF header");
    };
    let mut found = Vec::new();
    for index in 0..phnum {
        let header = phoff + index * phentsize;
        let (Some(kind), Some(offset), Some(size)) =
            (u32_at(header), u64_at(header + 8), u64_at(header + 32))
        else {
            panic!("truncated program header {index}");
        };
        match kind {
            // PT_INTERP: the dynamic loader's path.
            3 => found.push(format!(
                "interpreter {}",
                String::from_utf8_lossy(&elf[offset..offset + size]).trim_end_matches('\0')
            )),
            // PT_DYNAMIC: (tag, value) pairs up to DT_NULL; DT_NEEDED (1) names a library.
            2 => {
                let needed = (offset..offset + size)
                    .step_by(16)
                    .map_while(|entry| u64_at(entry).filter(|tag| *tag != 0))
                    .filter(|tag| *tag == 1)
                    .count();
                if needed > 0 {
                    found.push(format!("{needed} shared libraries (DT_NEEDED)"));
                }
            }
            _ => {}
        }
    }
    found
}

fn completion_output(bed: &TestBed, shell: &str) -> String {
    run(
        &format!("kubectl-awsoidc completion {shell}"),
        bed.plugin().args(["completion", shell]),
    )
}

#[test]
fn committed_completion_scripts_match_the_cli() {
    let bed = testbed();
    for (shell, file) in COMPLETION_FILES {
        let path = repo_root().join("completions").join(file);
        let committed =
            fs::read_to_string(&path).unwrap_or_else(|err| panic!("read {}: {err}", path.display()));
        assert!(
            committed == completion_output(bed, shell),
            "{} differs from `kubectl-awsoidc completion {shell}`: run `make completions`",
            path.display()
        );
    }
    let shim = repo_root().join("completions/kubectl_complete-awsoidc");
    let mode = fs::metadata(&shim).unwrap().permissions().mode();
    assert!(mode & 0o111 != 0, "{} is not executable", shim.display());
}

/// What the committed bash script offers for the words after `kubectl-awsoidc`, the
/// last one being completed: bash itself runs the function it registers.
fn bash_completes(words: &[&str]) -> Vec<String> {
    let script = repo_root().join("completions/kubectl-awsoidc.bash");
    let line = words.join(" ");
    let program = format!(
        "source {}; COMP_WORDS=(kubectl-awsoidc {line}); COMP_CWORD={count}; \
         complete -p kubectl-awsoidc >/dev/null || exit 3; \
         _kubectl__awsoidc kubectl-awsoidc \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        count = words.len()
    );
    let output = run("bash completion", Command::new("bash").args(["-c", &program]));
    output
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_bash_script_completes_subcommands_their_flags_and_values() {
    assert_eq!(bash_completes(&["bi"]), ["bind"]);
    assert_eq!(bash_completes(&["bind", "--cr"]), ["--create-role"]);
    assert_eq!(bash_completes(&["provider", "s"]), ["sync"]);
    assert_eq!(bash_completes(&["-o", "j"]), ["json"]);
}

/// kubectl with the committed `kubectl_complete-awsoidc` shim on PATH in front of the
/// bed's (which holds the plugin under test), asked what `kubectl awsoidc WORDS` offers.
fn kubectl_complete(bed: &TestBed, scratch: &str, words: &[&str]) -> (Vec<String>, String) {
    let bin = bed.scratch(scratch).join("bin");
    fs::create_dir_all(&bin).unwrap();
    fs::copy(
        repo_root().join("completions/kubectl_complete-awsoidc"),
        bin.join("kubectl_complete-awsoidc"),
    )
    .unwrap();
    let bed_path = bed
        .env()
        .into_iter()
        .find(|(key, _)| key == "PATH")
        .expect("PATH")
        .1;
    let output = run(
        "kubectl __complete",
        bed.command(which("kubectl"))
            .env("PATH", format!("{}:{bed_path}", bin.display()))
            // Only flags typed on the line may pick the cluster.
            .env_remove("KUBECONFIG")
            .arg("__complete")
            .arg("awsoidc")
            .args(words),
    );
    let mut lines: Vec<String> = output.lines().map(str::to_owned).collect();
    let directive = lines.pop().unwrap_or_default();
    (lines, directive)
}

fn values(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .map(|line| line.split('\t').next().unwrap_or_default())
        .collect()
}

#[test]
fn kubectl_completes_the_plugins_subcommands_and_flags() {
    let bed = testbed();
    let (lines, directive) = kubectl_complete(bed, "complete-subcommands", &[""]);
    let names = values(&lines);
    for name in [
        "enable",
        "disable",
        "bind",
        "unbind",
        "inject",
        "doctor",
        "thumbprint",
        "provider",
    ] {
        assert!(names.contains(&name), "{name} missing from {lines:?}");
    }
    assert_eq!(directive, ":4", "no file completion among subcommands");
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("bind\tLet a ServiceAccount")),
        "{lines:?}"
    );

    let (lines, _) = kubectl_complete(bed, "complete-flags", &["bind", "--"]);
    let names = values(&lines);
    for flag in [
        "--create-role",
        "--policy-arn",
        "--namespace",
        "--kubeconfig",
        "--dry-run",
    ] {
        assert!(names.contains(&flag), "{flag} missing from {lines:?}");
    }
}

#[test]
fn namespaces_complete_from_the_cluster() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.kubectl_ok(&["create", "namespace", "completion-probe"], None)
        .ok();
    let kubeconfig = bed.kubeconfig().display().to_string();
    let (lines, directive) = kubectl_complete(
        bed,
        "complete-namespaces",
        &["--kubeconfig", &kubeconfig, "bind", "-n", ""],
    );
    for namespace in ["completion-probe", "default", "kube-system"] {
        assert!(
            lines.iter().any(|line| line == namespace),
            "{namespace} missing from {lines:?}"
        );
    }
    assert_eq!(directive, ":4");

    let (lines, _) = kubectl_complete(
        bed,
        "complete-namespaces-prefix",
        &["--kubeconfig", &kubeconfig, "doctor", "--namespace=completion-p"],
    );
    assert_eq!(lines, ["--namespace=completion-probe"]);
}

#[test]
fn service_accounts_complete_from_the_typed_namespace() {
    let bed = testbed();
    let _guard = bed.lock();
    bed.kubectl_ok(&["create", "namespace", "completion-sa"], None)
        .ok();
    bed.kubectl_ok(
        &["create", "serviceaccount", "probe-app", "-n", "completion-sa"],
        None,
    )
    .ok();
    let kubeconfig = bed.kubeconfig().display().to_string();
    let (lines, directive) = kubectl_complete(
        bed,
        "complete-service-accounts",
        &["--kubeconfig", &kubeconfig, "bind", "-n", "completion-sa", "pro"],
    );
    assert_eq!(lines, ["probe-app"]);
    assert_eq!(directive, ":4");
}

#[test]
fn an_unreachable_cluster_completes_nothing_and_says_nothing() {
    let bed = testbed();
    let scratch = bed.scratch("complete-unreachable");
    let kubeconfig = scratch.join("kubeconfig");
    fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster: {server: 'https://127.0.0.1:1'}\n\
         contexts:\n- name: gone\n  context: {cluster: gone, user: nobody}\ncurrent-context: gone\n\
         users:\n- name: nobody\n  user: {token: x}\n",
    )
    .unwrap();
    let kubeconfig = kubeconfig.display().to_string();
    let (lines, directive) = kubectl_complete(
        bed,
        "complete-unreachable-run",
        &["--kubeconfig", &kubeconfig, "-n", ""],
    );
    assert!(lines.is_empty(), "{lines:?}");
    assert_eq!(directive, ":4");
}

#[test]
fn the_sha256_files_match_the_archives() {
    plugin_archive();
    helper_archive();
    let dist = repo_root().join("dist");
    let sums: Vec<PathBuf> = fs::read_dir(&dist)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sha256"))
        .collect();
    let archives = fs::read_dir(&dist)
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .path()
                .to_string_lossy()
                .ends_with(".tar.gz")
        })
        .count();
    assert_eq!(
        sums.len(),
        archives,
        "one .sha256 file per archive in {}",
        dist.display()
    );
    for sum in sums {
        run(
            &format!("sha256sum -c {}", sum.display()),
            Command::new("sha256sum").arg("-c").arg(&sum).current_dir(&dist),
        );
    }
}

#[test]
fn the_manifest_names_each_built_plugin_archive_with_its_checksum() {
    let manifest = fs::read_to_string(dist_file("krew/awsoidc.yaml")).unwrap();
    assert!(
        manifest.contains(&format!("\n  version: v{VERSION}\n")),
        "{manifest}"
    );
    assert!(!manifest.contains('@'), "unfilled placeholders:\n{manifest}");
    let plugin_sums: Vec<PathBuf> = fs::read_dir(repo_root().join("dist"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.starts_with("kubectl-awsoidc_") && name.ends_with(".tar.gz.sha256")
        })
        .collect();
    assert!(!plugin_sums.is_empty());
    assert_eq!(
        manifest.matches("- selector:").count(),
        plugin_sums.len(),
        "one platform per plugin archive:\n{manifest}"
    );
    for sum in plugin_sums {
        let text = fs::read_to_string(&sum).unwrap();
        let (hash, archive) = text.trim().split_once("  ").expect("sha256sum format");
        let block = manifest
            .split("- selector:")
            .find(|block| block.contains(&format!("/releases/download/v{VERSION}/{archive}\n")))
            .unwrap_or_else(|| panic!("{archive} is not in the manifest:\n{manifest}"));
        assert!(
            block.contains(&format!("sha256: {hash}\n")),
            "{archive}: wrong checksum in\n{block}"
        );
    }
}

#[test]
fn the_release_archives_hold_what_users_and_images_need() {
    let bed = testbed();
    let scratch = bed.scratch("archives");
    let plugin = extract(&plugin_archive(), &scratch);
    let mut expected: Vec<String> = ["LICENSE", "README.md", "completions", "kubectl-awsoidc"]
        .into_iter()
        .map(str::to_owned)
        .chain(
            COMPLETION_FILES
                .iter()
                .map(|(_, file)| format!("completions/{file}")),
        )
        .collect();
    expected.sort();
    assert_eq!(plugin, expected);

    let scratch = bed.scratch("archives-helper");
    let helper = extract(&helper_archive(), &scratch);
    assert_eq!(
        helper,
        ["awsoidc-credential-process"],
        "the helper archive holds the binary alone"
    );
}

#[test]
fn the_released_binaries_have_no_dynamic_dependencies() {
    let bed = testbed();
    // The checker must see a dynamic executable for what it is: this test binary is one.
    let this = fs::read(std::env::current_exe().unwrap()).unwrap();
    assert!(
        !dynamic_dependencies(&this).is_empty(),
        "the ELF check misses a dynamic binary"
    );

    // Every Linux archive dist built (linux/amd64 at least; linux/arm64 when zig could).
    let required = [helper_archive(), plugin_archive()];
    let archives: Vec<PathBuf> = fs::read_dir(repo_root().join("dist"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.contains("_linux_") && name.ends_with(".tar.gz")
        })
        .collect();
    assert!(required.iter().all(|archive| archives.contains(archive)));
    for archive in archives {
        let name = archive.file_name().unwrap().to_string_lossy().into_owned();
        let binary = name.split("_v").next().unwrap();
        let scratch = bed.scratch(&format!("static-{name}"));
        extract(&archive, &scratch);
        let elf = fs::read(scratch.join(binary)).unwrap();
        assert_eq!(
            dynamic_dependencies(&elf),
            Vec::<String>::new(),
            "{name}: {binary} is not static"
        );
        if !name.ends_with("_linux_amd64.tar.gz") {
            continue;
        }
        // A static binary starts anywhere: in an empty environment, from any directory.
        let output = Command::new(scratch.join(binary))
            .arg("--help")
            .env_clear()
            .current_dir("/")
            .output()
            .unwrap();
        assert!(output.status.success(), "{binary} --help: {output:?}");
    }
}

#[test]
fn the_released_helper_names_its_version_and_target() {
    let bed = testbed();
    let scratch = bed.scratch("helper-version");
    extract(&helper_archive(), &scratch);
    let version = run(
        "awsoidc-credential-process --version",
        Command::new(scratch.join("awsoidc-credential-process"))
            .arg("--version")
            .env_clear(),
    );
    assert_eq!(
        version,
        format!("awsoidc-credential-process {VERSION} (x86_64-unknown-linux-musl)\n")
    );
}

/// The commit `make dist` built from must be this checkout's, or the install test
/// would prove an old build.
fn head_commit() -> String {
    run(
        "git rev-parse",
        Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .current_dir(repo_root()),
    )
    .trim()
    .to_owned()
}

#[test]
fn krew_installs_the_release_and_kubectl_runs_it() {
    let bed = testbed();
    let archive = plugin_archive();
    let manifest = dist_file("krew/awsoidc.yaml");
    let krew = krew_binary();
    let scratch = bed.scratch("krew");
    let krew_root = scratch.join("krew-root");
    let bin = scratch.join("bin");
    fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(&krew, bin.join("kubectl-krew")).unwrap();
    // kubectl's own directory, and krew's bin first: nothing else named kubectl-*.
    let kubectl = which("kubectl");
    let path = format!(
        "{}:{}:{}:/usr/bin:/bin",
        krew_root.join("bin").display(),
        bin.display(),
        kubectl.parent().unwrap().display()
    );
    let in_krew_env = |command: &mut Command| -> String {
        run(
            &format!("{command:?}"),
            command
                .env_clear()
                .env("PATH", &path)
                .env("HOME", &scratch)
                .env("KREW_ROOT", &krew_root)
                .env("KREW_NO_UPGRADE_CHECK", "1")
                .current_dir(&scratch),
        )
    };

    in_krew_env(
        Command::new(&kubectl)
            .args(["krew", "install"])
            .arg(format!("--manifest={}", manifest.display()))
            .arg(format!("--archive={}", archive.display())),
    );
    assert!(
        krew_root.join("bin/kubectl-awsoidc").exists(),
        "krew linked no kubectl-awsoidc"
    );
    // `krew list` needs the index, which a --manifest install does without.
    assert!(
        krew_root.join("receipts/awsoidc.yaml").is_file(),
        "krew wrote no receipt"
    );
    let store = krew_root.join(format!("store/awsoidc/v{VERSION}"));
    for file in ["LICENSE", "README.md", "completions/kubectl_complete-awsoidc"] {
        assert!(store.join(file).is_file(), "krew did not install {file}");
    }

    let version = in_krew_env(Command::new(&kubectl).args(["awsoidc", "version"]));
    assert!(
        version.starts_with(&format!("kubectl-awsoidc {VERSION} (commit ")),
        "{version}"
    );
    let commit = head_commit();
    assert!(
        version.contains(&format!("(commit {commit})")),
        "dist/ is not built from HEAD {commit}: {version}run `make dist-linux-amd64`"
    );
    assert!(
        version.contains(&format!("expects awsoidc-credential-process {VERSION}")),
        "{version}"
    );

    // The caveats' completion step, then kubectl's plugin completion through it.
    let shim = krew_root.join("bin/kubectl_complete-awsoidc");
    let script = in_krew_env(Command::new(&kubectl).args(["awsoidc", "completion", "kubectl"]));
    fs::write(&shim, script).unwrap();
    fs::set_permissions(&shim, fs::Permissions::from_mode(0o755)).unwrap();
    let offered = in_krew_env(Command::new(&kubectl).args(["__complete", "awsoidc", "en"]));
    assert_eq!(
        offered
            .lines()
            .map(|line| line.split('\t').next().unwrap())
            .collect::<Vec<_>>(),
        ["enable", ":4"]
    );

    // kubectl's plugin lookup sees krew's link, and nothing else of that name.
    let plugins = in_krew_env(Command::new(&kubectl).args(["plugin", "list", "--name-only"]));
    assert!(plugins.lines().any(|line| line == "kubectl-awsoidc"), "{plugins}");
}

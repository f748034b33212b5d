//! Build script: records the git commit the plugin is built from, for `version`.
//!
//! | variable             | meaning                                                         |
//! |----------------------|-----------------------------------------------------------------|
//! | `AWSOIDC_GIT_COMMIT` | set by the builder (a distribution building a source tarball): used as is |
//!
//! Otherwise the commit is asked of git. Outside a git checkout (a source tarball, a
//! vendored crate) nothing is set and `version` prints "unknown": a build never fails
//! for want of git.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=AWSOIDC_GIT_COMMIT");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("AWSOIDC_GIT_COMMIT").is_some() {
        // Cargo passes the builder's variable through to `option_env!` itself.
        return;
    }
    let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return;
    };
    println!("cargo:rustc-env=AWSOIDC_GIT_COMMIT={commit}");
    // Rebuild when HEAD moves: HEAD itself (a checkout) and the branch it points at
    // (a commit). Git resolves both paths, worktrees included.
    let mut watched = vec!["HEAD".to_owned()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    watched.push("packed-refs".to_owned());
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", &name]) {
            // Cargo re-runs on every build for a path that does not exist.
            if PathBuf::from(&path).exists() {
                println!("cargo:rerun-if-changed={path}");
            }
        }
    }
}

/// The trimmed stdout of a successful git command, or `None` (no git, no repository).
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

//! Getting the token text for one call: from the projected token file (read afresh
//! every call, with a short retry while the kubelet swaps its `..data` symlink and the
//! file is briefly missing or empty) or from the stdout of a `--token-command`.
//! What the token says is [`crate::token`]'s business; this module only fetches it.

use crate::secret::Secret;
use crate::settings::TokenSource;
use std::io::{self, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a missing or empty token file is waited for before giving up.
pub const MISSING_FILE_GRACE: Duration = Duration::from_secs(1);
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// A token is at most 20 000 characters; anything far beyond is not a token.
const MAX_READ: u64 = 64 * 1024;

/// Why no token text could be had.
#[derive(Debug, thiserror::Error)]
pub enum TokenSourceError {
    /// The file is missing, unreadable or stayed empty.
    #[error("failed to read the token file {path}: {source}")]
    ReadFile { path: PathBuf, source: io::Error },
    /// The command could not be started or waited for.
    #[error("failed to run the token command {command:?}: {source}")]
    StartCommand { command: String, source: io::Error },
    /// The command ran and failed.
    #[error("the token command {command:?} failed ({status}); its stderr is above")]
    CommandFailed { command: String, status: String },
    /// The command did not finish within the call's budget.
    #[error("the token command {command:?} did not finish within the --timeout budget")]
    CommandTimedOut { command: String },
}

/// Fetch the token text, giving up at `deadline`.
pub fn fetch(source: &TokenSource, deadline: Instant) -> Result<Secret, TokenSourceError> {
    match source {
        TokenSource::File(path) => read_file(path, Instant::now() + MISSING_FILE_GRACE),
        TokenSource::Command(command) => run_command(command, deadline),
    }
}

/// Read `path`, retrying until `give_up` while it is missing or empty: the kubelet
/// replaces the `..data` symlink atomically, but a reader can race a cleanup or a
/// first mount.
pub fn read_file(path: &std::path::Path, give_up: Instant) -> Result<Secret, TokenSourceError> {
    loop {
        let attempt = std::fs::File::open(path).and_then(|file| {
            // Sized for a whole token, so one read syscall usually suffices.
            let mut text = String::with_capacity(8192);
            file.take(MAX_READ).read_to_string(&mut text)?;
            Ok(text)
        });
        let retry_error = match attempt {
            Ok(text) if !text.trim().is_empty() => return Ok(Secret::new(text.trim().to_owned())),
            Ok(_) => io::Error::new(io::ErrorKind::UnexpectedEof, "the file is empty"),
            Err(error) if error.kind() == io::ErrorKind::NotFound => error,
            Err(source) => {
                return Err(TokenSourceError::ReadFile {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        if Instant::now() >= give_up {
            return Err(TokenSourceError::ReadFile {
                path: path.to_owned(),
                source: retry_error,
            });
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

fn run_command(command: &str, deadline: Instant) -> Result<Secret, TokenSourceError> {
    let start_error = |source| TokenSourceError::StartCommand {
        command: command.to_owned(),
        source,
    };
    let mut child = Command::new("sh")
        .args(["-c", command])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(start_error)?;
    // Read stdout on a thread so a chatty command cannot block on a full pipe while we wait.
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| start_error(io::Error::other("no stdout pipe")))?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        (&mut stdout)
            .take(MAX_READ)
            .read_to_string(&mut text)
            .map(|_| text)
    });
    let status = loop {
        if let Some(status) = child.try_wait().map_err(start_error)? {
            break status;
        }
        if Instant::now() >= deadline {
            // Best effort: the command is abandoned either way.
            let _ = child.kill();
            let _ = child.wait();
            return Err(TokenSourceError::CommandTimedOut {
                command: command.to_owned(),
            });
        }
        std::thread::sleep(POLL_INTERVAL);
    };
    if !status.success() {
        return Err(TokenSourceError::CommandFailed {
            command: command.to_owned(),
            status: status.to_string(),
        });
    }
    let text = reader
        .join()
        .map_err(|_| start_error(io::Error::other("the stdout reader stopped")))?
        .map_err(start_error)?;
    Ok(Secret::new(text.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::TempDir;

    #[test]
    fn token_file_missing_during_a_symlink_swap_is_waited_for() {
        let dir = TempDir::new("swap");
        let token = dir.path().join("token");
        std::fs::write(&token, "header.claims.sig\n").expect("write");
        std::fs::remove_file(&token).expect("remove");
        let restore = {
            let token = token.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(200));
                std::fs::write(token, "header.claims.sig\n").expect("write");
            })
        };
        let started = Instant::now();
        let text = read_file(&token, Instant::now() + MISSING_FILE_GRACE).expect("read after the swap");
        assert_eq!(text.expose(), "header.claims.sig");
        assert!(started.elapsed() >= Duration::from_millis(150));
        restore.join().expect("restore thread");
    }

    #[test]
    fn token_file_missing_for_good_names_the_path() {
        let dir = TempDir::new("missing");
        let token = dir.path().join("token");
        let message = read_file(&token, Instant::now() + Duration::from_millis(50))
            .expect_err("missing")
            .to_string();
        assert!(message.contains(&token.display().to_string()), "{message}");
    }

    #[test]
    fn token_command_output_is_the_token() {
        let source = TokenSource::Command("printf 'a.b.c\\n'; echo noise >&2".into());
        let token = fetch(&source, Instant::now() + Duration::from_secs(5)).expect("runs");
        assert_eq!(token.expose(), "a.b.c");
    }

    #[test]
    fn failing_or_hanging_token_commands_are_reported() {
        let failed = fetch(
            &TokenSource::Command("exit 7".into()),
            Instant::now() + Duration::from_secs(5),
        );
        assert!(
            matches!(failed, Err(TokenSourceError::CommandFailed { .. })),
            "{failed:?}"
        );
        let hung = fetch(
            &TokenSource::Command("sleep 5".into()),
            Instant::now() + Duration::from_millis(100),
        );
        assert!(
            matches!(hung, Err(TokenSourceError::CommandTimedOut { .. })),
            "{hung:?}"
        );
    }
}

//! Getting the token text for one call: from the projected token file (read afresh
//! every call, with a short retry while the kubelet swaps its `..data` symlink and the
//! file is briefly missing or empty) or from the stdout of a `--token-command`.
//! What the token says is [`crate::token`]'s business; this module only fetches it.

use crate::secret::{Secret, echo_input};
use crate::settings::TokenSource;
use crate::token::{self, TokenError};
use std::io::{self, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a missing or empty token file is waited for before giving up.
pub const MISSING_FILE_GRACE: Duration = Duration::from_secs(1);
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// How long a failed command's output is still waited for, to tell "printed too much"
/// (and died of SIGPIPE) from other failures.
const OUTPUT_GRACE: Duration = Duration::from_millis(200);
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
    /// The text read is not exactly one compact JWT; the token itself is never shown.
    #[error("refused {origin}: {problem}")]
    Malformed { origin: String, problem: TokenError },
    /// The command printed more than a token can be.
    #[error("the token command {command:?} printed more than {MAX_READ} bytes: it must print only the token")]
    CommandOutputTooLarge { command: String },
    /// The command did not finish within the call's budget.
    #[error("the token command {command:?} did not finish within the --timeout budget")]
    CommandTimedOut { command: String },
}

/// Fetch the token, giving up at `deadline`, and refuse text that is not exactly one
/// compact JWT before it can reach STS.
pub fn fetch(source: &TokenSource, deadline: Instant) -> Result<Secret, TokenSourceError> {
    let text = match source {
        TokenSource::File(path) => read_file(path, Instant::now() + MISSING_FILE_GRACE)?,
        TokenSource::Command(command) => run_command(command, deadline)?,
    };
    match token::compact(text.expose()) {
        Ok(token) => Ok(Secret::new(token)),
        Err(problem) => Err(TokenSourceError::Malformed {
            origin: match source {
                TokenSource::File(path) => format!("the token file {}", path.display()),
                TokenSource::Command(_) => "the output of --token-command".to_owned(),
            },
            problem,
        }),
    }
}

/// Read `path`, retrying until `give_up` while it is missing or empty: the kubelet
/// replaces the `..data` symlink atomically, but a reader can race a cleanup or a
/// first mount.
pub fn read_file(path: &std::path::Path, give_up: Instant) -> Result<Secret, TokenSourceError> {
    loop {
        let attempt = std::fs::File::open(path).and_then(|file| {
            // Sized to the file: one read, and no oversized buffer for the allocator to map.
            let size = file.metadata()?.len().min(MAX_READ);
            let mut text = String::with_capacity(usize::try_from(size).unwrap_or(0) + 1);
            file.take(MAX_READ).read_to_string(&mut text)?;
            Ok(text)
        });
        let retry_error = match attempt {
            Ok(text) if !text.trim().is_empty() => return Ok(Secret::new(text)),
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
    // The command as errors show it: it may carry a secret (a pasted token, a password).
    let shown = echo_input(command);
    let start_error = |source| TokenSourceError::StartCommand {
        command: shown.clone(),
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
    // One byte past the limit tells "too much" from "exactly the limit"; the pipe is
    // then closed, and a command still writing dies of SIGPIPE.
    let (sender, output) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let read = (&mut stdout).take(MAX_READ + 1).read_to_end(&mut bytes);
        drop(stdout);
        // The receiver is gone only when the call has already failed.
        let _ = sender.send(read.map(|_| bytes));
    });
    let status = loop {
        if let Some(status) = child.try_wait().map_err(start_error)? {
            break status;
        }
        if Instant::now() >= deadline {
            // Best effort: the command is abandoned either way.
            let _ = child.kill();
            let _ = child.wait();
            return Err(TokenSourceError::CommandTimedOut { command: shown });
        }
        std::thread::sleep(POLL_INTERVAL);
    };
    // A failed command (SIGPIPE included) is not waited on: something it started may
    // still hold the pipe open; output over the limit has been read in full by now.
    let received = if status.success() {
        output.recv().ok()
    } else {
        output.recv_timeout(OUTPUT_GRACE).ok()
    };
    let bytes = match received {
        Some(Ok(bytes)) if bytes.len() as u64 > MAX_READ => {
            return Err(TokenSourceError::CommandOutputTooLarge { command: shown });
        }
        Some(Ok(bytes)) if status.success() => bytes,
        Some(Err(source)) if status.success() => return Err(start_error(source)),
        None if status.success() => {
            return Err(start_error(io::Error::other("the stdout reader stopped")));
        }
        _ => {
            return Err(TokenSourceError::CommandFailed {
                command: shown,
                status: status.to_string(),
            });
        }
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| start_error(io::Error::new(io::ErrorKind::InvalidData, "stdout is not UTF-8")))?;
    Ok(Secret::new(text))
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
        assert_eq!(text.expose(), "header.claims.sig\n");
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
        let jwt = crate::token::tests::jwt(&serde_json::json!({"sub": "x"}));
        let source = TokenSource::Command(format!("printf '%s\\n' {jwt}; echo noise >&2"));
        let token = fetch(&source, Instant::now() + Duration::from_secs(5)).expect("runs");
        assert_eq!(token.expose(), jwt);
    }

    #[test]
    fn text_beyond_one_jwt_is_refused_naming_the_source_not_the_token() {
        let jwt = crate::token::tests::jwt(&serde_json::json!({"sub": "x"}));
        let dir = TempDir::new("junk");
        let file = dir.path().join("token");
        let soon = || Instant::now() + Duration::from_secs(5);
        for junk in [format!("{jwt}\nsecond line junk"), format!("{jwt} extra")] {
            std::fs::write(&file, &junk).expect("write");
            let message = fetch(&TokenSource::File(file.clone()), soon())
                .expect_err("junk")
                .to_string();
            assert!(
                message.starts_with(&format!("refused the token file {}: ", file.display())),
                "{message}"
            );
            assert!(!message.contains(&jwt) && !message.contains('\n'), "{message}");
        }
        std::fs::write(&file, format!("{jwt}\n\n")).expect("write");
        assert_eq!(
            fetch(&TokenSource::File(file.clone()), soon())
                .expect("trailing newlines")
                .expose(),
            jwt
        );
        let command = TokenSource::Command(format!("printf '%s\\n' {jwt}; echo x"));
        let message = fetch(&command, soon()).expect_err("extra line").to_string();
        assert_eq!(
            message,
            "refused the output of --token-command: the token text spans 2 lines: expected one JWT on one \
             line (only trailing whitespace is cut)"
        );
    }

    #[test]
    fn a_token_command_printing_too_much_says_so() {
        let soon = Instant::now() + Duration::from_secs(5);
        let flood = fetch(&TokenSource::Command("yes x | head -c 100000".into()), soon);
        assert!(
            matches!(flood, Err(TokenSourceError::CommandOutputTooLarge { .. })),
            "{flood:?}"
        );
        let endless = fetch(&TokenSource::Command("yes".into()), soon).expect_err("endless");
        assert_eq!(
            endless.to_string(),
            "the token command \"yes\" printed more than 65536 bytes: it must print only the token"
        );
        let secret = format!("echo {}", "p".repeat(100));
        let message = fetch(&TokenSource::Command(format!("{secret}; exit 3")), soon)
            .expect_err("fails")
            .to_string();
        assert!(!message.contains(&"p".repeat(60)), "{message}");
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

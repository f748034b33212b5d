//! The process exit codes, in one place.
//!
//! | code | meaning                                                      |
//! |------|--------------------------------------------------------------|
//! | 0    | success (`doctor`: nothing failed)                           |
//! | 1    | the command failed (`doctor`: a link of the chain is broken) |
//! | 2    | usage error: bad flag, argument or input file                |

use std::process::ExitCode;

/// An exit status of the plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Success = 0,
    Failure = 1,
    Usage = 2,
}

impl From<Code> for ExitCode {
    fn from(code: Code) -> Self {
        ExitCode::from(code as u8)
    }
}

/// A usage error: the user's input is wrong, not the cluster or AWS. Commands wrap
/// such errors in it so `main` exits with [`Code::Usage`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Shorthand for returning a [`UsageError`] from a command.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// The error chain as one line for people: each cause once (a cause whose text the
/// previous one already carries is dropped), and the apiserver's refusals as their
/// message and HTTP status instead of kube's debug dump.
pub fn render(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        // kube's API error carries its Status as its source: already rendered.
        if cause.is::<kube::core::Status>() || cause.is::<Box<kube::core::Status>>() {
            continue;
        }
        let text = match cause.downcast_ref::<kube::Error>() {
            Some(kube::Error::Api(status)) => {
                format!("{} (HTTP {} {})", status.message, status.code, status.reason)
            }
            _ => cause.to_string(),
        };
        let text = text.replace('\n', " ");
        if parts.last().is_some_and(|previous| previous.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

/// The exit code for an error that reached `main`.
pub fn code_for(err: &anyhow::Error) -> Code {
    if err.chain().any(|cause| cause.is::<UsageError>()) {
        Code::Usage
    } else {
        Code::Failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apiserver_refusals_render_as_their_message_and_repeats_go() {
        let status = kube::core::Status::failure("shoots.core.gardener.cloud \"x\" not found", "NotFound")
            .with_code(404);
        let err = anyhow::Error::from(kube::Error::Api(Box::new(status))).context("failed to read the Shoot");
        assert_eq!(
            render(&err),
            "failed to read the Shoot: shoots.core.gardener.cloud \"x\" not found (HTTP 404 NotFound)"
        );
        let io = std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "No such file or directory (os error 2)",
        );
        let err =
            anyhow::Error::from(io).context("failed to read /x: No such file or directory (os error 2)");
        assert_eq!(
            render(&err),
            "failed to read /x: No such file or directory (os error 2)"
        );
    }
}

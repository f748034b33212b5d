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

/// The exit code for an error that reached `main`.
pub fn code_for(err: &anyhow::Error) -> Code {
    if err.chain().any(|cause| cause.is::<UsageError>()) {
        Code::Usage
    } else {
        Code::Failure
    }
}

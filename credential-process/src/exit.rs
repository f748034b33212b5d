//! The helper's exit codes, in one place. Callers (the AWS CLI, SDKs, scripts) only
//! see "non-zero means no credentials", but the code tells a human or a script which
//! kind of problem to look for; `--help` lists them.

use std::process::ExitCode;

/// Why the helper stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Credentials printed.
    Success = 0,
    /// Anything else, e.g. stdout could not be written.
    Failure = 1,
    /// A flag, an environment variable or the AWS config is wrong or missing.
    Usage = 2,
    /// The token cannot be read, or would be refused (audience, expiry, shape).
    Token = 3,
    /// STS answered and rejected the exchange (AWS's code and message are printed).
    Rejected = 4,
    /// STS could not be reached or kept failing (timeouts, 5xx, throttling).
    Network = 5,
}

/// The `--help` section listing the codes; kept beside the enum so they cannot drift.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  credentials printed on stdout
  1  other failure (e.g. stdout could not be written)
  2  usage or configuration: a flag, environment variable or region is missing or invalid
  3  token problem: unreadable, not a JWT, wrong audience, expired, token command failed
  4  STS rejected the exchange: AWS's error code and message follow, with a hint
  5  network: STS unreachable, timing out, throttling or failing after retries";

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_code() {
        for exit in [
            Exit::Success,
            Exit::Failure,
            Exit::Usage,
            Exit::Token,
            Exit::Rejected,
            Exit::Network,
        ] {
            assert!(
                EXIT_CODES_HELP.contains(&format!("\n  {}  ", exit as u8)),
                "{exit:?}"
            );
        }
    }
}

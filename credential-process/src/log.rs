//! The helper's stderr voice: `--verbose` notes and warnings that always print. stdout
//! belongs to the credential output alone, so nothing here can write there. Callers
//! pass only non-secret values; secrets are [`crate::secret::Secret`] and print redacted.

use std::fmt;
use std::io::Write;

/// Writes prefixed lines to stderr (or a test buffer).
pub struct Log<'a> {
    verbose: bool,
    out: &'a mut dyn Write,
}

impl<'a> Log<'a> {
    /// A log that writes notes only when `verbose`.
    pub fn new(verbose: bool, out: &'a mut dyn Write) -> Self {
        Log { verbose, out }
    }

    /// A `--verbose` line.
    pub fn note(&mut self, message: fmt::Arguments<'_>) {
        if self.verbose {
            self.line("", message);
        }
    }

    /// A line that always prints: a problem that does not stop the call.
    pub fn warn(&mut self, message: fmt::Arguments<'_>) {
        self.line("warning: ", message);
    }

    /// The failure line (and hints) that ends an unsuccessful call.
    pub fn error(&mut self, message: fmt::Arguments<'_>) {
        self.line("error: ", message);
    }

    /// A follow-up line under an error.
    pub fn hint(&mut self, message: fmt::Arguments<'_>) {
        // See `line` for why a write error is ignored.
        let _ = writeln!(self.out, "  hint: {message}");
    }

    fn line(&mut self, kind: &str, message: fmt::Arguments<'_>) {
        // A closed stderr leaves nowhere to report to; the exit code still tells.
        let _ = writeln!(self.out, "awsoidc-credential-process: {kind}{message}");
    }
}

//! Progress on long waits, on stderr: a spinner line with the elapsed time and the
//! current state on a terminal; elsewhere (CI, pipes) one line per state change.

use std::io::{IsTerminal, Write};
use std::time::Instant;

/// A wait in progress.
pub struct Progress {
    what: String,
    started: Instant,
    terminal: bool,
    last_state: Option<String>,
    ticks: usize,
}

impl Progress {
    pub fn start(what: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            started: Instant::now(),
            terminal: std::io::stderr().is_terminal(),
            last_state: None,
            ticks: 0,
        }
    }

    /// Show the current state (printed again only when it changes, off a terminal).
    pub fn update(&mut self, state: &str) {
        let elapsed = self.started.elapsed().as_secs();
        let mut stderr = std::io::stderr().lock();
        if self.terminal {
            const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
            self.ticks += 1;
            let _ = write!(
                stderr,
                "\r\x1b[2K{} {} [{elapsed}s] {state}",
                FRAMES[self.ticks % FRAMES.len()],
                self.what
            );
        } else if self.last_state.as_deref() != Some(state) {
            let _ = writeln!(stderr, "{} [{elapsed}s] {state}", self.what);
        }
        let _ = stderr.flush();
        self.last_state = Some(state.to_owned());
    }

    /// End the wait with a final line.
    pub fn finish(self, outcome: &str) {
        let elapsed = self.started.elapsed().as_secs();
        let clear = if self.terminal { "\r\x1b[2K" } else { "" };
        eprintln!("{clear}{} [{elapsed}s] {outcome}", self.what);
    }
}

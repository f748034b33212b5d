//! The baseline for the helper's cached-call time: the smallest useful static program,
//! built with the same target and the same size-tuned release settings as the helper.

use std::io::Write;

fn main() {
    // A closed stdout is not this baseline's concern.
    let _ = std::io::stdout().write_all(b"hello\n");
}

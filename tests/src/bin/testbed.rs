//! `cargo run -p awsoidc-testbed --bin testbed`: start the test bed and keep it up
//! until interrupted, printing the environment that points kubectl, the plugin and
//! the AWS CLI at it — for poking at the tools by hand.

use std::process::ExitCode;

use awsoidc_testbed::{ShootSpec, testbed};

fn main() -> ExitCode {
    let bed = testbed();
    if std::env::args().any(|arg| arg == "--shoot") {
        if let Err(err) = bed.make_shoot(&ShootSpec::new("demo", "demo", "1.34.4")) {
            eprintln!("testbed: failed to make the shoot stand-in: {err:#}");
            return ExitCode::FAILURE;
        }
        eprintln!("# a Gardener shoot stand-in: shoot demo in garden-demo (garden kubeconfig = KUBECONFIG)");
    }
    for (key, value) in bed.env() {
        if key != "HOME" {
            println!("export {key}='{value}'");
        }
    }
    eprintln!(
        "# test bed up (issuer {}); logs in {}; Ctrl-C stops it",
        bed.issuer(),
        bed.log_dir().display()
    );
    loop {
        std::thread::park();
    }
}

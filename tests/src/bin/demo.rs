//! `make demo`: the seed tutorial on the local test bed, narrated. Starts the real
//! kube-apiserver, etcd and moto, then walks the chain step by step with
//! `awsoidc_testbed::seed` (the same flow the `seed` end-to-end test checks).

use std::process::ExitCode;

use awsoidc_testbed::seed::{self, Narrator};
use awsoidc_testbed::testbed;

/// Numbered steps; command output indented under them.
struct Terminal {
    steps: usize,
}

impl Narrator for Terminal {
    fn step(&mut self, title: &str) {
        self.steps += 1;
        println!("\n{}. {title}", self.steps);
    }

    fn show(&mut self, text: &str) {
        for line in text.lines() {
            println!("   | {line}");
        }
    }
}

fn main() -> ExitCode {
    let bed = testbed();
    println!(
        "test bed up: apiserver (and ServiceAccount issuer) at {}",
        bed.issuer()
    );
    println!("moto (IAM, STS, SSM) at {}", bed.moto_url());
    let _guard = bed.lock();
    let outcome = seed::run(bed, &mut Terminal { steps: 0 });
    if let Err(err) = bed.reset() {
        eprintln!("warning: failed to reset the test bed: {err:#}");
    }
    match outcome {
        Ok(outcome) if outcome.trusted_by.is_some() => {
            println!(
                "\nThe pod's token became {} and read {} = {}: the chain works.",
                outcome.identity_arn,
                seed::PARAMETER,
                outcome.parameter_value
            );
            ExitCode::SUCCESS
        }
        Ok(_) => {
            eprintln!("\nerror: the role's trust policy would not let the pod's token in (see above)");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("\nerror: {err:#}");
            ExitCode::FAILURE
        }
    }
}

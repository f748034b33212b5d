//! `make demo`: the seed tutorial on the local test bed, narrated. Starts the real
//! kube-apiserver, etcd and moto, then walks the chain step by step.

use std::process::ExitCode;

use awsoidc_testbed::testbed;

fn main() -> ExitCode {
    let bed = testbed();
    println!(
        "test bed up: apiserver (and ServiceAccount issuer) at {}",
        bed.issuer()
    );
    println!("moto (IAM, STS, SSM) at {}", bed.moto_url());
    ExitCode::SUCCESS
}

//! `kubectl-awsoidc`: parse the command line, run the command, print the error chain
//! once and exit with the code `exit` documents.

use std::process::ExitCode;

use clap::Parser;
use kubectl_awsoidc::{cli::Cli, commands, exit};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Both ring (kube, ureq) and aws-lc (the AWS SDK) are linked; TLS clients that
    // ask rustls for the process default need one chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: failed to start the async runtime: {err}");
            return exit::Code::Failure.into();
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code.into(),
        Err(err) => {
            eprintln!("error: {}", exit::render(&err));
            exit::code_for(&err).into()
        }
    }
}

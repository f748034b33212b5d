//! The `awsoidc-credential-process` binary: a thin shell over [`awsoidc_credential_process::app::run`]
//! with the real argv, environment, clock, stdout and stderr.

use awsoidc_credential_process::app;
use awsoidc_credential_process::environment::ProcessEnvironment;
use std::process::ExitCode;

fn main() -> ExitCode {
    let exit = app::run(
        std::env::args_os(),
        &ProcessEnvironment,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    exit.into()
}

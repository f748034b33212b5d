//! `completion bash|zsh|fish`: the shell completion script for `kubectl-awsoidc`.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionArgs};
use crate::exit::Code;

pub fn run(args: &CompletionArgs) -> Result<Code> {
    let mut command = Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "kubectl-awsoidc",
        &mut std::io::stdout(),
    );
    Ok(Code::Success)
}

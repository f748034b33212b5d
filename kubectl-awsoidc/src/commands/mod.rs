//! One module per subcommand; `run` resolves the context and dispatches.

use anyhow::Result;

use crate::cli::{Cli, Command, ProviderCommand};
use crate::context::Context;
use crate::exit::Code;

mod completion;
mod disable;
mod enable;
mod provider;
mod thumbprint;
mod version;

/// Run the parsed command line.
pub async fn run(cli: Cli) -> Result<Code> {
    let context = Context::new(cli.global);
    match cli.command {
        Command::Completion(args) => completion::run(&args),
        Command::Version => version::run(&context),
        Command::Enable(args) => enable::run(&context, &args).await,
        Command::Disable(args) => disable::run(&context, &args).await,
        Command::Thumbprint(args) => thumbprint::run(&context, &args).await,
        Command::Provider(ProviderCommand::Sync(args)) => provider::sync(&context, &args).await,
        other => Err(crate::exit::usage(format!(
            "`{}` is not available in this build yet",
            command_name(&other)
        ))),
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Enable(_) => "enable",
        Command::Disable(_) => "disable",
        Command::Thumbprint(_) => "thumbprint",
        Command::Provider(_) => "provider",
        Command::Bind(_) => "bind",
        Command::Unbind(_) => "unbind",
        Command::Inject(_) => "inject",
        Command::Doctor(_) => "doctor",
        Command::Completion(_) => "completion",
        Command::Version => "version",
    }
}

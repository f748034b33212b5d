//! One module per subcommand; `run` resolves the context and dispatches.

use anyhow::Result;

use crate::cli::{Cli, Command, ProviderCommand};
use crate::context::Context;
use crate::exit::Code;

mod bind;
mod completion;
mod disable;
mod doctor;
mod enable;
mod inject;
mod provider;
mod thumbprint;
mod unbind;
mod version;

/// Run the parsed command line.
pub async fn run(cli: Cli) -> Result<Code> {
    // Checked before any command runs, so a bad --region never fails half way.
    if let Some(region) = &cli.global.region {
        crate::inject::check_region(region).map_err(|err| crate::exit::usage(err.to_string()))?;
    }
    let context = Context::new(cli.global);
    match cli.command {
        Command::Completion(args) => completion::run(&args),
        Command::Version => version::run(&context),
        Command::Enable(args) => enable::run(&context, &args).await,
        Command::Disable(args) => disable::run(&context, &args).await,
        Command::Thumbprint(args) => thumbprint::run(&context, &args).await,
        Command::Provider(ProviderCommand::Sync(args)) => provider::sync(&context, &args).await,
        Command::Bind(args) => bind::run(&context, &args).await,
        Command::Unbind(args) => unbind::run(&context, &args).await,
        Command::Inject(args) => inject::run(&context, &args).await,
        Command::Doctor(args) => doctor::run(&context, &args).await,
    }
}

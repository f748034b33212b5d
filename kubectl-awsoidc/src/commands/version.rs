//! `version`: the plugin version, the git commit it was built from and the helper
//! version it expects (they are released together).

use anyhow::Result;
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::context::Context;
use crate::exit::Code;

#[derive(Serialize)]
struct VersionInfo {
    version: &'static str,
    commit: &'static str,
    helper: &'static str,
}

pub fn run(context: &Context) -> Result<Code> {
    let info = VersionInfo {
        version: env!("CARGO_PKG_VERSION"),
        commit: option_env!("AWSOIDC_GIT_COMMIT").unwrap_or("unknown"),
        helper: env!("CARGO_PKG_VERSION"),
    };
    match context.global.output {
        OutputFormat::Text => println!(
            "kubectl-awsoidc {} (commit {}), expects awsoidc-credential-process {}",
            info.version, info.commit, info.helper
        ),
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&info)?),
        OutputFormat::Yaml => print!("{}", serde_yaml::to_string(&info)?),
    }
    Ok(Code::Success)
}

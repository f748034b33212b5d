//! The command line as clap parses it: flags only, validated for shape. Environment
//! variables and defaults are applied afterwards by [`crate::settings`], through the
//! [`crate::environment`] seam, so the parsed flags stay a plain value.

use crate::exit::EXIT_CODES_HELP;
use clap::{Parser, ValueEnum};
use std::path::PathBuf;

/// What `--format` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// The credential_process JSON object.
    #[default]
    Json,
    /// Shell-quoted `export` lines, for `eval "$(awsoidc-credential-process --format env)"`.
    Env,
}

const ENVIRONMENT_HELP: &str = "\
Environment (a flag wins over its variable):
  AWS_ROLE_ARN                    --role-arn
  AWS_WEB_IDENTITY_TOKEN_FILE     --token-file
  AWS_ROLE_SESSION_NAME           --session-name
  AWS_REGION, AWS_DEFAULT_REGION  --region; then `region` of AWS_PROFILE (or default)
                                  in AWS_CONFIG_FILE (or ~/.aws/config)
  AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL
                                  --endpoint-url
  XDG_CACHE_HOME, HOME            where the cache lives (--cache-dir)";

/// Exchange a projected Kubernetes ServiceAccount token for temporary AWS credentials
/// (STS AssumeRoleWithWebIdentity) and print them for an AWS `credential_process`.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "awsoidc-credential-process",
    // "0.1.0 (x86_64-unknown-linux-musl)": an image's helper names its build (build.rs).
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("AWSOIDC_BUILD_TARGET"), ")"),
    long_about = "Exchange a projected Kubernetes ServiceAccount token for temporary AWS credentials \
                  (STS AssumeRoleWithWebIdentity) and print them for an AWS `credential_process`.\n\n\
                  Use it in an AWS config profile:\n\n    \
                  [profile app]\n    \
                  credential_process = /usr/local/bin/awsoidc-credential-process --role-arn ARN --region REGION\n\n\
                  stdout carries exactly one JSON object (or `export` lines with --format env); \
                  everything else goes to stderr. A cold call makes one HTTPS request to the regional \
                  STS endpoint; a cached call makes none.",
    after_help = EXIT_CODES_HELP,
    after_long_help = format!("{ENVIRONMENT_HELP}\n\n{EXIT_CODES_HELP}"),
)]
pub struct Args {
    /// The IAM role to assume (env AWS_ROLE_ARN).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,

    /// The projected token file, read afresh on every call (env AWS_WEB_IDENTITY_TOKEN_FILE;
    /// default /var/run/secrets/eks.amazonaws.com/serviceaccount/token).
    #[arg(long, value_name = "PATH", conflicts_with = "token_command")]
    pub token_file: Option<PathBuf>,

    /// Run CMD with `sh -c` and use its stdout as the token, e.g.
    /// `kubectl create token app -n team-a --audience sts.amazonaws.com`. A cached call does not run it.
    #[arg(long, value_name = "CMD")]
    pub token_command: Option<String>,

    /// The STS role session name (env AWS_ROLE_SESSION_NAME; default derived from the
    /// token's sub, e.g. team-a.app, so that repeated calls share the cache).
    #[arg(long, value_name = "NAME")]
    pub session_name: Option<String>,

    /// The AWS region whose STS endpoint to call (env AWS_REGION, AWS_DEFAULT_REGION).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Call STS at this URL instead of https://sts.REGION.amazonaws.com/
    /// (env AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Session duration in seconds (900..43200, at most the role's MaxSessionDuration).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub duration: u32,

    /// The audience (aud) the token must carry.
    #[arg(long, value_name = "AUD", default_value = crate::contract::DEFAULT_AUDIENCE)]
    pub audience: String,

    /// The cache directory (default $XDG_CACHE_HOME/awsoidc-credential-process or
    /// ~/.cache/awsoidc-credential-process).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Neither read nor write the cache.
    #[arg(long)]
    pub no_cache: bool,

    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,

    /// Give up after this many seconds in total (retries included).
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,

    /// Explain each step on stderr (never secrets).
    #[arg(short, long)]
    pub verbose: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn token_file_and_token_command_exclude_each_other() {
        let parsed = Args::try_parse_from(["x", "--token-file", "/t", "--token-command", "cat /t"]);
        assert!(parsed.is_err());
    }

    #[test]
    fn long_help_documents_exit_codes_and_environment() {
        let help = Args::command().render_long_help().to_string();
        assert!(
            help.contains("Exit codes:") && help.contains("AWS_ENDPOINT_URL_STS"),
            "{help}"
        );
    }
}

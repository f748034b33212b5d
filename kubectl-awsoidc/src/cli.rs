//! The command line as clap parses it: flags and arguments only, validated but not
//! resolved. Turning these into clients (kubeconfig, garden access, AWS profile and
//! region) is `context`'s job; running a command is `commands`'.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// AWS IAM OIDC federation for Kubernetes clusters that are not EKS (Gardener shoots first).
///
/// Makes the cluster's ServiceAccount issuer an IAM OIDC identity provider, binds
/// ServiceAccounts to IAM roles, injects the projected token into workloads and walks
/// the whole trust chain when an exchange fails.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-awsoidc",
    bin_name = "kubectl awsoidc",
    version,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command understands, spelled as kubectl and the AWS CLI spell them.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// The namespace (default: the context's namespace, then "default").
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// Print the plan and change nothing ("client": computed locally; "server": also
    /// sent to the apiserver as a dry run).
    #[arg(long, global = true, value_enum, num_args = 0..=1, default_missing_value = "client", default_value_t = DryRun::None, require_equals = true)]
    pub dry_run: DryRun,
    /// The AWS CLI profile to use (default: $AWS_PROFILE).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile's).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used.
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Yaml,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DryRun {
    None,
    Client,
    Server,
}

impl DryRun {
    /// True when nothing may be written.
    pub fn is_dry(self) -> bool {
        self != DryRun::None
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make the cluster's ServiceAccount issuer an AWS IAM OIDC provider.
    Enable(EnableArgs),
    /// Undo exactly what `enable` added.
    Disable(DisableArgs),
    /// Print the thumbprint IAM needs for an issuer and explain the certificate chain.
    Thumbprint(ThumbprintArgs),
    /// Manage the IAM OIDC provider of the cluster's issuer.
    #[command(subcommand)]
    Provider(ProviderCommand),
    /// Let a ServiceAccount assume an IAM role.
    Bind(BindArgs),
    /// Reverse `bind`, removing only what it added.
    Unbind(UnbindArgs),
    /// Add the projected token and AWS settings to workload manifests (a filter).
    Inject(InjectArgs),
    /// Walk the trust chain and name the first broken link.
    Doctor(DoctorArgs),
    /// Print a shell completion script, or kubectl's plugin completion executable.
    Completion(CompletionArgs),
    /// Print the plugin version, its git commit and the helper version it expects.
    Version,
}

/// How anonymous access to the two discovery paths is turned on for a Gardener shoot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnonymousMode {
    /// Choose by the shoot's Kubernetes version (< 1.32 legacy, otherwise structured).
    Auto,
    /// `spec.kubernetes.kubeAPIServer.enableAnonymousAuthentication: true`.
    Legacy,
    /// An AuthenticationConfiguration whose anonymous section allows only the two paths.
    Structured,
}

/// Which issuer AWS trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IssuerKind {
    /// The cluster's own issuer, served by its apiserver (needs anonymous access).
    Cluster,
    /// Gardener's managed issuer (publicly trusted, no anonymous access).
    Managed,
}

/// Access to the garden cluster that holds the Shoot resource.
#[derive(Debug, Clone, Args)]
pub struct GardenArgs {
    /// Kubeconfig for the garden cluster (needed to change the shoot's settings).
    #[arg(long, value_name = "PATH")]
    pub garden_kubeconfig: Option<PathBuf>,
    /// Context in the garden kubeconfig.
    #[arg(long, value_name = "NAME")]
    pub garden_context: Option<String>,
    /// The shoot's project namespace in the garden (default: garden-<projectName> from shoot-info).
    #[arg(long, value_name = "NAMESPACE")]
    pub garden_namespace: Option<String>,
}

#[derive(Debug, Args)]
pub struct EnableArgs {
    #[command(flatten)]
    pub garden: GardenArgs,
    /// Which issuer AWS should trust.
    #[arg(long, value_enum, default_value_t = IssuerKind::Cluster)]
    pub issuer: IssuerKind,
    /// How to turn on anonymous access on a Gardener shoot.
    #[arg(long, value_enum, default_value_t = AnonymousMode::Auto)]
    pub anonymous_mode: AnonymousMode,
    /// How long to wait for the discovery URLs to answer anonymously (0 skips the wait).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    pub wait: Duration,
    /// Do not touch AWS; only prepare the cluster.
    #[arg(long)]
    pub skip_aws: bool,
    /// The OIDC client id (audience) registered with the provider.
    #[arg(long, value_name = "ID", default_value = awsoidc_credential_process::contract::DEFAULT_AUDIENCE)]
    pub client_id: String,
}

#[derive(Debug, Args)]
pub struct DisableArgs {
    #[command(flatten)]
    pub garden: GardenArgs,
    /// Also delete the IAM OIDC provider of the issuer.
    #[arg(long)]
    pub delete_provider: bool,
}

#[derive(Debug, Args)]
pub struct ThumbprintArgs {
    /// The issuer URL (default: the cluster's issuer).
    pub url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ProviderCommand {
    /// Add the thumbprint the issuer presents now, keeping previous ones (at most 5).
    /// Safe to run from a CronJob.
    Sync(ProviderSyncArgs),
}

#[derive(Debug, Args)]
pub struct ProviderSyncArgs {
    /// The issuer URL (default: the cluster's issuer).
    #[arg(long, value_name = "URL")]
    pub issuer_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct BindArgs {
    /// The ServiceAccount (created if missing).
    pub service_account: String,
    /// The IAM role: a name (account from --account-id or STS) or a full ARN.
    pub role: String,
    /// Create the role when it does not exist.
    #[arg(long)]
    pub create_role: bool,
    /// A managed policy to attach to the role (repeatable).
    #[arg(long = "policy-arn", value_name = "ARN")]
    pub policy_arns: Vec<String>,
    /// The AWS account id for a role given by name.
    #[arg(long, value_name = "ID")]
    pub account_id: Option<String>,
    /// Trust every ServiceAccount matching this pattern (StringLike), e.g.
    /// 'system:serviceaccount:ns:prefix-*'.
    #[arg(long, value_name = "PATTERN")]
    pub subject_pattern: Option<String>,
    /// The token audience the role trusts.
    #[arg(long, value_name = "AUDIENCE", default_value = awsoidc_credential_process::contract::DEFAULT_AUDIENCE)]
    pub audience: String,
    /// The token lifetime annotated on the ServiceAccount, in seconds.
    #[arg(long, value_name = "SECONDS")]
    pub token_expiration: Option<u32>,
    /// The account's quota for the trust policy's length, in characters (IAM's default
    /// is 2048; raised quotas go up to 8192).
    #[arg(long, value_name = "CHARS", default_value_t = crate::trust::DEFAULT_TRUST_POLICY_QUOTA)]
    pub trust_policy_quota: usize,
}

#[derive(Debug, Args)]
pub struct UnbindArgs {
    /// The ServiceAccount.
    pub service_account: String,
    /// The IAM role (default: the role in the ServiceAccount's annotation).
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// Also delete the role when no subject is left in its trust policy.
    #[arg(long)]
    pub delete_role: bool,
    /// Remove this `--subject-pattern` that bind added, instead of the ServiceAccount's own subject.
    #[arg(long, value_name = "PATTERN")]
    pub subject_pattern: Option<String>,
}

/// How workloads get AWS credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InjectMode {
    /// The SDKs' own web identity support: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE.
    Native,
    /// An AWS config profile whose credential_process is awsoidc-credential-process.
    Process,
}

#[derive(Debug, Args)]
pub struct InjectArgs {
    /// The manifest to read ("-" for stdin).
    #[arg(short = 'f', long = "filename", value_name = "FILE", default_value = "-")]
    pub filename: String,
    /// How workloads get credentials.
    #[arg(long, value_enum, default_value_t = InjectMode::Native)]
    pub mode: InjectMode,
    /// The role ARN (default: the ServiceAccount's annotation, when a cluster is reachable).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// The projected token's audience (default: the ServiceAccount's
    /// eks.amazonaws.com/audience annotation, then sts.amazonaws.com).
    #[arg(long, value_name = "AUDIENCE")]
    pub audience: Option<String>,
    /// The projected token's lifetime in seconds, 600..86400 and never 3607 (default: the
    /// ServiceAccount's eks.amazonaws.com/token-expiration annotation, then 86400).
    #[arg(long, value_name = "SECONDS")]
    pub token_expiration: Option<u32>,
    /// A container that gets nothing injected (repeatable).
    #[arg(long = "skip-container", value_name = "NAME")]
    pub skip_containers: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The ServiceAccount whose chain to check.
    pub service_account: Option<String>,
    /// Check only the given files; report the rest as skipped.
    #[arg(long)]
    pub offline: bool,
    /// Also make one real STS call with a freshly requested token.
    #[arg(long)]
    pub exchange: bool,
    /// Map an STS error message to the links it can mean.
    #[arg(long, value_name = "MESSAGE")]
    pub error: Option<String>,
    /// The issuer URL to check.
    #[arg(long, value_name = "URL")]
    pub issuer_url: Option<String>,
    /// The discovery document (/.well-known/openid-configuration) as a file.
    #[arg(long, value_name = "FILE")]
    pub discovery: Option<PathBuf>,
    /// The JWKS document as a file.
    #[arg(long, value_name = "FILE")]
    pub jwks: Option<PathBuf>,
    /// A ServiceAccount token (JWT) as a file.
    #[arg(long, value_name = "FILE")]
    pub token: Option<PathBuf>,
    /// The certificate chain as the server presents it (PEM).
    #[arg(long, value_name = "FILE")]
    pub chain: Option<PathBuf>,
    /// The output of `aws iam get-open-id-connect-provider`.
    #[arg(long, value_name = "FILE")]
    pub provider: Option<PathBuf>,
    /// A trust policy document or the output of `aws iam get-role`.
    #[arg(long, value_name = "FILE")]
    pub trust_policy: Option<PathBuf>,
    /// The ServiceAccount as YAML.
    #[arg(long, value_name = "FILE")]
    pub service_account_file: Option<PathBuf>,
    /// The audience the token must carry and the provider must list.
    #[arg(long, value_name = "AUDIENCE", default_value = awsoidc_credential_process::contract::DEFAULT_AUDIENCE)]
    pub audience: String,
}

/// Where completion is wanted: a shell's own script, or kubectl's plugin completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    /// The `kubectl_complete-awsoidc` executable that makes `kubectl awsoidc <TAB>`
    /// work (kubectl >= 1.26); with `-- WORDS...`, the candidates it asks for.
    Kubectl,
}

#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell, or `kubectl` for kubectl's own plugin completion.
    #[arg(value_enum)]
    pub shell: CompletionShell,
    /// With `kubectl`: the words typed after `kubectl awsoidc`, the last being the one
    /// to complete (kubectl passes '' for a new word). Prints one candidate per line,
    /// then `:DIRECTIVE`, as kubectl's plugin completion expects.
    #[arg(last = true, value_name = "WORDS")]
    pub words: Vec<String>,
}

/// Parse "90s", "10m", "1h" or a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: u64 = digits
        .parse()
        .map_err(|_| format!("invalid duration {text:?}: use e.g. 90s, 10m or 1h"))?;
    let seconds = match unit {
        "s" => value,
        "m" => value * 60,
        "h" => value * 3600,
        _ => return Err(format!("invalid duration unit in {text:?}: use s, m or h")),
    };
    Ok(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_accept_kubectl_style_units() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5d").is_err());
    }
}

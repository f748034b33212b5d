//! Resolving parsed flags and the environment into the [`Settings`] one call runs
//! with: which role, which token, which STS endpoint, how long, where the cache is.
//! Every rule here is a pure function of [`crate::cli::Args`], an [`Environment`] and
//! (for the region fallback) the AWS config file's text.
//!
//! | Variable | Meaning |
//! |---|---|
//! | `AWS_ROLE_ARN` | role to assume, unless `--role-arn` |
//! | `AWS_WEB_IDENTITY_TOKEN_FILE` | token file, unless `--token-file`/`--token-command` |
//! | `AWS_ROLE_SESSION_NAME` | session name, unless `--session-name` |
//! | `AWS_REGION`, `AWS_DEFAULT_REGION` | region, unless `--region` |
//! | `AWS_PROFILE`, `AWS_CONFIG_FILE`, `HOME` | the profile whose `region` is the last fallback |
//! | `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL` | STS endpoint, unless `--endpoint-url` |
//! | `XDG_CACHE_HOME`, `HOME` | cache directory, unless `--cache-dir` |

use crate::cli::{Args, Format};
use crate::contract::ROLE_ARN_FORM;
use crate::environment::Environment;
use crate::secret::echo_input;
use std::path::PathBuf;
use std::time::Duration;

/// Where the token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// A file, read afresh on every call.
    File(PathBuf),
    /// The stdout of `sh -c COMMAND`.
    Command(String),
}

/// Everything one call needs, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The role ARN.
    pub role_arn: String,
    /// The token's source.
    pub token: TokenSource,
    /// The session name, when given; otherwise derived from the token.
    pub session_name: Option<String>,
    /// The STS URL to POST to.
    pub endpoint: String,
    /// Session duration in seconds.
    pub duration: u32,
    /// The audience the token must carry.
    pub audience: String,
    /// The cache directory, or `None` for no cache.
    pub cache_dir: Option<PathBuf>,
    /// The output format.
    pub format: Format,
    /// The budget for the whole call.
    pub timeout: Duration,
    /// Whether to explain steps on stderr.
    pub verbose: bool,
}

/// A flag, variable or config value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No role given anywhere.
    #[error("no role to assume: pass --role-arn ARN or set AWS_ROLE_ARN")]
    MissingRoleArn,
    /// The role ARN is not an IAM role ARN.
    #[error("invalid role ARN {0:?}: expected {ROLE_ARN_FORM}")]
    InvalidRoleArn(String),
    /// No region and no endpoint URL.
    #[error(
        "no AWS region: pass --region REGION or set AWS_REGION (or AWS_DEFAULT_REGION, or region in the \
         AWS profile) so the regional STS endpoint can be used"
    )]
    MissingRegion,
    /// The region is not a region name.
    #[error("invalid region {0:?}: expected a name such as eu-central-1")]
    InvalidRegion(String),
    /// The endpoint URL is not http(s).
    #[error(
        "invalid STS endpoint URL {0:?}: expected http:// or https:// followed by a host, without user:password@"
    )]
    InvalidEndpoint(String),
    /// The session name does not match STS's pattern.
    #[error("invalid session name {0:?}: use 2 to 64 characters of letters, digits and +=,.@_-")]
    InvalidSessionName(String),
    /// `--audience` empty.
    #[error("--audience must not be empty")]
    EmptyAudience,
}

impl Settings {
    /// Resolve `args` against `env`. `aws_config` is the text of the AWS config file,
    /// read by the caller only when neither a flag nor a variable names the region.
    pub fn resolve(
        args: &Args,
        env: &dyn Environment,
        aws_config: impl FnOnce(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let role_arn = args
            .role_arn
            .clone()
            .or_else(|| env.var("AWS_ROLE_ARN"))
            .ok_or(ConfigError::MissingRoleArn)?;
        check_role_arn(&role_arn)?;

        let token = match (&args.token_command, &args.token_file) {
            (Some(command), _) => TokenSource::Command(command.clone()),
            (None, Some(path)) => TokenSource::File(path.clone()),
            (None, None) => TokenSource::File(
                env.var("AWS_WEB_IDENTITY_TOKEN_FILE")
                    .unwrap_or_else(|| crate::contract::DEFAULT_TOKEN_FILE.to_owned())
                    .into(),
            ),
        };

        let session_name = args
            .session_name
            .clone()
            .or_else(|| env.var("AWS_ROLE_SESSION_NAME"));
        if let Some(name) = &session_name
            && !is_valid_session_name(name)
        {
            return Err(ConfigError::InvalidSessionName(echo_input(name)));
        }

        let endpoint = match args
            .endpoint_url
            .clone()
            .or_else(|| env.var("AWS_ENDPOINT_URL_STS"))
            .or_else(|| env.var("AWS_ENDPOINT_URL"))
        {
            Some(url) => check_endpoint(url)?,
            None => {
                let region = args
                    .region
                    .clone()
                    .or_else(|| env.var("AWS_REGION"))
                    .or_else(|| env.var("AWS_DEFAULT_REGION"))
                    .or_else(|| {
                        let path = env
                            .var("AWS_CONFIG_FILE")
                            .or_else(|| env.var("HOME").map(|home| format!("{home}/.aws/config")))?;
                        let profile = env.var("AWS_PROFILE").unwrap_or_else(|| "default".to_owned());
                        profile_region(&aws_config(&path)?, &profile)
                    })
                    .ok_or(ConfigError::MissingRegion)?;
                regional_endpoint(&region)?
            }
        };

        if args.audience.is_empty() {
            return Err(ConfigError::EmptyAudience);
        }

        let cache_dir = if args.no_cache {
            None
        } else {
            args.cache_dir.clone().or_else(|| {
                let base = env
                    .var("XDG_CACHE_HOME")
                    .or_else(|| env.var("HOME").map(|home| format!("{home}/.cache")))?;
                Some(PathBuf::from(base).join("awsoidc-credential-process"))
            })
        };

        Ok(Settings {
            role_arn,
            token,
            session_name,
            endpoint,
            duration: args.duration,
            audience: args.audience.clone(),
            cache_dir,
            format: args.format,
            timeout: Duration::from_secs(args.timeout),
            verbose: args.verbose,
        })
    }
}

/// `https://sts.REGION.amazonaws.com/`, or `.amazonaws.com.cn` for the China regions.
pub fn regional_endpoint(region: &str) -> Result<String, ConfigError> {
    let valid = !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if !valid {
        return Err(ConfigError::InvalidRegion(echo_input(region)));
    }
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    Ok(format!("https://sts.{region}.{suffix}/"))
}

fn check_endpoint(url: String) -> Result<String, ConfigError> {
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match host {
        Some(rest)
            if !rest.is_empty()
                && !rest.starts_with('/')
                && !url.contains(char::is_whitespace)
                && !rest
                    .split('/')
                    .next()
                    .is_some_and(|authority| authority.contains('@')) =>
        {
            Ok(url)
        }
        _ => Err(ConfigError::InvalidEndpoint(echo_input(&url))),
    }
}

fn check_role_arn(arn: &str) -> Result<(), ConfigError> {
    if crate::contract::is_iam_role_arn(arn) {
        Ok(())
    } else {
        Err(ConfigError::InvalidRoleArn(echo_input(arn)))
    }
}

/// STS's RoleSessionName pattern: `[\w+=,.@-]{2,64}`.
pub fn is_valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len()) && name.bytes().all(is_session_name_byte)
}

fn is_session_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b)
}

/// The default session name for a token's `sub`: `NAMESPACE.NAME` for a ServiceAccount,
/// otherwise the `sub` with disallowed characters replaced, cut to 64 characters;
/// `awsoidc` when that leaves fewer than 2. Deterministic, so the cache key is stable.
pub fn derive_session_name(subject: Option<&str>) -> String {
    let base = match subject {
        Some(sub) => match crate::contract::parse_service_account_subject(sub) {
            Some((namespace, name)) => format!("{namespace}.{name}"),
            None => sub.to_owned(),
        },
        None => String::new(),
    };
    let name: String = base
        .bytes()
        .map(|b| {
            if is_session_name_byte(b) {
                char::from(b)
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if name.len() < 2 {
        "awsoidc".to_owned()
    } else {
        name
    }
}

/// The `region` of `profile` in an AWS config file (`[default]` or `[profile NAME]`).
pub fn profile_region(config: &str, profile: &str) -> Option<String> {
    let wanted = if profile == "default" {
        "default".to_owned()
    } else {
        format!("profile {profile}")
    };
    let mut in_section = false;
    for line in config.lines() {
        let line = line.trim();
        if let Some(section) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
            let section = section.split_whitespace().collect::<Vec<_>>().join(" ");
            in_section = section == wanted || (profile == "default" && section == "profile default");
        } else if in_section
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "region"
        {
            let value = value.split(['#', ';']).next().unwrap_or("").trim();
            return (!value.is_empty()).then(|| value.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Invocation;
    use crate::environment::FixedEnvironment;
    use crate::time::Timestamp;

    const ROLE: &str = "arn:aws:iam::111122223333:role/app";

    fn resolve(flags: &[&str], vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        resolve_with_config(flags, vars, None)
    }

    fn resolve_with_config(
        flags: &[&str],
        vars: &[(&str, &str)],
        config: Option<&str>,
    ) -> Result<Settings, ConfigError> {
        let argv = std::iter::once("helper")
            .chain(flags.iter().copied())
            .map(Into::into);
        let Ok(Invocation::Run(args)) = crate::cli::parse(argv) else {
            panic!("{flags:?} do not parse as a run");
        };
        let env = FixedEnvironment::new(vars.iter().copied(), Timestamp(0));
        Settings::resolve(&args, &env, |_| config.map(str::to_owned))
    }

    #[test]
    fn flags_win_over_environment() {
        let vars = [
            ("AWS_ROLE_ARN", "arn:aws:iam::999999999999:role/env"),
            ("AWS_REGION", "us-east-1"),
        ];
        let settings = resolve(&["--role-arn", ROLE, "--region", "eu-central-1"], &vars).expect("resolves");
        assert_eq!(settings.role_arn, ROLE);
        assert_eq!(settings.endpoint, "https://sts.eu-central-1.amazonaws.com/");
        let from_env = resolve(&[], &vars).expect("resolves");
        assert_eq!(from_env.role_arn, "arn:aws:iam::999999999999:role/env");
        assert_eq!(from_env.endpoint, "https://sts.us-east-1.amazonaws.com/");
    }

    #[test]
    fn no_region_anywhere_names_the_flag_and_the_variable() {
        let error = resolve(&["--role-arn", ROLE], &[("HOME", "/home/u")]).expect_err("no region");
        assert_eq!(error, ConfigError::MissingRegion);
        let message = error.to_string();
        assert!(
            message.contains("--region") && message.contains("AWS_REGION"),
            "{message}"
        );
    }

    #[test]
    fn region_comes_from_the_profile_last() {
        let config = "[default]\nregion = us-west-2\n[profile app]\nregion=eu-central-1 # team\n";
        let vars = [("HOME", "/home/u"), ("AWS_PROFILE", "app")];
        let settings = resolve_with_config(&["--role-arn", ROLE], &vars, Some(config)).expect("resolves");
        assert_eq!(settings.endpoint, "https://sts.eu-central-1.amazonaws.com/");
        assert_eq!(profile_region(config, "default").as_deref(), Some("us-west-2"));
        assert_eq!(profile_region(config, "other"), None);
    }

    #[test]
    fn endpoint_url_replaces_the_regional_endpoint_and_needs_no_region() {
        let vars = [
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:6000"),
        ];
        let settings = resolve(&["--role-arn", ROLE], &vars).expect("resolves");
        assert_eq!(settings.endpoint, "http://127.0.0.1:6000");
        let general = resolve(&["--role-arn", ROLE], &vars[..1]).expect("resolves");
        assert_eq!(general.endpoint, "http://127.0.0.1:5000");
        assert!(matches!(
            resolve(&["--role-arn", ROLE, "--endpoint-url", "ftp://x"], &[]),
            Err(ConfigError::InvalidEndpoint(_))
        ));
    }

    #[test]
    fn china_regions_use_their_own_domain() {
        assert_eq!(
            regional_endpoint("cn-north-1").as_deref(),
            Ok("https://sts.cn-north-1.amazonaws.com.cn/")
        );
        assert!(regional_endpoint("eu-central-1/../evil").is_err());
        assert!(regional_endpoint("EU").is_err());
    }

    #[test]
    fn duration_timeout_format_and_verbose_flags_reach_the_settings() {
        let base = ["--role-arn", ROLE, "--region", "eu-central-1"];
        let defaults = resolve(&base, &[]).expect("resolves");
        assert_eq!(
            (
                defaults.duration,
                defaults.timeout,
                defaults.format,
                defaults.verbose
            ),
            (3600, Duration::from_secs(10), Format::Json, false)
        );
        let flags = [
            &base[..],
            &["--duration=21600", "--timeout", "3", "--format=env", "-v"],
        ]
        .concat();
        let given = resolve(&flags, &[]).expect("resolves");
        assert_eq!(
            (given.duration, given.timeout, given.format, given.verbose),
            (21600, Duration::from_secs(3), Format::Env, true)
        );
    }

    #[test]
    fn role_arns_are_checked_for_shape() {
        for bad in [
            "app",
            "arn:aws:iam::1111:role/app",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::111122223333:user/u",
        ] {
            assert!(check_role_arn(bad).is_err(), "{bad}");
        }
        assert!(check_role_arn("arn:aws-cn:iam::111122223333:role/path/app").is_ok());
        let too_long = format!("arn:aws:iam::111122223333:role/{}", "n".repeat(65));
        let message = resolve(&["--role-arn", &too_long, "--region", "eu-central-1"], &[])
            .expect_err("65-character name")
            .to_string();
        assert!(
            message.contains("expected arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME"),
            "{message}"
        );
        assert!(
            !message.contains(&too_long) && !message.contains('\n'),
            "{message}"
        );
    }

    #[test]
    fn rejected_values_are_echoed_without_tokens_or_passwords() {
        let token = format!("eyJhbGciOiJSUzI1NiJ9.{}.{}", "c".repeat(200), "s".repeat(300));
        let role_var = [("AWS_ROLE_ARN", token.as_str())];
        let cases = [
            (vec!["--role-arn", &token, "--region", "eu-central-1"], &[][..]),
            (vec!["--region", "eu-central-1"], &role_var[..]),
            (
                vec![
                    "--role-arn",
                    ROLE,
                    "--session-name",
                    &token,
                    "--region",
                    "eu-central-1",
                ],
                &[],
            ),
            (vec!["--role-arn", ROLE, "--region", &token], &[]),
            (vec!["--role-arn", ROLE, "--endpoint-url", &token], &[]),
        ];
        for (flags, vars) in cases {
            let message = resolve(&flags, vars).expect_err("invalid").to_string();
            let hidden = format!("<a JWT of {} characters, not shown>", token.len());
            assert!(message.contains(&hidden), "{message}");
            assert!(!message.contains("eyJ"), "{message}");
        }
        let message = resolve(
            &[
                "--role-arn",
                ROLE,
                "--endpoint-url",
                "ftp://user:SECRETPW@127.0.0.1:1/",
            ],
            &[],
        )
        .expect_err("not http")
        .to_string();
        assert!(
            message.contains("ftp://***@127.0.0.1:1/") && !message.contains("SECRETPW"),
            "{message}"
        );
    }

    #[test]
    fn token_source_defaults_to_the_eks_path() {
        let settings = resolve(&["--role-arn", ROLE, "--region", "eu-central-1"], &[]).expect("resolves");
        assert_eq!(
            settings.token,
            TokenSource::File(crate::contract::DEFAULT_TOKEN_FILE.into())
        );
        let env = resolve(
            &["--role-arn", ROLE, "--region", "x1"],
            &[("AWS_WEB_IDENTITY_TOKEN_FILE", "/t")],
        );
        assert_eq!(env.map(|s| s.token), Ok(TokenSource::File("/t".into())));
    }

    #[test]
    fn cache_dir_follows_xdg_then_home_and_no_cache_disables_it() {
        let base = ["--role-arn", ROLE, "--region", "eu-central-1"];
        let xdg = resolve(&base, &[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]).expect("resolves");
        assert_eq!(xdg.cache_dir, Some("/x/awsoidc-credential-process".into()));
        let home = resolve(&base, &[("HOME", "/h")]).expect("resolves");
        assert_eq!(
            home.cache_dir,
            Some("/h/.cache/awsoidc-credential-process".into())
        );
        let none = resolve(&[&base[..], &["--no-cache"]].concat(), &[("HOME", "/h")]).expect("resolves");
        assert_eq!(none.cache_dir, None);
    }

    #[test]
    fn session_names_follow_the_sts_pattern() {
        assert_eq!(
            derive_session_name(Some("system:serviceaccount:team-a:app")),
            "team-a.app"
        );
        assert_eq!(derive_session_name(Some("user:with spaces")), "user-with-spaces");
        assert_eq!(derive_session_name(None), "awsoidc");
        assert_eq!(derive_session_name(Some(&"n".repeat(100))).len(), 64);
        assert!(is_valid_session_name(&derive_session_name(Some(
            "system:serviceaccount:a:b"
        ))));
        let error = resolve(
            &["--role-arn", ROLE, "--region", "x1", "--session-name", "a b"],
            &[],
        );
        assert_eq!(error, Err(ConfigError::InvalidSessionName("a b".into())));
    }
}

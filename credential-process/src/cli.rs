//! The command line: argv parsed into [`Args`] (flags only, validated for shape), or a
//! request for the help or version text, or one [`UsageError`]. Environment variables
//! and the remaining defaults are applied afterwards by [`crate::settings`], through
//! the [`crate::environment`] seam, so the parsed flags stay a plain value.
//!
//! Parsed by hand rather than with clap: a cached call is mostly process start-up, and
//! building clap's command tree (many small allocations under musl's allocator) made
//! it 2.3x a static hello-world against a goal of 2x. One table, [`FLAGS`], drives
//! both the parser and the help text, so they cannot drift apart.
//!
//! Accepted: `--flag value` and `--flag=value`, `-v`/`-h`/`-V` alone or clustered
//! (`-vh`), `--` to end the flags. Refused: unknown flags (with the closest known one
//! suggested), positional arguments, a flag given twice, a value on a switch, and
//! `--token-file` together with `--token-command`. Help and version win when they
//! come before any error, as they are read left to right.

use crate::exit::EXIT_CODES_HELP;
use crate::secret::echo_input;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::ops::RangeInclusive;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// What `--format` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// The credential_process JSON object.
    #[default]
    Json,
    /// Shell-quoted `export` lines, for `eval "$(awsoidc-credential-process --format env)"`.
    Env,
}

impl Format {
    /// Every format, in help order.
    pub const ALL: [Format; 2] = [Format::Json, Format::Env];

    /// The `--format` value that selects this format.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Env => "env",
        }
    }

    /// The format's line under "Possible values" in the help.
    fn help(self) -> &'static str {
        match self {
            Format::Json => "The credential_process JSON object",
            Format::Env => {
                "Shell-quoted `export` lines, for `eval \"$(awsoidc-credential-process --format env)\"`"
            }
        }
    }

    fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }
}

/// `--duration` when not given, in seconds.
pub const DEFAULT_DURATION: u32 = 3600;
/// `--timeout` when not given, in seconds.
pub const DEFAULT_TIMEOUT: u64 = 10;
/// The `--duration` values STS accepts, in seconds (the role's MaxSessionDuration may
/// be lower; STS says so).
pub const DURATION_RANGE: RangeInclusive<u32> = 900..=43_200;
/// The `--timeout` values accepted, in seconds.
pub const TIMEOUT_RANGE: RangeInclusive<u64> = 1..=300;

/// The flags as given; `None` where a flag was not given and a variable or a later
/// rule may supply the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// `--role-arn`.
    pub role_arn: Option<String>,
    /// `--token-file`.
    pub token_file: Option<PathBuf>,
    /// `--token-command`.
    pub token_command: Option<String>,
    /// `--session-name`.
    pub session_name: Option<String>,
    /// `--region`.
    pub region: Option<String>,
    /// `--endpoint-url`.
    pub endpoint_url: Option<String>,
    /// `--duration`, in seconds.
    pub duration: u32,
    /// `--audience`.
    pub audience: String,
    /// `--cache-dir`.
    pub cache_dir: Option<PathBuf>,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--format`.
    pub format: Format,
    /// `--timeout`, in seconds.
    pub timeout: u64,
    /// `--verbose`.
    pub verbose: bool,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            role_arn: None,
            token_file: None,
            token_command: None,
            session_name: None,
            region: None,
            endpoint_url: None,
            duration: DEFAULT_DURATION,
            audience: crate::contract::DEFAULT_AUDIENCE.to_owned(),
            cache_dir: None,
            no_cache: false,
            format: Format::Json,
            timeout: DEFAULT_TIMEOUT,
            verbose: false,
        }
    }
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "one value per process, moved once; boxing would only add an allocation"
)]
pub enum Invocation {
    /// Fetch and print credentials with these flags.
    Run(Args),
    /// Print [`help`] on stdout.
    Help,
    /// Print [`version`] on stdout.
    Version,
}

/// A command line that cannot be run; the message names the argument and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    /// A flag this helper does not have.
    #[error("unknown flag {given}: {}", match .suggestion {
        Some(flag) => format!("did you mean --{flag}?"),
        None => "see --help for the flags".to_owned(),
    })]
    UnknownFlag {
        /// The flag as given, without any `=value`.
        given: String,
        /// The long name of the closest known flag, when one is close.
        suggestion: Option<&'static str>,
    },
    /// An argument that is not a flag.
    #[error("unexpected argument {0:?}: the helper takes flags only, see --help")]
    Positional(String),
    /// A flag that takes a value came last.
    #[error("--{flag} needs a value: pass --{flag} {value_name}")]
    MissingValue {
        /// The flag's long name.
        flag: &'static str,
        /// What the value is, as in the help.
        value_name: &'static str,
    },
    /// A flag that takes a value was followed by another flag.
    #[error("--{flag} needs a value but {next} follows it: pass --{flag}={next} if that is the value")]
    FlagInsteadOfValue {
        /// The flag's long name.
        flag: &'static str,
        /// The argument that follows it.
        next: String,
    },
    /// `--switch=value`.
    #[error("--{flag} takes no value: pass --{flag} alone")]
    ValueOnSwitch {
        /// The switch's long name.
        flag: &'static str,
    },
    /// The same flag twice.
    #[error("--{flag} is given twice: pass it once")]
    Repeated {
        /// The flag's long name.
        flag: &'static str,
    },
    /// Both token sources.
    #[error("--token-file and --token-command exclude each other: pass only one of them")]
    TwoTokenSources,
    /// A value that is not valid UTF-8 where text is needed.
    #[error("--{flag} is not valid UTF-8: pass it as UTF-8 text")]
    NotUtf8 {
        /// The flag's long name.
        flag: &'static str,
    },
    /// A number of seconds that is not a number.
    #[error("--{flag} {value} is not a whole number of seconds: pass e.g. --{flag} {example}")]
    NotSeconds {
        /// The flag's long name.
        flag: &'static str,
        /// The value given.
        value: String,
        /// The flag's default, as an example.
        example: u64,
    },
    /// `--duration` outside [`DURATION_RANGE`] or `--timeout` outside [`TIMEOUT_RANGE`].
    #[error("--{flag} {value} is outside {}..{}: pass a value in that range", .range.0, .range.1)]
    OutOfRange {
        /// The flag's long name.
        flag: &'static str,
        /// The value given.
        value: u64,
        /// The accepted range, both ends included.
        range: (u64, u64),
    },
    /// `--format` with an unknown name.
    #[error("--format {0} is not a format: pass --format json or --format env")]
    UnknownFormat(String),
}

/// A flag that takes a value, and where the value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Valued {
    RoleArn,
    TokenFile,
    TokenCommand,
    SessionName,
    Region,
    EndpointUrl,
    Duration,
    Audience,
    CacheDir,
    Format,
    Timeout,
}

/// A flag that takes no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Switch {
    NoCache,
    Verbose,
    Help,
    Version,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Takes a value, shown in the help as the given name.
    Value(Valued, &'static str),
    Switch(Switch),
}

/// One flag as the parser and the help see it.
#[derive(Debug)]
struct Flag {
    long: &'static str,
    short: Option<u8>,
    kind: Kind,
    help: &'static str,
}

/// Every flag, in help order.
const FLAGS: [Flag; 15] = [
    Flag {
        long: "role-arn",
        short: None,
        kind: Kind::Value(Valued::RoleArn, "ARN"),
        help: "The IAM role to assume (env AWS_ROLE_ARN)",
    },
    Flag {
        long: "token-file",
        short: None,
        kind: Kind::Value(Valued::TokenFile, "PATH"),
        help: "The projected token file, read afresh on every call (env AWS_WEB_IDENTITY_TOKEN_FILE; \
               default /var/run/secrets/eks.amazonaws.com/serviceaccount/token)",
    },
    Flag {
        long: "token-command",
        short: None,
        kind: Kind::Value(Valued::TokenCommand, "CMD"),
        help: "Run CMD with `sh -c` and use its stdout as the token, e.g. `kubectl create token app -n \
               team-a --audience sts.amazonaws.com`. A cached call does not run it",
    },
    Flag {
        long: "session-name",
        short: None,
        kind: Kind::Value(Valued::SessionName, "NAME"),
        help: "The STS role session name (env AWS_ROLE_SESSION_NAME; default derived from the token's sub, \
               e.g. team-a.app, so that repeated calls share the cache)",
    },
    Flag {
        long: "region",
        short: None,
        kind: Kind::Value(Valued::Region, "REGION"),
        help: "The AWS region whose STS endpoint to call (env AWS_REGION, AWS_DEFAULT_REGION)",
    },
    Flag {
        long: "endpoint-url",
        short: None,
        kind: Kind::Value(Valued::EndpointUrl, "URL"),
        help: "Call STS at this URL instead of https://sts.REGION.amazonaws.com/ (env AWS_ENDPOINT_URL_STS, \
               AWS_ENDPOINT_URL)",
    },
    Flag {
        long: "duration",
        short: None,
        kind: Kind::Value(Valued::Duration, "SECONDS"),
        help: "Session duration in seconds (900..43200, at most the role's MaxSessionDuration)",
    },
    Flag {
        long: "audience",
        short: None,
        kind: Kind::Value(Valued::Audience, "AUD"),
        help: "The audience (aud) the token must carry",
    },
    Flag {
        long: "cache-dir",
        short: None,
        kind: Kind::Value(Valued::CacheDir, "DIR"),
        help: "The cache directory (default $XDG_CACHE_HOME/awsoidc-credential-process or \
               ~/.cache/awsoidc-credential-process)",
    },
    Flag {
        long: "no-cache",
        short: None,
        kind: Kind::Switch(Switch::NoCache),
        help: "Neither read nor write the cache",
    },
    Flag {
        long: "format",
        short: None,
        kind: Kind::Value(Valued::Format, "FORMAT"),
        help: "What to print on stdout",
    },
    Flag {
        long: "timeout",
        short: None,
        kind: Kind::Value(Valued::Timeout, "SECONDS"),
        help: "Give up after this many seconds in total (retries included)",
    },
    Flag {
        long: "verbose",
        short: Some(b'v'),
        kind: Kind::Switch(Switch::Verbose),
        help: "Explain each step on stderr (never secrets)",
    },
    Flag {
        long: "help",
        short: Some(b'h'),
        kind: Kind::Switch(Switch::Help),
        help: "Print help",
    },
    Flag {
        long: "version",
        short: Some(b'V'),
        kind: Kind::Switch(Switch::Version),
        help: "Print version",
    },
];

/// Parse `args` (argv, program name first).
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Invocation, UsageError> {
    let mut args = args.into_iter().skip(1);
    let mut parsed = Args::default();
    // Bit i set: FLAGS[i] was given.
    let mut given: u32 = 0;
    while let Some(arg) = args.next() {
        let bytes = arg.as_bytes();
        if bytes == b"--" {
            return match args.next() {
                Some(extra) => Err(UsageError::Positional(echo(extra.as_bytes()))),
                None => finish(parsed),
            };
        }
        if let Some(rest) = bytes.strip_prefix(b"--") {
            let (name, inline) = match rest.iter().position(|&b| b == b'=') {
                Some(at) => (&rest[..at], Some(&rest[at + 1..])),
                None => (rest, None),
            };
            let index = FLAGS
                .iter()
                .position(|flag| flag.long.as_bytes() == name)
                .ok_or_else(|| unknown_flag(bytes))?;
            let flag = &FLAGS[index];
            mark_given(&mut given, index)?;
            match flag.kind {
                Kind::Switch(switch) => {
                    if inline.is_some() {
                        return Err(UsageError::ValueOnSwitch { flag: flag.long });
                    }
                    if let Some(done) = apply_switch(&mut parsed, switch) {
                        return Ok(done);
                    }
                }
                Kind::Value(valued, value_name) => {
                    let value = match inline {
                        Some(value) => OsString::from(std::ffi::OsStr::from_bytes(value)),
                        None => next_value(&mut args, flag.long, value_name)?,
                    };
                    apply_value(&mut parsed, flag.long, valued, value)?;
                }
            }
        } else if let Some(shorts) = bytes.strip_prefix(b"-").filter(|shorts| !shorts.is_empty()) {
            for short in shorts {
                let index = FLAGS
                    .iter()
                    .position(|flag| flag.short == Some(*short))
                    .ok_or_else(|| unknown_flag(bytes))?;
                mark_given(&mut given, index)?;
                // Only switches have a short form.
                if let Kind::Switch(switch) = FLAGS[index].kind
                    && let Some(done) = apply_switch(&mut parsed, switch)
                {
                    return Ok(done);
                }
            }
        } else {
            return Err(UsageError::Positional(echo(bytes)));
        }
    }
    finish(parsed)
}

fn finish(parsed: Args) -> Result<Invocation, UsageError> {
    if parsed.token_file.is_some() && parsed.token_command.is_some() {
        return Err(UsageError::TwoTokenSources);
    }
    Ok(Invocation::Run(parsed))
}

fn mark_given(given: &mut u32, index: usize) -> Result<(), UsageError> {
    let bit = 1 << index;
    if *given & bit != 0 {
        return Err(UsageError::Repeated {
            flag: FLAGS[index].long,
        });
    }
    *given |= bit;
    Ok(())
}

/// The argument after a flag that takes a value; a lone `-` is a value, other
/// arguments starting with `-` are taken for a forgotten value.
fn next_value(
    args: &mut impl Iterator<Item = OsString>,
    flag: &'static str,
    value_name: &'static str,
) -> Result<OsString, UsageError> {
    match args.next() {
        None => Err(UsageError::MissingValue { flag, value_name }),
        Some(next) if next.as_bytes().starts_with(b"-") && next.as_bytes() != b"-" => {
            Err(UsageError::FlagInsteadOfValue {
                flag,
                next: echo(next.as_bytes()),
            })
        }
        Some(value) => Ok(value),
    }
}

/// Set a switch; help and version end the parse.
fn apply_switch(parsed: &mut Args, switch: Switch) -> Option<Invocation> {
    match switch {
        Switch::NoCache => parsed.no_cache = true,
        Switch::Verbose => parsed.verbose = true,
        Switch::Help => return Some(Invocation::Help),
        Switch::Version => return Some(Invocation::Version),
    }
    None
}

fn apply_value(
    parsed: &mut Args,
    flag: &'static str,
    valued: Valued,
    value: OsString,
) -> Result<(), UsageError> {
    let text = |value: OsString| value.into_string().map_err(|_| UsageError::NotUtf8 { flag });
    match valued {
        Valued::RoleArn => parsed.role_arn = Some(text(value)?),
        Valued::TokenFile => parsed.token_file = Some(value.into()),
        Valued::TokenCommand => parsed.token_command = Some(text(value)?),
        Valued::SessionName => parsed.session_name = Some(text(value)?),
        Valued::Region => parsed.region = Some(text(value)?),
        Valued::EndpointUrl => parsed.endpoint_url = Some(text(value)?),
        Valued::Duration => {
            let seconds = seconds(flag, &text(value)?, u64::from(DEFAULT_DURATION))?;
            parsed.duration = u32::try_from(seconds)
                .ok()
                .filter(|duration| DURATION_RANGE.contains(duration))
                .ok_or(UsageError::OutOfRange {
                    flag,
                    value: seconds,
                    range: (
                        u64::from(*DURATION_RANGE.start()),
                        u64::from(*DURATION_RANGE.end()),
                    ),
                })?;
        }
        Valued::Audience => parsed.audience = text(value)?,
        Valued::CacheDir => parsed.cache_dir = Some(value.into()),
        Valued::Format => {
            let name = text(value)?;
            parsed.format =
                Format::from_name(&name).ok_or_else(|| UsageError::UnknownFormat(echo_input(&name)))?;
        }
        Valued::Timeout => {
            let seconds = seconds(flag, &text(value)?, DEFAULT_TIMEOUT)?;
            if !TIMEOUT_RANGE.contains(&seconds) {
                return Err(UsageError::OutOfRange {
                    flag,
                    value: seconds,
                    range: (*TIMEOUT_RANGE.start(), *TIMEOUT_RANGE.end()),
                });
            }
            parsed.timeout = seconds;
        }
    }
    Ok(())
}

fn seconds(flag: &'static str, value: &str, example: u64) -> Result<u64, UsageError> {
    value.parse().map_err(|_| UsageError::NotSeconds {
        flag,
        value: echo(value.as_bytes()),
        example,
    })
}

/// An unknown flag, shown without any `=value` (which may be a secret).
fn unknown_flag(arg: &[u8]) -> UsageError {
    let given = arg.split(|&b| b == b'=').next().unwrap_or(arg);
    let dashes = given.iter().take_while(|&&b| b == b'-').count();
    UsageError::UnknownFlag {
        given: format!("{}{}", "-".repeat(dashes), echo(&given[dashes..])),
        suggestion: closest_flag(&given[dashes..]),
    }
}

/// The long flag nearest to `name` by edit distance, when at most a third of its
/// characters differ (a typo, not a different word).
fn closest_flag(name: &[u8]) -> Option<&'static str> {
    FLAGS
        .iter()
        .map(|flag| (edit_distance(name, flag.long.as_bytes()), flag.long))
        .min_by_key(|(distance, _)| *distance)
        .filter(|(distance, long)| distance * 3 <= long.len())
        .map(|(_, long)| long)
}

/// Levenshtein distance over bytes.
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &byte_a) in a.iter().enumerate() {
        let mut diagonal = i;
        row[0] = i + 1;
        for (j, &byte_b) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(byte_a != byte_b));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// An argument as an error may show it: lossy UTF-8, then [`echo_input`]'s rule.
fn echo(arg: &[u8]) -> String {
    echo_input(&String::from_utf8_lossy(arg))
}

/// `--version`: the program name and version.
/// "awsoidc-credential-process 0.1.0 (x86_64-unknown-linux-musl)": an image's helper
/// names its build (the target comes from build.rs).
pub const VERSION: &str = concat!(
    "awsoidc-credential-process ",
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("AWSOIDC_BUILD_TARGET"),
    ")\n"
);

const ABOUT: &str = "\
Exchange a projected Kubernetes ServiceAccount token for temporary AWS credentials (STS \
AssumeRoleWithWebIdentity) and print them for an AWS `credential_process`.

Use it in an AWS config profile:

    [profile app]
    credential_process = /usr/local/bin/awsoidc-credential-process --role-arn ARN --region REGION

stdout carries exactly one JSON object (or `export` lines with --format env); everything else goes \
to stderr. A cold call makes one HTTPS request to the regional STS endpoint; a cached call makes none.";

const ENVIRONMENT_HELP: &str = "\
Environment (a flag wins over its variable):
  AWS_ROLE_ARN                    --role-arn
  AWS_WEB_IDENTITY_TOKEN_FILE     --token-file
  AWS_ROLE_SESSION_NAME           --session-name
  AWS_REGION, AWS_DEFAULT_REGION  --region; then `region` of AWS_PROFILE (or default)
                                  in AWS_CONFIG_FILE (or ~/.aws/config)
  AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL
                                  --endpoint-url
  XDG_CACHE_HOME, HOME            where the cache lives (--cache-dir)
  HTTPS_PROXY, ALL_PROXY, NO_PROXY
                                  proxy for the STS request";

/// `--help` and `-h`: what the helper does, every flag with its default, the
/// environment variables and the exit codes.
pub fn help() -> String {
    const INDENT: &str = "          ";
    let mut text = format!("{ABOUT}\n\nUsage: awsoidc-credential-process [OPTIONS]\n\nOptions:\n");
    // Writing to a String cannot fail.
    for flag in &FLAGS {
        let _ = match flag.short {
            Some(short) => write!(text, "  -{}, --{}", char::from(short), flag.long),
            None => write!(text, "      --{}", flag.long),
        };
        if let Kind::Value(_, value_name) = flag.kind {
            let _ = write!(text, " <{value_name}>");
        }
        let _ = writeln!(text, "\n{INDENT}{}", flag.help);
        if let Kind::Value(Valued::Format, _) = flag.kind {
            let _ = writeln!(text, "\n{INDENT}Possible values:");
            let width = Format::ALL
                .map(|format| format.name().len())
                .into_iter()
                .max()
                .unwrap_or(0);
            for format in Format::ALL {
                let label = format!("{}:", format.name());
                let _ = writeln!(text, "{INDENT}- {label:<0$} {1}", width + 1, format.help());
            }
        }
        if let Kind::Value(valued, _) = flag.kind
            && let Some(default) = shown_default(valued)
        {
            let _ = writeln!(text, "\n{INDENT}[default: {default}]");
        }
        text.push('\n');
    }
    let _ = writeln!(text, "{ENVIRONMENT_HELP}\n\n{EXIT_CODES_HELP}");
    text
}

/// The default the help shows for a flag whose default is not "not given".
fn shown_default(valued: Valued) -> Option<String> {
    match valued {
        Valued::Duration => Some(DEFAULT_DURATION.to_string()),
        Valued::Audience => Some(crate::contract::DEFAULT_AUDIENCE.to_owned()),
        Valued::Format => Some(Format::default().name().to_owned()),
        Valued::Timeout => Some(DEFAULT_TIMEOUT.to_string()),
        Valued::RoleArn
        | Valued::TokenFile
        | Valued::TokenCommand
        | Valued::SessionName
        | Valued::Region
        | Valued::EndpointUrl
        | Valued::CacheDir => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Invocation, UsageError> {
        parse(
            std::iter::once("helper")
                .chain(args.iter().copied())
                .map(OsString::from),
        )
    }

    fn args(args: &[&str]) -> Args {
        match parse_strs(args) {
            Ok(Invocation::Run(parsed)) => parsed,
            other => panic!("{args:?} parsed as {other:?}"),
        }
    }

    fn error(args: &[&str]) -> UsageError {
        match parse_strs(args) {
            Err(error) => error,
            Ok(other) => panic!("{args:?} parsed as {other:?}"),
        }
    }

    #[test]
    fn no_flags_give_the_defaults() {
        let parsed = args(&[]);
        assert_eq!(parsed, Args::default());
        assert_eq!(
            (parsed.duration, parsed.timeout, parsed.format),
            (3600, 10, Format::Json)
        );
        assert_eq!(parsed.audience, "sts.amazonaws.com");
        assert_eq!(parsed.role_arn, None);
    }

    #[test]
    fn every_flag_is_read_in_both_syntaxes() {
        let values = [
            ("role-arn", "arn:aws:iam::111122223333:role/app"),
            ("token-file", "/t/token"),
            ("session-name", "team-a.app"),
            ("region", "eu-central-1"),
            ("endpoint-url", "http://127.0.0.1:5000"),
            ("duration", "7200"),
            ("audience", "example.com"),
            ("cache-dir", "/c"),
            ("format", "env"),
            ("timeout", "30"),
        ];
        let expected = Args {
            role_arn: Some(values[0].1.into()),
            token_file: Some("/t/token".into()),
            token_command: None,
            session_name: Some("team-a.app".into()),
            region: Some("eu-central-1".into()),
            endpoint_url: Some("http://127.0.0.1:5000".into()),
            duration: 7200,
            audience: "example.com".into(),
            cache_dir: Some("/c".into()),
            no_cache: true,
            format: Format::Env,
            timeout: 30,
            verbose: true,
        };
        let separate: Vec<String> = values
            .iter()
            .flat_map(|(flag, value)| [format!("--{flag}"), (*value).to_owned()])
            .chain(["--no-cache".into(), "--verbose".into()])
            .collect();
        let joined: Vec<String> = values
            .iter()
            .map(|(flag, value)| format!("--{flag}={value}"))
            .chain(["--no-cache".into(), "-v".into()])
            .collect();
        for argv in [separate, joined] {
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            assert_eq!(args(&argv), expected, "{argv:?}");
        }
        assert_eq!(
            args(&["--token-command", "kubectl create token app"])
                .token_command
                .as_deref(),
            Some("kubectl create token app")
        );
        assert_eq!(
            args(&["--token-command=cat /t"]).token_command.as_deref(),
            Some("cat /t")
        );
        assert_eq!(args(&["--format", "json"]).format, Format::Json);
    }

    #[test]
    fn every_table_row_has_an_effect_and_a_unique_name() {
        for flag in &FLAGS {
            let argv = match flag.kind {
                Kind::Value(Valued::Duration, _) => vec![format!("--{}=1000", flag.long)],
                Kind::Value(Valued::Timeout, _) => vec![format!("--{}=5", flag.long)],
                Kind::Value(Valued::Format, _) => vec![format!("--{}=env", flag.long)],
                Kind::Value(..) => vec![format!("--{}=x", flag.long)],
                Kind::Switch(Switch::Help | Switch::Version) => continue,
                Kind::Switch(_) => vec![format!("--{}", flag.long)],
            };
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            assert_ne!(args(&argv), Args::default(), "{argv:?}");
        }
        let mut longs: Vec<&str> = FLAGS.iter().map(|flag| flag.long).collect();
        longs.sort_unstable();
        longs.dedup();
        assert_eq!(longs.len(), FLAGS.len());
    }

    #[test]
    fn values_may_contain_equals_signs_and_start_with_dashes_after_equals() {
        assert_eq!(
            args(&["--token-command=printf %s a=b"]).token_command.as_deref(),
            Some("printf %s a=b")
        );
        assert_eq!(args(&["--token-command=-x"]).token_command.as_deref(), Some("-x"));
        assert_eq!(args(&["--role-arn", "-"]).role_arn.as_deref(), Some("-"));
        assert_eq!(args(&["--role-arn="]).role_arn.as_deref(), Some(""));
    }

    #[test]
    fn a_missing_value_names_the_flag_and_what_to_pass() {
        let last = error(&["--region"]);
        assert_eq!(
            last,
            UsageError::MissingValue {
                flag: "region",
                value_name: "REGION"
            }
        );
        assert_eq!(last.to_string(), "--region needs a value: pass --region REGION");
        let followed = error(&["--role-arn", "--region", "x"]);
        assert_eq!(
            followed.to_string(),
            "--role-arn needs a value but --region follows it: pass --role-arn=--region if that is the value"
        );
        for flag in &FLAGS {
            if let Kind::Value(_, value_name) = flag.kind {
                assert_eq!(
                    error(&[&format!("--{}", flag.long)]),
                    UsageError::MissingValue {
                        flag: flag.long,
                        value_name
                    }
                );
            }
        }
    }

    #[test]
    fn unknown_flags_are_refused_with_a_suggestion_when_one_is_close() {
        let typo = error(&["--role-ar", "x"]);
        assert_eq!(
            typo.to_string(),
            "unknown flag --role-ar: did you mean --role-arn?"
        );
        let suggested = |argv: &[&str]| match error(argv) {
            UsageError::UnknownFlag { suggestion, .. } => suggestion,
            other => panic!("{other:?}"),
        };
        assert_eq!(suggested(&["--roles-arn=x"]), Some("role-arn"));
        assert_eq!(suggested(&["--no-cach"]), Some("no-cache"));
        assert_eq!(suggested(&["--Verbose"]), Some("verbose"));
        assert_eq!(suggested(&["-region", "x"]), Some("region"));
        assert_eq!(suggested(&["--bogus"]), None);
        assert_eq!(suggested(&["--token"]), None);
        assert_eq!(suggested(&["-x"]), None);
        assert_eq!(
            error(&["--bogus"]).to_string(),
            "unknown flag --bogus: see --help for the flags"
        );
    }

    #[test]
    fn an_unknown_flag_is_shown_without_its_value() {
        let message = error(&["--web-identity-token=eyJhbGciOi.payload.signature"]).to_string();
        assert_eq!(
            message,
            "unknown flag --web-identity-token: see --help for the flags"
        );
    }

    #[test]
    fn positional_arguments_are_refused_and_cut_when_long() {
        assert_eq!(
            error(&["pos"]).to_string(),
            "unexpected argument \"pos\": the helper takes flags only, see --help"
        );
        assert_eq!(error(&["--", "x"]), UsageError::Positional("x".into()));
        let long = "a".repeat(100);
        assert_eq!(
            error(&[&long]),
            UsageError::Positional(format!("{}...", "a".repeat(crate::secret::ECHO_LIMIT)))
        );
        assert!(args(&["--verbose", "--"]).verbose);
    }

    #[test]
    fn echoed_arguments_never_carry_a_token_or_a_password() {
        let token = format!("eyJhbGciOiJSUzI1NiJ9.{}.{}", "c".repeat(200), "s".repeat(300));
        let hidden = format!("<a JWT of {} characters, not shown>", token.len());
        let inline = format!("--{token}=x");
        let cases: [&[&str]; 6] = [
            &[&token],
            &["--", &token],
            &["--format", &token],
            &["--duration", &token],
            &["--timeout", &token],
            &[&inline],
        ];
        for argv in cases {
            let message = error(argv).to_string();
            assert!(!message.contains("eyJ") || message.contains(&hidden), "{message}");
            assert!(!message.contains(&"s".repeat(50)), "{message}");
        }
        assert!(error(&[&token]).to_string().contains(&hidden));
        let message = error(&["--format", "http://user:SECRETPW@127.0.0.1:1/"]).to_string();
        assert!(
            !message.contains("SECRETPW") && message.contains("***@127.0.0.1"),
            "{message}"
        );
    }

    #[test]
    fn switches_take_no_value_and_flags_are_given_once() {
        assert_eq!(
            error(&["--no-cache=x"]).to_string(),
            "--no-cache takes no value: pass --no-cache alone"
        );
        assert_eq!(
            error(&["--verbose=1"]),
            UsageError::ValueOnSwitch { flag: "verbose" }
        );
        assert_eq!(
            error(&["--role-arn", "a", "--role-arn=b"]).to_string(),
            "--role-arn is given twice: pass it once"
        );
        assert_eq!(
            error(&["-v", "--verbose"]),
            UsageError::Repeated { flag: "verbose" }
        );
        assert_eq!(error(&["-vv"]), UsageError::Repeated { flag: "verbose" });
    }

    #[test]
    fn token_file_and_token_command_exclude_each_other() {
        assert_eq!(
            error(&["--token-file", "/t", "--token-command", "cat /t"]),
            UsageError::TwoTokenSources
        );
    }

    #[test]
    fn numbers_and_formats_are_checked() {
        assert_eq!(
            error(&["--duration", "abc"]).to_string(),
            "--duration abc is not a whole number of seconds: pass e.g. --duration 3600"
        );
        assert_eq!(
            error(&["--duration=-5"]).to_string(),
            "--duration -5 is not a whole number of seconds: pass e.g. --duration 3600"
        );
        assert_eq!(
            error(&["--timeout", "0"]).to_string(),
            "--timeout 0 is outside 1..300: pass a value in that range"
        );
        assert!(matches!(
            error(&["--timeout=301"]),
            UsageError::OutOfRange {
                flag: "timeout",
                value: 301,
                ..
            }
        ));
        assert_eq!(args(&["--timeout=1"]).timeout, 1);
        assert_eq!(args(&["--timeout=300"]).timeout, 300);
        assert_eq!(
            error(&["--format", "xml"]).to_string(),
            "--format xml is not a format: pass --format json or --format env"
        );
        assert_eq!(
            error(&["--format=JSON"]),
            UsageError::UnknownFormat("JSON".into())
        );
    }

    #[test]
    fn duration_outside_sts_bounds_is_refused_locally() {
        assert_eq!(
            error(&["--duration", "100"]).to_string(),
            "--duration 100 is outside 900..43200: pass a value in that range"
        );
        assert!(matches!(
            error(&["--duration=43201"]),
            UsageError::OutOfRange {
                flag: "duration",
                value: 43201,
                ..
            }
        ));
        assert!(matches!(
            error(&["--duration=99999999999"]),
            UsageError::OutOfRange {
                value: 99_999_999_999,
                ..
            }
        ));
        assert_eq!(args(&["--duration", "900"]).duration, 900);
        assert_eq!(args(&["--duration=43200"]).duration, 43200);
    }

    #[test]
    fn text_values_must_be_utf8_but_paths_need_not() {
        use std::os::unix::ffi::OsStringExt;
        let raw = |bytes: &[u8]| OsString::from_vec(bytes.to_vec());
        let parsed = parse([raw(b"helper"), raw(b"--cache-dir"), raw(b"/c/\xff")]);
        assert_eq!(
            parsed.map(|invocation| match invocation {
                Invocation::Run(parsed) => parsed.cache_dir,
                _ => None,
            }),
            Ok(Some(PathBuf::from(raw(b"/c/\xff"))))
        );
        assert_eq!(
            parse([raw(b"helper"), raw(b"--region=\xff")]),
            Err(UsageError::NotUtf8 { flag: "region" })
        );
    }

    #[test]
    fn help_and_version_win_when_they_come_first() {
        for flag in ["--help", "-h"] {
            assert_eq!(parse_strs(&[flag]), Ok(Invocation::Help));
        }
        for flag in ["--version", "-V"] {
            assert_eq!(parse_strs(&[flag]), Ok(Invocation::Version));
        }
        assert_eq!(parse_strs(&["--help", "--bogus"]), Ok(Invocation::Help));
        assert_eq!(parse_strs(&["-vh"]), Ok(Invocation::Help));
        assert_eq!(parse_strs(&["--version", "--help"]), Ok(Invocation::Version));
        assert!(matches!(
            parse_strs(&["--bogus", "--help"]),
            Err(UsageError::UnknownFlag { .. })
        ));
        assert_eq!(error(&["--help=x"]), UsageError::ValueOnSwitch { flag: "help" });
        assert_eq!(
            VERSION,
            format!(
                "awsoidc-credential-process {} ({})\n",
                env!("CARGO_PKG_VERSION"),
                env!("AWSOIDC_BUILD_TARGET")
            )
        );
    }

    #[test]
    fn help_documents_every_flag_its_default_and_the_exit_codes() {
        let help = help();
        for flag in &FLAGS {
            let header = match flag.kind {
                Kind::Value(_, value_name) => format!("--{} <{value_name}>\n", flag.long),
                Kind::Switch(_) => format!("--{}\n", flag.long),
            };
            assert!(help.contains(&header), "{header} missing from\n{help}");
            assert!(help.contains(flag.help), "{}", flag.help);
        }
        for default in [
            "[default: 3600]",
            "[default: sts.amazonaws.com]",
            "[default: 10]",
            "[default: json]",
        ] {
            assert!(help.contains(default), "{default}");
        }
        assert!(help.contains("  -v, --verbose\n") && help.contains("  -h, --help\n"));
        assert!(
            help.contains("- json: The credential_process JSON object\n"),
            "{help}"
        );
        assert!(help.contains("- env:  Shell-quoted `export` lines"), "{help}");
        let duration_range = format!("({}..{},", DURATION_RANGE.start(), DURATION_RANGE.end());
        assert!(help.contains(&duration_range), "{duration_range}");
        assert!(help.contains(crate::contract::DEFAULT_TOKEN_FILE));
        assert!(help.contains("Exit codes:") && help.contains("AWS_ENDPOINT_URL_STS"));
        assert!(help.ends_with("failing after retries\n"));
        assert!(!help.lines().any(|line| line.ends_with(' ')), "trailing blanks");
    }

    #[test]
    fn edit_distance_counts_single_byte_edits() {
        assert_eq!(edit_distance(b"", b"abc"), 3);
        assert_eq!(edit_distance(b"region", b"region"), 0);
        assert_eq!(edit_distance(b"regoin", b"region"), 2);
        assert_eq!(edit_distance(b"role-ar", b"role-arn"), 1);
        assert_eq!(edit_distance(b"xrole-arn", b"role-arn"), 1);
    }
}

//! One call of the helper from argv to exit code: parse flags, resolve settings, get
//! and check the token, serve from the cache or exchange with STS under the cache
//! lock, print exactly one credential object on stdout. Failures become one `error:`
//! line on stderr (plus hints for STS rejections) and an [`Exit`] code; nothing is
//! printed on stdout unless the whole call succeeded.

use crate::cache::{self, Cache, CacheKey, Miss};
use crate::cli::{Args, Format};
use crate::credentials::ProcessCredentials;
use crate::environment::Environment;
use crate::exit::Exit;
use crate::log::Log;
use crate::secret::Secret;
use crate::settings::{self, ConfigError, Settings, TokenSource};
use crate::sts::{self, AssumeRoleRequest, StsError};
use crate::sts_error::likely_broken_links;
use crate::token::{self, Claims, TokenError};
use crate::token_source::{self, TokenSourceError};
use clap::Parser;
use std::ffi::OsString;
use std::io::Write;
use std::time::{Duration, Instant};

/// Sessions shorter than this leave (almost) no time outside botocore's 15-minute
/// refresh window, so the SDK re-runs the helper on nearly every credential access.
pub const SHORT_SESSION_SECONDS: u32 = 20 * 60;

/// Why a call produced no credentials.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Flags, environment or config.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The token could not be fetched.
    #[error(transparent)]
    TokenSource(#[from] TokenSourceError),
    /// The token would be refused.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// STS said no, or could not be reached.
    #[error("{error}")]
    Sts {
        /// What went wrong.
        error: StsError,
        /// The token's ServiceAccount, to fill in the doctor command.
        service_account: Option<(String, String)>,
    },
    /// stdout could not be written.
    #[error("failed to write the credentials to stdout: {0}")]
    Output(std::io::Error),
}

impl Failure {
    /// The exit code for this failure.
    pub fn exit(&self) -> Exit {
        match self {
            Failure::Config(_) => Exit::Usage,
            Failure::TokenSource(_) | Failure::Token(_) => Exit::Token,
            Failure::Sts { error, .. } if error.is_rejection() => Exit::Rejected,
            Failure::Sts { .. } => Exit::Network,
            Failure::Output(_) => Exit::Failure,
        }
    }
}

/// Run the helper with `args` (argv, program name first).
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    env: &dyn Environment,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Exit {
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(error) => {
            let mut text = error.render().to_string();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            // Nothing more can be said if the help or usage text itself cannot be written.
            return if error.use_stderr() {
                let _ = stderr.write_all(text.as_bytes());
                Exit::Usage
            } else {
                let _ = stdout.write_all(text.as_bytes());
                Exit::Success
            };
        }
    };
    let mut log = Log::new(args.verbose, stderr);
    let result = Settings::resolve(&args, env, |path| std::fs::read_to_string(path).ok())
        .map_err(Failure::from)
        .and_then(|settings| {
            let credentials = fetch_credentials(&settings, env, &mut log)?;
            print(&credentials, settings.format, stdout).map_err(Failure::Output)
        });
    match result {
        Ok(()) => Exit::Success,
        Err(failure) => {
            report(&failure, &mut log);
            failure.exit()
        }
    }
}

fn print(credentials: &ProcessCredentials, format: Format, stdout: &mut dyn Write) -> std::io::Result<()> {
    let text = match format {
        Format::Json => format!("{}\n", credentials.to_json()),
        Format::Env => credentials.to_env_exports(),
    };
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

fn report(failure: &Failure, log: &mut Log<'_>) {
    log.error(format_args!("{failure}"));
    if let Failure::Sts {
        error: StsError::Rejected { code, message, .. },
        service_account,
    } = failure
    {
        let service_account = service_account
            .as_ref()
            .map(|(ns, name)| (ns.as_str(), name.as_str()));
        for link in likely_broken_links(code, message) {
            log.hint(format_args!(
                "{link}: {} (check: {})",
                link.hint(),
                link.doctor_command(service_account)
            ));
        }
    }
}

/// Get credentials for `settings`: from the cache when fresh, else from STS.
pub fn fetch_credentials(
    settings: &Settings,
    env: &dyn Environment,
    log: &mut Log<'_>,
) -> Result<ProcessCredentials, Failure> {
    let deadline = Instant::now() + settings.timeout;
    if settings.duration < SHORT_SESSION_SECONDS {
        log.warn(format_args!(
            "--duration {} leaves less than 5 minutes before the SDKs' 15-minute refresh window: the \
             credentials can never be served from the cache and botocore re-runs this helper on nearly \
             every use; use --duration 3600",
            settings.duration
        ));
    }

    // A token file is read and checked on every call; a token command runs only when
    // the cache cannot answer, so a cached call stays free of it.
    let (file_token, identity) = match &settings.token {
        TokenSource::File(_) => {
            let token = token_source::fetch(&settings.token, deadline)?;
            let claims = check_token(&token, settings, env, log)?;
            let identity = cache::token_digest(token.expose());
            (Some((token, claims)), identity)
        }
        TokenSource::Command(command) => (None, format!("command:{command}")),
    };
    let key = CacheKey::new(
        &settings.role_arn,
        &identity,
        settings.session_name.as_deref().unwrap_or(""),
        settings.duration,
        &settings.endpoint,
    );

    let cache = settings
        .cache_dir
        .as_deref()
        .and_then(|dir| match Cache::open(dir) {
            Ok(cache) => Some(cache),
            Err(error) => {
                log.note(format_args!("{error}; continuing without the cache"));
                None
            }
        });
    let mut lock = None;
    if let Some(cache) = &cache {
        if let Some(hit) = lookup(cache, &key, env, log) {
            return Ok(hit);
        }
        let give_up = deadline.checked_sub(settings.timeout / 2).unwrap_or(deadline);
        match cache.lock(give_up) {
            Ok(held) => {
                // Another call may have filled the entry while this one waited.
                if let Some(hit) = lookup(cache, &key, env, log) {
                    return Ok(hit);
                }
                lock = Some(held);
            }
            Err(error) => log.note(format_args!("{error}; calling STS without the lock")),
        }
    }

    let (token, claims) = match file_token {
        Some(checked) => checked,
        None => {
            let token = token_source::fetch(&settings.token, deadline)?;
            let claims = check_token(&token, settings, env, log)?;
            (token, claims)
        }
    };
    let session_name = settings
        .session_name
        .clone()
        .unwrap_or_else(|| settings::derive_session_name(claims.sub.as_deref()));
    let request = AssumeRoleRequest {
        role_arn: &settings.role_arn,
        session_name: &session_name,
        token: &token,
        duration: settings.duration,
    };
    log.note(format_args!(
        "assuming {} as session {session_name}",
        settings.role_arn
    ));
    let attempt_budget = (settings.timeout / 2).max(Duration::from_secs(2));
    let assumed =
        sts::assume_role(&settings.endpoint, &request, deadline, attempt_budget, log).map_err(|error| {
            let service_account = claims
                .service_account()
                .map(|(ns, name)| (ns.to_owned(), name.to_owned()));
            Failure::Sts {
                error,
                service_account,
            }
        })?;
    let credentials = assumed.credentials;
    if let Some(arn) = &assumed.assumed_role_arn {
        log.note(format_args!("assumed {arn}"));
    }
    log.note(format_args!("credentials expire at {}", credentials.expiration));

    if let Some(cache) = &cache {
        let now = env.now();
        if now.seconds_until(credentials.expiration) >= cache::MIN_REMAINING_SECONDS {
            match cache.write(&key, &credentials) {
                Ok(()) => log.note(format_args!("cached as {}", key.as_str())),
                Err(error) => log.note(format_args!("{error}; not cached")),
            }
        }
        // Pruning removes files other calls may be reading, so only under the lock.
        if let Some(held) = &lock {
            let pruned = cache.prune(now, held);
            if pruned > 0 {
                log.note(format_args!("removed {pruned} expired cache entries"));
            }
        }
    }
    Ok(credentials)
}

fn lookup(
    cache: &Cache,
    key: &CacheKey,
    env: &dyn Environment,
    log: &mut Log<'_>,
) -> Option<ProcessCredentials> {
    match cache.read(key, env.now()) {
        Ok(credentials) => {
            log.note(format_args!(
                "serving cached credentials (expire at {})",
                credentials.expiration
            ));
            Some(credentials)
        }
        Err(Miss::Absent) => None,
        Err(miss) => {
            log.note(format_args!("{miss}"));
            None
        }
    }
}

fn check_token(
    token: &Secret,
    settings: &Settings,
    env: &dyn Environment,
    log: &mut Log<'_>,
) -> Result<Claims, TokenError> {
    token::check_length(token.expose())?;
    let jwt = token::decode(token.expose())?;
    let claims = jwt.claims;
    log.note(format_args!(
        "token: iss={} sub={} aud={:?} exp={} kid={}",
        claims.iss.as_deref().unwrap_or("-"),
        claims.sub.as_deref().unwrap_or("-"),
        claims.aud,
        claims.exp.map_or_else(|| "-".to_owned(), |exp| exp.to_string()),
        jwt.header.kid.as_deref().unwrap_or("-"),
    ));
    claims.check_audience(&settings.audience)?;
    claims.check_not_expired(env.now())?;
    Ok(claims)
}

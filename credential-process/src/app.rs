//! One call of the helper from argv to exit code: parse flags, resolve settings, get
//! and check the token, serve from the cache or exchange with STS under the cache
//! lock, print exactly one credential object on stdout. Failures become one `error:`
//! line on stderr (plus hints for STS rejections) and an [`Exit`] code; nothing is
//! printed on stdout unless the whole call succeeded.

use crate::cache::{self, Cache, CacheKey, Miss};
use crate::cli::{self, Format, Invocation};
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
    let args = match cli::parse(args) {
        Ok(Invocation::Run(args)) => args,
        Ok(Invocation::Help) => return print_text(&cli::help(), stdout),
        Ok(Invocation::Version) => return print_text(cli::VERSION, stdout),
        Err(error) => {
            Log::new(false, stderr).error(format_args!("{error}"));
            return Exit::Usage;
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

/// The help or version text. Asked for and printed is success; nothing more can be
/// said if stdout is closed (`--help | head -1`).
fn print_text(text: &str, stdout: &mut dyn Write) -> Exit {
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
    Exit::Success
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
        log.warn(format_args!("{}", short_session_warning(settings.duration)));
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
    let granted = env.now().seconds_until(credentials.expiration);
    if let Some(warning) = short_grant_warning(settings.duration, granted) {
        log.warn(format_args!("{warning}"));
    }

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

/// Why a session shorter than [`SHORT_SESSION_SECONDS`] defeats caching, in numbers.
fn short_session_warning(duration: u32) -> String {
    let usable = i64::from(duration) - cache::MIN_REMAINING_SECONDS;
    let (left, reuse) = if usable <= 0 {
        (
            "no time".to_owned(),
            "the credentials can never be served from the cache",
        )
    } else {
        (
            format!("only {usable} s"),
            "the credentials are served from the cache for that long only",
        )
    };
    format!(
        "--duration {duration} leaves {left} before the SDKs' 15-minute refresh window: {reuse}, and \
         botocore re-runs this helper on nearly every use; use --duration 3600"
    )
}

/// A warning when STS granted less than half the `--duration` asked for (`granted`
/// seconds left now), saying what it costs: such sessions are cached briefly or never.
fn short_grant_warning(asked: u32, granted: i64) -> Option<String> {
    if granted >= i64::from(asked) / 2 {
        return None;
    }
    let cost = if granted < cache::MIN_REMAINING_SECONDS {
        "they are never served from the cache, so every use calls STS again"
    } else {
        "they are served from the cache for a short while only"
    };
    Some(format!(
        "STS granted credentials for {granted} s although --duration {asked} asked for more: {cost}; \
         check this host's clock (the expiry is measured against it) and the STS endpoint"
    ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::environment::FixedEnvironment;
    use crate::secret::Secret;
    use crate::test_support::TempDir;
    use crate::time::Timestamp;
    use crate::token::tests::jwt;

    const NOW: Timestamp = Timestamp(1_767_323_045);
    const ROLE: &str = "arn:aws:iam::111122223333:role/app";

    /// Settings whose STS endpoint refuses connections: any network attempt fails fast.
    fn settings(dir: &TempDir, token: &str) -> Settings {
        let token_file = dir.path().join("token");
        std::fs::write(&token_file, token).expect("write token");
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let endpoint = format!("http://{}", closed.local_addr().expect("addr"));
        drop(closed);
        Settings {
            role_arn: ROLE.into(),
            token: TokenSource::File(token_file),
            session_name: None,
            endpoint,
            duration: 3600,
            audience: crate::contract::DEFAULT_AUDIENCE.into(),
            cache_dir: Some(dir.path().join("cache")),
            format: Format::Json,
            timeout: Duration::from_secs(2),
            verbose: true,
        }
    }

    fn token(exp: Timestamp) -> String {
        jwt(
            &serde_json::json!({"sub": "system:serviceaccount:team-a:app", "aud": "sts.amazonaws.com", "exp": exp.0}),
        )
    }

    fn cached(settings: &Settings, token: &str, expiration: Timestamp) -> ProcessCredentials {
        let credentials = ProcessCredentials {
            access_key_id: "ASIACACHED".into(),
            secret_access_key: Secret::new("s"),
            session_token: Secret::new("t"),
            expiration,
        };
        let key = CacheKey::new(ROLE, &cache::token_digest(token), "", 3600, &settings.endpoint);
        let cache = Cache::open(settings.cache_dir.as_deref().expect("cache dir")).expect("cache");
        cache.write(&key, &credentials).expect("write");
        credentials
    }

    fn fetch(settings: &Settings, now: Timestamp) -> (Result<ProcessCredentials, Failure>, String) {
        let mut stderr = Vec::new();
        let result = fetch_credentials(
            settings,
            &FixedEnvironment::new([], now),
            &mut Log::new(true, &mut stderr),
        );
        (result, String::from_utf8_lossy(&stderr).into_owned())
    }

    #[test]
    fn a_fresh_entry_is_served_at_the_injected_time_without_network() {
        let dir = TempDir::new("app-fresh");
        let token = token(NOW.plus(7200));
        let settings = settings(&dir, &token);
        let stored = cached(&settings, &token, NOW.plus(3600));
        let (result, log) = fetch(&settings, NOW);
        assert_eq!(result.expect("served from the cache"), stored, "{log}");
    }

    #[test]
    fn an_entry_inside_the_refresh_window_at_the_injected_time_goes_to_sts() {
        let dir = TempDir::new("app-stale");
        let token = token(NOW.plus(7200));
        let settings = settings(&dir, &token);
        cached(&settings, &token, NOW.plus(3600));
        // 12 minutes before the entry expires: not served, so the closed endpoint is tried.
        let (result, log) = fetch(&settings, NOW.plus(3600 - 12 * 60));
        let failure = result.expect_err("STS is unreachable");
        assert_eq!(failure.exit(), Exit::Network, "{log}");
        assert!(log.contains("within 15 minutes; refreshing"), "{log}");
    }

    #[test]
    fn token_expiry_is_judged_by_the_injected_clock_before_the_cache() {
        let dir = TempDir::new("app-expired");
        let token = token(NOW.plus(100));
        let settings = settings(&dir, &token);
        cached(&settings, &token, NOW.plus(3600));
        let (result, _) = fetch(&settings, NOW.plus(200));
        let failure = result.expect_err("expired token");
        assert_eq!(failure.exit(), Exit::Token);
        assert!(
            failure
                .to_string()
                .starts_with("token expired at 2026-01-02T03:05:45Z"),
            "{failure}"
        );
    }

    #[test]
    fn short_sessions_are_explained_in_numbers() {
        assert!(short_session_warning(900).contains("can never be served from the cache"));
        assert!(short_session_warning(1100).contains("leaves only 200 s"));
    }

    #[test]
    fn a_grant_under_half_the_asked_duration_is_warned_about() {
        assert_eq!(short_grant_warning(3600, 3599), None);
        assert_eq!(short_grant_warning(3600, 1800), None);
        let never = short_grant_warning(3600, 600).expect("600 s of 3600");
        assert!(
            never.starts_with("STS granted credentials for 600 s although --duration 3600"),
            "{never}"
        );
        assert!(never.contains("never served from the cache"), "{never}");
        let briefly = short_grant_warning(43_200, 3600).expect("an hour of twelve");
        assert!(briefly.contains("for a short while only"), "{briefly}");
    }

    #[test]
    fn usage_errors_exit_2_and_help_exits_0_on_stdout() {
        let env = FixedEnvironment::new([], NOW);
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let exit = run(
            ["helper".into(), "--bogus".into()],
            &env,
            &mut stdout,
            &mut stderr,
        );
        assert_eq!((exit, stdout.is_empty()), (Exit::Usage, true));
        assert_eq!(
            String::from_utf8_lossy(&stderr),
            "awsoidc-credential-process: error: unknown flag --bogus: see --help for the flags\n"
        );
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let exit = run(["helper".into(), "--help".into()], &env, &mut stdout, &mut stderr);
        assert_eq!((exit, stderr.is_empty()), (Exit::Success, true));
        assert_eq!(String::from_utf8_lossy(&stdout), cli::help());
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let exit = run(["helper".into(), "-V".into()], &env, &mut stdout, &mut stderr);
        assert_eq!((exit, stderr.is_empty()), (Exit::Success, true));
        assert_eq!(String::from_utf8_lossy(&stdout), cli::VERSION);
    }
}

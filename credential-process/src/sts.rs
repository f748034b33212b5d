//! STS `AssumeRoleWithWebIdentity` over the Query protocol: an unsigned form POST to
//! the regional endpoint (or the configured endpoint URL), and the XML answer. The
//! request body and the response parsing are pure functions; [`assume_role`] sends
//! one request per attempt with bounded retries (throttling, 5xx, timeouts, dropped
//! connections) and backoff, all inside the caller's deadline. Redirects are not
//! followed and no other host is contacted (no IMDS, no credential chain). Proxies
//! configured with `HTTPS_PROXY`/`ALL_PROXY` (and `NO_PROXY`) are honoured, as in the SDKs.
//!
//! The response is parsed by hand: only four elements of one fixed AWS document are
//! read, which a dedicated XML crate would not make safer but would make the binary larger.

use crate::credentials::ProcessCredentials;
use crate::log::Log;
use crate::secret::Secret;
use crate::time::Timestamp;
use std::time::{Duration, Instant};

/// Attempts per call at most (the first one included).
pub const MAX_ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_millis(1600);
/// STS answers are a few kilobytes; anything bigger is not STS.
const MAX_RESPONSE_BYTES: u64 = 256 * 1024;

/// Error codes STS uses for "try again later".
const RETRYABLE_CODES: [&str; 6] = [
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "IDPCommunicationError",
    "InternalFailure",
    "ServiceUnavailable",
];

/// The parameters of one AssumeRoleWithWebIdentity call.
#[derive(Debug, Clone, Copy)]
pub struct AssumeRoleRequest<'a> {
    /// The role to assume.
    pub role_arn: &'a str,
    /// The role session name.
    pub session_name: &'a str,
    /// The web identity token.
    pub token: &'a Secret,
    /// DurationSeconds.
    pub duration: u32,
}

/// What a successful call returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assumed {
    /// The temporary credentials.
    pub credentials: ProcessCredentials,
    /// `AssumedRoleUser/Arn`, for `--verbose`.
    pub assumed_role_arn: Option<String>,
}

/// What an STS answer (or the lack of one) means.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StsError {
    /// STS answered with an ErrorResponse.
    #[error("STS rejected the exchange: {code}: {message}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// AWS's error code, e.g. `InvalidIdentityToken`.
        code: String,
        /// AWS's message.
        message: String,
    },
    /// An HTTP status without an ErrorResponse body.
    #[error("STS at {endpoint} answered HTTP {status} without an error document")]
    Status { endpoint: String, status: u16 },
    /// A body that is not an AssumeRoleWithWebIdentity response.
    #[error("failed to read the STS response from {endpoint}: {reason}")]
    Malformed { endpoint: String, reason: String },
    /// No answer: connection, DNS or TLS.
    #[error("failed to reach STS at {endpoint}: {reason}")]
    Unreachable { endpoint: String, reason: String },
    /// No answer in time; `waited` counts the whole call, retries included.
    #[error(
        "gave up after {} s waiting for STS at {endpoint}: raise --timeout or check the endpoint",
        .waited.as_secs_f64().round().max(1.0)
    )]
    TimedOut { endpoint: String, waited: Duration },
}

impl StsError {
    /// Whether trying again can help.
    pub fn is_retryable(&self) -> bool {
        match self {
            StsError::Rejected { status, code, .. } => {
                *status >= 500 || RETRYABLE_CODES.contains(&code.as_str())
            }
            StsError::Status { status, .. } => *status >= 500 || *status == 429,
            StsError::Malformed { .. } => false,
            StsError::Unreachable { .. } | StsError::TimedOut { .. } => true,
        }
    }

    /// Whether STS itself turned the request down (as opposed to not answering
    /// usefully); throttling and server faults count as network trouble.
    /// IDPCommunicationError counts as a rejection: retries did not help, and it means
    /// AWS cannot reach the issuer, which the hints explain.
    pub fn is_rejection(&self) -> bool {
        match self {
            StsError::Rejected { code, .. } => code == "IDPCommunicationError" || !self.is_retryable(),
            _ => false,
        }
    }
}

impl AssumeRoleRequest<'_> {
    /// The `application/x-www-form-urlencoded` body. It holds the token, hence a [`Secret`].
    pub fn form_body(&self) -> Secret {
        let duration = self.duration.to_string();
        let fields = [
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", self.role_arn),
            ("RoleSessionName", self.session_name),
            ("WebIdentityToken", self.token.expose()),
            ("DurationSeconds", duration.as_str()),
        ];
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", form_encode(v)))
            .collect();
        Secret::new(body.join("&"))
    }
}

/// Percent-encode everything but the RFC 3986 unreserved characters.
pub fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Interpret an STS answer. `endpoint` only names the server in errors.
pub fn parse_response(endpoint: &str, status: u16, body: &str) -> Result<Assumed, StsError> {
    if let Some(error) = element(body, "Error") {
        return Err(StsError::Rejected {
            status,
            code: text(error, "Code").unwrap_or_else(|| "UnknownError".to_owned()),
            message: text(error, "Message").unwrap_or_default(),
        });
    }
    if status != 200 {
        return Err(StsError::Status {
            endpoint: endpoint.to_owned(),
            status,
        });
    }
    let malformed = |reason: String| StsError::Malformed {
        endpoint: endpoint.to_owned(),
        reason,
    };
    let result = element(body, "AssumeRoleWithWebIdentityResult")
        .ok_or_else(|| malformed("no AssumeRoleWithWebIdentityResult element".to_owned()))?;
    let credentials =
        element(result, "Credentials").ok_or_else(|| malformed("no Credentials element".to_owned()))?;
    let field = |name: &str| text(credentials, name).ok_or_else(|| malformed(format!("no {name} element")));
    let expiration = field("Expiration")?;
    let expiration = Timestamp::parse_rfc3339(&expiration).map_err(|e| malformed(e.to_string()))?;
    Ok(Assumed {
        credentials: ProcessCredentials {
            access_key_id: field("AccessKeyId")?,
            secret_access_key: Secret::new(field("SecretAccessKey")?),
            session_token: Secret::new(field("SessionToken")?),
            expiration,
        },
        assumed_role_arn: element(result, "AssumedRoleUser").and_then(|user| text(user, "Arn")),
    })
}

/// The raw content of the first `<name>` element (attributes allowed), if any.
fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut from = 0;
    loop {
        let start = from + xml[from..].find(&open)?;
        let after_name = start + open.len();
        let rest = &xml[after_name..];
        let content_start = match rest.chars().next()? {
            '>' => after_name + 1,
            '/' if rest.starts_with("/>") => return Some(""),
            c if c.is_ascii_whitespace() => {
                let tag_end = after_name + rest.find('>')?;
                if xml[..tag_end].ends_with('/') {
                    return Some("");
                }
                tag_end + 1
            }
            // A longer name with the same prefix, e.g. <ErrorResponse> when looking for <Error>.
            _ => {
                from = after_name;
                continue;
            }
        };
        let end = content_start + xml[content_start..].find(&close)?;
        return Some(&xml[content_start..end]);
    }
}

/// The unescaped, trimmed text of the first `<name>` element.
fn text(xml: &str, name: &str) -> Option<String> {
    element(xml, name).map(|raw| unescape(raw.trim()))
}

/// Resolve the five predefined XML entities and numeric character references;
/// anything else is kept as written.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let entity = &rest[1..end];
            let ch = match entity {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            ch.map(|ch| (ch, end))
        });
        match decoded {
            Some((ch, end)) => {
                out.push(ch);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The pause before attempt `attempt + 1`: exponential from 100 ms, capped, with
/// jitter (50..100 %) from `entropy` so parallel callers spread out.
pub fn backoff(attempt: u32, entropy: u32) -> Duration {
    let exponential = FIRST_BACKOFF
        .saturating_mul(1 << attempt.saturating_sub(1).min(10))
        .min(MAX_BACKOFF);
    let jitter_percent = 50 + entropy % 51;
    exponential * jitter_percent / 100
}

/// Call AssumeRoleWithWebIdentity at `endpoint`, retrying transient failures until
/// `deadline`. Each attempt may use at most `attempt_budget`.
pub fn assume_role(
    endpoint: &str,
    request: &AssumeRoleRequest<'_>,
    deadline: Instant,
    attempt_budget: Duration,
    log: &mut Log<'_>,
) -> Result<Assumed, StsError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("awsoidc-credential-process/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let body = request.form_body();
    let began = Instant::now();
    let mut attempt = 1;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let started = Instant::now();
        log.note(format_args!(
            "POST {endpoint} AssumeRoleWithWebIdentity (attempt {attempt}/{MAX_ATTEMPTS})"
        ));
        let outcome = send_once(&agent, endpoint, &body, remaining.min(attempt_budget));
        log.note(format_args!(
            "attempt {attempt} took {} ms",
            started.elapsed().as_millis()
        ));
        let error = match outcome {
            Ok(assumed) => return Ok(assumed),
            Err(error) => error,
        };
        let pause = backoff(attempt, started.elapsed().subsec_nanos() ^ std::process::id());
        let time_left = deadline.saturating_duration_since(Instant::now());
        if !error.is_retryable() || attempt >= MAX_ATTEMPTS || time_left <= pause + Duration::from_millis(200)
        {
            return Err(match error {
                StsError::TimedOut { endpoint, .. } => StsError::TimedOut {
                    endpoint,
                    waited: began.elapsed(),
                },
                other => other,
            });
        }
        log.note(format_args!("{error}; retrying in {} ms", pause.as_millis()));
        std::thread::sleep(pause);
        attempt += 1;
    }
}

fn send_once(
    agent: &ureq::Agent,
    endpoint: &str,
    body: &Secret,
    timeout: Duration,
) -> Result<Assumed, StsError> {
    let no_answer = |error: ureq::Error| match error {
        ureq::Error::Timeout(_) => StsError::TimedOut {
            endpoint: endpoint.to_owned(),
            waited: timeout,
        },
        other => StsError::Unreachable {
            endpoint: endpoint.to_owned(),
            reason: other.to_string(),
        },
    };
    let mut response = agent
        .post(endpoint)
        .config()
        .timeout_global(Some(timeout))
        .build()
        .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        .send(body.expose())
        .map_err(no_answer)?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE_BYTES)
        .read_to_string()
        .map_err(no_answer)?;
    parse_response(endpoint, status, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENDPOINT: &str = "https://sts.eu-central-1.amazonaws.com/";

    pub(crate) fn success_xml(expiration: &str) -> String {
        format!(
            "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>system:serviceaccount:a:b\
             </SubjectFromWebIdentityToken><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId>\
             <SecretAccessKey>se/cr+et&amp;</SecretAccessKey><SessionToken>\n  FwoG/token=\n</SessionToken>\
             <Expiration>{expiration}</Expiration></Credentials><AssumedRoleUser>\
             <Arn>arn:aws:sts::111122223333:assumed-role/app/a.b</Arn></AssumedRoleUser>\
             </AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"
        )
    }

    pub(crate) fn error_xml(code: &str, message: &str) -> String {
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
             <Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
        )
    }

    #[test]
    fn a_timeout_names_what_timed_out_and_the_flag() {
        let error = StsError::TimedOut {
            endpoint: ENDPOINT.to_owned(),
            waited: Duration::from_millis(9_950),
        };
        assert_eq!(
            error.to_string(),
            "gave up after 10 s waiting for STS at https://sts.eu-central-1.amazonaws.com/: raise --timeout \
             or check the endpoint"
        );
        assert!(error.is_retryable() && !error.is_rejection());
    }

    #[test]
    fn success_response_yields_credentials_with_utc_expiration() {
        let assumed =
            parse_response(ENDPOINT, 200, &success_xml("2026-12-03T09:56:53.202393Z")).expect("parses");
        assert_eq!(assumed.credentials.access_key_id, "ASIAEXAMPLE");
        assert_eq!(assumed.credentials.secret_access_key.expose(), "se/cr+et&");
        assert_eq!(assumed.credentials.session_token.expose(), "FwoG/token=");
        assert_eq!(assumed.credentials.expiration.to_string(), "2026-12-03T09:56:53Z");
        assert_eq!(
            assumed.assumed_role_arn.as_deref(),
            Some("arn:aws:sts::111122223333:assumed-role/app/a.b")
        );
        let offset =
            parse_response(ENDPOINT, 200, &success_xml("2026-12-03T11:56:53+02:00")).expect("parses");
        assert_eq!(offset.credentials.expiration.to_string(), "2026-12-03T09:56:53Z");
    }

    #[test]
    fn error_response_yields_code_and_message() {
        let body = error_xml(
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        );
        let error = parse_response(ENDPOINT, 400, &body).expect_err("rejected");
        assert_eq!(
            error.to_string(),
            "STS rejected the exchange: ValidationError: The requested DurationSeconds exceeds the \
             MaxSessionDuration set for this role."
        );
        assert!(error.is_rejection() && !error.is_retryable());
    }

    #[test]
    fn throttling_and_server_faults_are_retried_not_rejections() {
        let throttled =
            parse_response(ENDPOINT, 400, &error_xml("Throttling", "Rate exceeded")).expect_err("throttled");
        assert!(throttled.is_retryable() && !throttled.is_rejection());
        let gateway = parse_response(ENDPOINT, 502, "<html>bad gateway</html>").expect_err("5xx");
        assert!(gateway.is_retryable());
        let idp = parse_response(ENDPOINT, 400, &error_xml("IDPCommunicationError", "x")).expect_err("idp");
        assert!(idp.is_retryable() && idp.is_rejection());
    }

    #[test]
    fn incomplete_documents_are_malformed() {
        let truncated =
            success_xml("2026-12-03T09:56:53Z").replace("<AccessKeyId>ASIAEXAMPLE</AccessKeyId>", "");
        let error = parse_response(ENDPOINT, 200, &truncated).expect_err("malformed");
        assert!(error.to_string().contains("no AccessKeyId element"), "{error}");
        assert!(matches!(
            parse_response(ENDPOINT, 200, "hello"),
            Err(StsError::Malformed { .. })
        ));
        let bad_date = success_xml("tomorrow");
        assert!(matches!(
            parse_response(ENDPOINT, 200, &bad_date),
            Err(StsError::Malformed { .. })
        ));
    }

    #[test]
    fn elements_tolerate_attributes_prefix_names_and_entities() {
        assert_eq!(
            element("<ErrorResponse><Error a=\"1\"><Code>X</Code></Error>", "Error"),
            Some("<Code>X</Code>")
        );
        assert_eq!(element("<Codes>no</Codes><Code/>", "Code"), Some(""));
        assert_eq!(unescape("a&lt;b&#x41;&#66;&bogus;&"), "a<bAB&bogus;&");
    }

    #[test]
    fn form_body_is_the_documented_query() {
        let token = Secret::new("h.c+/=.s");
        let request = AssumeRoleRequest {
            role_arn: "arn:aws:iam::111122223333:role/app",
            session_name: "team-a.app",
            token: &token,
            duration: 3600,
        };
        assert_eq!(
            request.form_body().expose(),
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15\
             &RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=team-a.app\
             &WebIdentityToken=h.c%2B%2F%3D.s&DurationSeconds=3600"
        );
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        assert_eq!(backoff(1, 50), Duration::from_millis(100));
        assert_eq!(backoff(1, 0), Duration::from_millis(50));
        assert_eq!(backoff(3, 50), Duration::from_millis(400));
        assert_eq!(backoff(30, 50), MAX_BACKOFF);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_responses_never_panic(status in 100u16..600, body in "\\PC{0,300}") {
            let _ = parse_response(ENDPOINT, status, &body);
        }

        #[test]
        fn xml_shaped_responses_never_panic(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::Just("<Error>".to_owned()), proptest::prelude::Just("</Error>".to_owned()),
                    proptest::prelude::Just("<Credentials>".to_owned()), proptest::prelude::Just("<Code ".to_owned()),
                    proptest::prelude::Just("&#x110000;".to_owned()), proptest::prelude::Just("&".to_owned()),
                    "\\PC{0,8}",
                ],
                0..40,
            )
        ) {
            let _ = parse_response(ENDPOINT, 200, &parts.concat());
        }
    }
}

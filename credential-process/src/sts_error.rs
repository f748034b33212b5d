//! What an STS `AssumeRoleWithWebIdentity` error says about the federation chain: a
//! pure mapping from AWS's error code and message to the links that are likely broken,
//! each with a one-line hint and the `kubectl awsoidc doctor` command that checks it.
//! The helper prints these under a rejected exchange; the plugin's `doctor --error`
//! calls the same functions, so both always agree.
//!
//! ```
//! use awsoidc_credential_process::sts_error::{Link, likely_broken_links};
//! let links = likely_broken_links("InvalidIdentityToken", "Incorrect token audience");
//! assert_eq!(links.first(), Some(&Link::Audience));
//! ```

use std::fmt;

/// One link of the chain from cluster to IAM role that an STS error can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Link {
    /// The token's `iss` versus the IAM OIDC provider URL.
    Issuer,
    /// The public discovery document `/.well-known/openid-configuration`.
    Discovery,
    /// The JWKS document the discovery document points at.
    Jwks,
    /// The TLS chain the issuer presents versus the provider's thumbprints.
    Thumbprint,
    /// The IAM OIDC identity provider itself.
    Provider,
    /// The token's `aud` versus the provider's client ids and the trust policy.
    Audience,
    /// The role's trust policy (`sub`, `aud`, the provider principal).
    TrustPolicy,
    /// The pod's ServiceAccount and its role annotation.
    ServiceAccount,
    /// The projected token: lifetime and rotation.
    Token,
    /// The request parameters: duration, region, session name, role ARN.
    StsParameters,
}

impl Link {
    /// Every link, in chain order.
    pub const ALL: [Link; 10] = [
        Link::Issuer,
        Link::Discovery,
        Link::Jwks,
        Link::Thumbprint,
        Link::Provider,
        Link::Audience,
        Link::TrustPolicy,
        Link::ServiceAccount,
        Link::Token,
        Link::StsParameters,
    ];

    /// A short lower-case name, e.g. `trust-policy`.
    pub fn name(self) -> &'static str {
        match self {
            Link::Issuer => "issuer",
            Link::Discovery => "discovery",
            Link::Jwks => "jwks",
            Link::Thumbprint => "thumbprint",
            Link::Provider => "provider",
            Link::Audience => "audience",
            Link::TrustPolicy => "trust-policy",
            Link::ServiceAccount => "service-account",
            Link::Token => "token",
            Link::StsParameters => "sts-parameters",
        }
    }

    /// One line saying what must hold for this link, and what usually fixes it.
    pub fn hint(self) -> &'static str {
        match self {
            Link::Issuer => {
                "the token's iss must equal the IAM OIDC provider URL byte for byte \
                 (scheme, host, port, path, trailing slash)"
            }
            Link::Discovery => {
                "STS must fetch ISSUER/.well-known/openid-configuration without credentials \
                 (anonymous auth on, RBAC for system:anonymous); kubectl awsoidc enable sets this up"
            }
            Link::Jwks => {
                "the discovery document's jwks_uri must be public on port 443 of the issuer's host, \
                 and every key in it needs a kid"
            }
            Link::Thumbprint => {
                "the provider's thumbprints must include the SHA-1 of the last certificate the issuer \
                 presents; kubectl awsoidc provider sync adds it"
            }
            Link::Provider => {
                "an IAM OIDC provider for the token's issuer, with client id sts.amazonaws.com, must exist \
                 in the role's account; kubectl awsoidc enable creates it"
            }
            Link::Audience => {
                "the token's aud must be a client id of the provider (sts.amazonaws.com) and match the \
                 trust policy's aud condition"
            }
            Link::TrustPolicy => {
                "the role's trust policy must allow this provider with sub system:serviceaccount:NS:SA \
                 and aud sts.amazonaws.com; kubectl awsoidc bind adds it"
            }
            Link::ServiceAccount => {
                "the pod must run as the ServiceAccount the trust policy names, and the role ARN used \
                 must be the one bound to it"
            }
            Link::Token => {
                "the projected token must be current: check the token volume's expirationSeconds and that \
                 the kubelet rotates the file"
            }
            Link::StsParameters => {
                "--duration must lie between 900 and the role's MaxSessionDuration (3600 unless raised); \
                 region, role ARN and session name must be valid"
            }
        }
    }

    /// The `kubectl awsoidc doctor` command that checks this link. `service_account`
    /// (namespace, name) fills in the ServiceAccount; without it, placeholders remain.
    pub fn doctor_command(self, service_account: Option<(&str, &str)>) -> String {
        let (namespace, name) = service_account.unwrap_or(("NAMESPACE", "SERVICEACCOUNT"));
        match self {
            Link::Issuer | Link::Discovery | Link::Jwks | Link::Thumbprint | Link::Provider => {
                "kubectl awsoidc doctor".to_owned()
            }
            Link::Audience | Link::TrustPolicy | Link::ServiceAccount | Link::Token => {
                format!("kubectl awsoidc doctor -n {namespace} {name}")
            }
            Link::StsParameters => format!("kubectl awsoidc doctor --exchange -n {namespace} {name}"),
        }
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The links an STS error most likely points at, most likely first; empty when the
/// error says nothing about the chain (e.g. throttling). `code` is AWS's error code
/// (`InvalidIdentityToken`, `AccessDenied`, ...), possibly empty when only a message
/// is known; `message` is AWS's message. Matching is case-insensitive; a bare code
/// given as the message alone (`doctor --error AccessDenied`) counts as the code.
pub fn likely_broken_links(code: &str, message: &str) -> Vec<Link> {
    let (code, message) = match known_code(code) {
        Some(known) => (known, message),
        None if code.is_empty() => match known_code(message) {
            Some(known) => (known, ""),
            None => (code, message),
        },
        None => (code, message),
    };
    let message = message.to_ascii_lowercase();
    let says = |needle: &str| message.contains(needle);
    use Link::*;
    match code {
        _ if says("no openidconnect provider found") => vec![Provider, Issuer],
        _ if says("couldn't retrieve verification key") || says("could not retrieve verification key") => {
            vec![Discovery, Jwks, Issuer]
        }
        _ if says("incorrect token audience") => vec![Audience, Provider],
        _ if says("thumbprint") => vec![Thumbprint],
        _ if says("not authorized to perform sts:assumerolewithwebidentity") => {
            vec![TrustPolicy, ServiceAccount, Audience]
        }
        _ if says("durationseconds") || says("maxsessionduration") || says("session duration") => {
            vec![StsParameters]
        }
        "ExpiredTokenException" => vec![Token],
        _ if says("token is expired") || says("token expired") => vec![Token],
        "IDPCommunicationError" => vec![Discovery, Jwks, Thumbprint],
        "IDPRejectedClaim" => vec![Token, Issuer],
        "InvalidIdentityToken" => vec![Token, Issuer, Provider],
        "AccessDenied" => vec![TrustPolicy, ServiceAccount],
        "ValidationError"
        | "RegionDisabledException"
        | "MalformedPolicyDocument"
        | "PackedPolicyTooLarge" => {
            vec![StsParameters]
        }
        _ => Vec::new(),
    }
}

/// The error codes [`likely_broken_links`] knows, spelled as AWS spells them.
const KNOWN_CODES: [&str; 9] = [
    "ExpiredTokenException",
    "IDPCommunicationError",
    "IDPRejectedClaim",
    "InvalidIdentityToken",
    "AccessDenied",
    "ValidationError",
    "RegionDisabledException",
    "MalformedPolicyDocument",
    "PackedPolicyTooLarge",
];

/// `word` as AWS spells it, when it is one of [`KNOWN_CODES`] in any case.
fn known_code(word: &str) -> Option<&'static str> {
    let word = word.trim();
    KNOWN_CODES
        .into_iter()
        .find(|code| code.eq_ignore_ascii_case(word))
}

/// Split an error text as users paste it into AWS's code and message. Understands the
/// AWS CLI's `An error occurred (CODE) when calling the OPERATION operation: MESSAGE`,
/// the helper's own `STS rejected the exchange: CODE: MESSAGE` and a known code alone
/// (in any case); anything else is returned as a message without a code.
pub fn split_error_text(text: &str) -> (&str, &str) {
    let text = text.trim();
    if let Some(code) = known_code(text) {
        return (code, "");
    }
    if let Some(rest) = text.strip_prefix("An error occurred (")
        && let Some((code, rest)) = rest.split_once(')')
    {
        let message = rest.split_once(": ").map_or("", |(_, message)| message);
        return (code, message.trim());
    }
    let body = text.strip_prefix("STS rejected the exchange: ").unwrap_or(text);
    match body.split_once(": ") {
        Some((code, message)) if is_error_code(code) => (code, message.trim()),
        _ => ("", text),
    }
}

fn is_error_code(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_uppercase()) && word.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Link::*;

    #[test]
    fn invalid_identity_token_messages_point_at_their_links() {
        let cases = [
            (
                "No OpenIDConnect provider found in your account for https://127.0.0.1:6443",
                vec![Provider, Issuer],
            ),
            (
                "Couldn't retrieve verification key from your identity provider,  please reference \
                 AssumeRoleWithWebIdentity documentation for requirements",
                vec![Discovery, Jwks, Issuer],
            ),
            ("Incorrect token audience", vec![Audience, Provider]),
            (
                "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
                vec![Thumbprint],
            ),
            ("Something new", vec![Token, Issuer, Provider]),
        ];
        for (message, expected) in cases {
            assert_eq!(
                likely_broken_links("InvalidIdentityToken", message),
                expected,
                "{message}"
            );
        }
    }

    #[test]
    fn other_codes_point_at_their_links() {
        let not_authorized = "Not authorized to perform sts:AssumeRoleWithWebIdentity";
        assert_eq!(
            likely_broken_links("AccessDenied", not_authorized),
            [TrustPolicy, ServiceAccount, Audience]
        );
        assert_eq!(
            likely_broken_links("ExpiredTokenException", "Token expired: current date/time"),
            [Token]
        );
        let duration = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.";
        assert_eq!(likely_broken_links("ValidationError", duration), [StsParameters]);
        assert_eq!(
            likely_broken_links("IDPCommunicationError", "timed out"),
            [Discovery, Jwks, Thumbprint]
        );
        assert_eq!(likely_broken_links("Throttling", "Rate exceeded"), []);
    }

    #[test]
    fn a_message_without_code_still_maps() {
        assert_eq!(
            likely_broken_links("", "incorrect token audience"),
            [Audience, Provider]
        );
    }

    #[test]
    fn bare_codes_in_any_case_map_like_the_full_messages() {
        let cases = [
            ("ExpiredTokenException", vec![Token]),
            ("accessdenied", vec![TrustPolicy, ServiceAccount]),
            ("InvalidIdentityToken", vec![Token, Issuer, Provider]),
            ("IDPCOMMUNICATIONERROR", vec![Discovery, Jwks, Thumbprint]),
            (" ValidationError\n", vec![StsParameters]),
        ];
        for (bare, expected) in cases {
            assert_eq!(likely_broken_links("", bare), expected, "{bare:?} as the message");
            let (code, message) = split_error_text(bare);
            assert_eq!(likely_broken_links(code, message), expected, "{bare:?} split");
            assert_eq!(
                likely_broken_links(&bare.to_lowercase(), ""),
                expected,
                "{bare:?} as the code"
            );
        }
        assert_eq!(split_error_text("accessdenied"), ("AccessDenied", ""));
        assert_eq!(likely_broken_links("", "NoSuchCode"), []);
    }

    #[test]
    fn pasted_error_texts_split_into_code_and_message() {
        let cli = "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity \
                   operation: Incorrect token audience";
        assert_eq!(
            split_error_text(cli),
            ("InvalidIdentityToken", "Incorrect token audience")
        );
        let ours = "STS rejected the exchange: AccessDenied: Not authorized";
        assert_eq!(split_error_text(ours), ("AccessDenied", "Not authorized"));
        assert_eq!(split_error_text("just words: here"), ("", "just words: here"));
    }

    #[test]
    fn every_link_has_a_hint_and_a_doctor_command() {
        for link in Link::ALL {
            assert!(!link.hint().is_empty() && !link.hint().contains('\n'), "{link}");
            let command = link.doctor_command(Some(("team-a", "app")));
            assert!(command.starts_with("kubectl awsoidc doctor"), "{command}");
        }
        assert_eq!(
            TrustPolicy.doctor_command(Some(("team-a", "app"))),
            "kubectl awsoidc doctor -n team-a app"
        );
        assert_eq!(
            Token.doctor_command(None),
            "kubectl awsoidc doctor -n NAMESPACE SERVICEACCOUNT"
        );
    }
}

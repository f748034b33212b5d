//! The `credential_process` output contract: exactly one JSON object
//! `{"Version":1,"AccessKeyId":…,"SecretAccessKey":…,"SessionToken":…,"Expiration":"YYYY-MM-DDTHH:MM:SSZ"}`
//! on stdout, and the `--format env` alternative (shell-quoted `export` lines for `eval`).
//! The key case, the integer `Version` and the UTC `Z` expiration are what botocore,
//! aws-config (Rust), the Go SDK and the JS SDK all accept.

use crate::secret::Secret;
use crate::time::Timestamp;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

/// The only `Version` the credential_process protocol defines.
pub const PROCESS_CREDENTIALS_VERSION: u8 = 1;

/// Temporary AWS credentials as a credential_process prints them. Deserialising checks
/// `Version` and parses `Expiration`, so a parsed value always satisfies the contract.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "Wire")]
pub struct ProcessCredentials {
    /// `ASIA…` access key id (not secret on its own).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// The session token.
    pub session_token: Secret,
    /// When the credentials stop working.
    pub expiration: Timestamp,
}

/// The JSON object as it appears on the wire, before the contract is checked.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Wire {
    version: u64,
    access_key_id: String,
    secret_access_key: Secret,
    session_token: Secret,
    expiration: String,
}

impl TryFrom<Wire> for ProcessCredentials {
    type Error = CredentialsError;

    fn try_from(wire: Wire) -> Result<Self, CredentialsError> {
        if wire.version != u64::from(PROCESS_CREDENTIALS_VERSION) {
            return Err(CredentialsError::Version(wire.version));
        }
        Ok(ProcessCredentials {
            access_key_id: wire.access_key_id,
            secret_access_key: wire.secret_access_key,
            session_token: wire.session_token,
            expiration: Timestamp::parse_rfc3339(&wire.expiration)?,
        })
    }
}

/// Why a text is not credential_process JSON.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// Not JSON of the expected shape.
    #[error("failed to parse the credential_process JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A `Version` other than 1.
    #[error("unsupported credential_process Version {0}; expected 1")]
    Version(u64),
    /// `Expiration` is not RFC 3339.
    #[error(transparent)]
    Expiration(#[from] crate::time::TimestampError),
}

impl Serialize for ProcessCredentials {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = serializer.serialize_struct("ProcessCredentials", 5)?;
        object.serialize_field("Version", &PROCESS_CREDENTIALS_VERSION)?;
        object.serialize_field("AccessKeyId", &self.access_key_id)?;
        // The real values go out here: to stdout or to the 0600 cache file only.
        object.serialize_field("SecretAccessKey", self.secret_access_key.expose())?;
        object.serialize_field("SessionToken", self.session_token.expose())?;
        object.serialize_field("Expiration", &self.expiration.to_string())?;
        object.end()
    }
}

impl ProcessCredentials {
    /// The credential_process JSON object, without a trailing newline.
    pub fn to_json(&self) -> String {
        // Serialising a struct of strings and an integer into a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parse credential_process JSON (as this helper prints it, or any other process).
    pub fn from_json(text: &str) -> Result<Self, CredentialsError> {
        let wire: Wire = serde_json::from_str(text)?;
        ProcessCredentials::try_from(wire)
    }

    /// `export NAME='value'` lines for `eval "$(awsoidc-credential-process --format env)"`.
    pub fn to_env_exports(&self) -> String {
        [
            ("AWS_ACCESS_KEY_ID", self.access_key_id.as_str()),
            ("AWS_SECRET_ACCESS_KEY", self.secret_access_key.expose()),
            ("AWS_SESSION_TOKEN", self.session_token.expose()),
            ("AWS_CREDENTIAL_EXPIRATION", &self.expiration.to_string()),
        ]
        .iter()
        .map(|(name, value)| format!("export {name}={}\n", shell_quote(value)))
        .collect()
    }
}

/// Quote `value` for a POSIX shell: single quotes, each `'` written as `'\''`.
pub fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ProcessCredentials {
        ProcessCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("se/cr+et"),
            session_token: Secret::new("to'ken"),
            expiration: Timestamp(1_767_323_045),
        }
    }

    #[test]
    fn json_is_the_credential_process_contract() {
        assert_eq!(
            sample().to_json(),
            r#"{"Version":1,"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"se/cr+et","SessionToken":"to'ken","Expiration":"2026-01-02T03:04:05Z"}"#
        );
    }

    #[test]
    fn json_round_trips_and_normalises_expiration() {
        assert_eq!(
            ProcessCredentials::from_json(&sample().to_json()).expect("parses"),
            sample()
        );
        let offset = r#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","SessionToken":"t","Expiration":"2026-01-02T05:04:05.5+02:00"}"#;
        let parsed = ProcessCredentials::from_json(offset).expect("parses");
        assert!(
            parsed
                .to_json()
                .ends_with(r#""Expiration":"2026-01-02T03:04:05Z"}"#)
        );
    }

    #[test]
    fn other_versions_are_refused() {
        let v2 = r#"{"Version":2,"AccessKeyId":"A","SecretAccessKey":"s","SessionToken":"t","Expiration":"2026-01-02T03:04:05Z"}"#;
        assert!(matches!(
            ProcessCredentials::from_json(v2),
            Err(CredentialsError::Version(2))
        ));
    }

    #[test]
    fn env_exports_are_shell_quoted() {
        assert_eq!(
            sample().to_env_exports(),
            "export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'\n\
             export AWS_SECRET_ACCESS_KEY='se/cr+et'\n\
             export AWS_SESSION_TOKEN='to'\\''ken'\n\
             export AWS_CREDENTIAL_EXPIRATION='2026-01-02T03:04:05Z'\n"
        );
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let debug = format!("{:?}", sample());
        assert!(
            !debug.contains("se/cr+et") && !debug.contains("to'ken"),
            "{debug}"
        );
    }
}

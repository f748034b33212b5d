//! The names both sides of the exchange must agree on: the token audience, where the
//! projected token is mounted, and the `sub` claim a ServiceAccount token carries.
//! The plugin writes these into clusters and trust policies; the helper checks them
//! in the pod. Defined here once, used by both binaries.

/// The audience (`aud`) STS expects, and the client id of the IAM OIDC provider.
pub const DEFAULT_AUDIENCE: &str = "sts.amazonaws.com";

/// The directory the projected ServiceAccount token is mounted at (as on EKS).
pub const TOKEN_MOUNT_DIR: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount";

/// The file name of the token inside [`TOKEN_MOUNT_DIR`].
pub const TOKEN_FILE_NAME: &str = "token";

/// The token file the helper reads when neither a flag nor the environment names one.
pub const DEFAULT_TOKEN_FILE: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

/// The `sub` claim of a token issued for ServiceAccount `name` in `namespace`.
pub fn service_account_subject(namespace: &str, name: &str) -> String {
    format!("system:serviceaccount:{namespace}:{name}")
}

/// The namespace and name in a ServiceAccount `sub` claim, if it is one.
pub fn parse_service_account_subject(subject: &str) -> Option<(&str, &str)> {
    let rest = subject.strip_prefix("system:serviceaccount:")?;
    let (namespace, name) = rest.split_once(':')?;
    (!namespace.is_empty() && !name.is_empty() && !name.contains(':')).then_some((namespace, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_token_file_is_inside_the_mount_dir() {
        assert_eq!(DEFAULT_TOKEN_FILE, format!("{TOKEN_MOUNT_DIR}/{TOKEN_FILE_NAME}"));
    }

    #[test]
    fn subjects_round_trip() {
        let subject = service_account_subject("team-a", "app");
        assert_eq!(subject, "system:serviceaccount:team-a:app");
        assert_eq!(parse_service_account_subject(&subject), Some(("team-a", "app")));
        assert_eq!(parse_service_account_subject("system:serviceaccount:a"), None);
        assert_eq!(parse_service_account_subject("system:node:a:b"), None);
    }
}

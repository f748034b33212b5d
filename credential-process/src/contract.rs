//! The names both sides of the exchange must agree on: the token audience, where the
//! projected token is mounted, the `sub` claim a ServiceAccount token carries, and the
//! shape of the IAM role ARN the helper is given.
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

/// The IAM role ARN form, as an error message names it.
pub const ROLE_ARN_FORM: &str = "arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME with a 12-digit ACCOUNT and \
     NAME (and each PATH part) of 1 to 64 letters, digits or +=,.@_-";

/// Whether `arn` has the form [`ROLE_ARN_FORM`] describes: partition `aws` or
/// `aws-…`, service `iam`, no region, a 12-digit account, and a role name IAM accepts.
pub fn is_iam_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ["arn", partition, "iam", "", account, resource] = parts[..] else {
        return false;
    };
    let partition_ok = partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let name_ok = |part: &str| {
        (1..=64).contains(&part.len())
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
    };
    let resource_ok = resource
        .strip_prefix("role/")
        .is_some_and(|path_and_name| path_and_name.len() <= 512 && path_and_name.split('/').all(name_ok));
    partition_ok && account_ok && resource_ok
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

    #[test]
    fn role_arns_must_name_an_iam_role_iam_would_accept() {
        for good in [
            "arn:aws:iam::111122223333:role/app",
            "arn:aws-cn:iam::111122223333:role/path/to/app",
            "arn:aws-us-gov:iam::111122223333:role/a+=,.@_-b",
            &format!("arn:aws:iam::111122223333:role/{}", "n".repeat(64)),
        ] {
            assert!(is_iam_role_arn(good), "{good}");
        }
        for bad in [
            "",
            "app",
            "arn:aws:iam::1111:role/app",
            "arn:aws:iam::11112222333x:role/app",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::111122223333:user/u",
            "arn:aws:iam::111122223333:role/",
            "arn:aws:iam::111122223333:role/path//app",
            "arn:aws:iam::111122223333:role/path/",
            "arn:aws:iam:eu-central-1:111122223333:role/app",
            "arn:gcp:iam::111122223333:role/app",
            "arn:aws-:iam::111122223333:role/app",
            "arn:aws:iam::111122223333:role/app; touch /tmp/pwn",
            "arn:aws:iam::111122223333:role/r\u{f4}le",
            "arn:aws:iam::111122223333:role/app:x",
            &format!("arn:aws:iam::111122223333:role/{}", "n".repeat(65)),
        ] {
            assert!(!is_iam_role_arn(bad), "{bad}");
        }
    }
}

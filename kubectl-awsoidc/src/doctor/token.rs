//! Link 8, the token: its audience (failure kind D), its subject, and its lifetime and
//! rotation (failure kind F). Decoding and the audience and expiry rules are the
//! helper's (`awsoidc_credential_process::token`), so the pod and `doctor` agree.

use awsoidc_credential_process::contract::{parse_service_account_subject, service_account_subject};

use super::{Check, CheckId, Inputs};

/// The lifetimes kube-apiserver issues projected tokens for.
pub const LIFETIME_RANGE: std::ops::RangeInclusive<i64> = 600..=86_400;

/// The lifetime of the default `kube-api-access` token, which kube-apiserver may extend
/// to a year (`--service-account-extend-token-expiration`): never the token for AWS.
pub const DEFAULT_TOKEN_LIFETIME: i64 = 3607;

/// The kubelet replaces a projected token after this share of its lifetime.
const ROTATION_SHARE_PERCENT: i64 = 80;

pub fn checks(inputs: &Inputs) -> Vec<Check> {
    let Some(token) = inputs.token.given() else {
        let why = inputs.token.absence().unwrap_or_default();
        return [
            CheckId::TokenAudience,
            CheckId::TokenSubject,
            CheckId::TokenExpiry,
            CheckId::TokenLifetime,
        ]
        .into_iter()
        .map(|id| Check::skip(id, why))
        .collect();
    };
    let claims = &token.jwt.claims;
    let (namespace, name) = inputs
        .subject_account()
        .unwrap_or_else(|| ("NAMESPACE".into(), "SERVICEACCOUNT".into()));
    let fresh_token = format!(
        "kubectl create token {name} -n {namespace} --audience {}",
        inputs.audience
    );
    let inject = "kubectl awsoidc inject -f MANIFEST | kubectl apply -f -";

    let audience = match claims.check_audience(&inputs.audience) {
        Ok(()) => Check::pass(
            CheckId::TokenAudience,
            format!("aud {:?} contains {:?}", claims.aud, inputs.audience),
        ),
        Err(err) => Check::fail(CheckId::TokenAudience, err.to_string(), inject),
    };

    let subject = match (
        claims.sub.as_deref(),
        &inputs.service_account_name,
        inputs.service_account.given(),
    ) {
        (None, ..) => Check::fail(CheckId::TokenSubject, "the token has no sub claim", inject),
        (Some(sub), ..) if parse_service_account_subject(sub).is_none() => Check::fail(
            CheckId::TokenSubject,
            format!("sub {sub:?} is not a ServiceAccount (system:serviceaccount:NS:NAME)"),
            inject,
        ),
        (Some(sub), named, file) => {
            let expected = named
                .clone()
                .or_else(|| file.map(|account| (account.namespace.clone(), account.name.clone())))
                .map(|(namespace, name)| service_account_subject(&namespace, &name));
            match expected {
                Some(expected) if expected != sub => Check::fail(
                    CheckId::TokenSubject,
                    format!("the token's sub is {sub:?}, the ServiceAccount checked is {expected:?}"),
                    format!("set serviceAccountName: {name} in the pod spec (namespace {namespace})"),
                ),
                _ => Check::pass(CheckId::TokenSubject, format!("sub is {sub:?}")),
            }
        }
    };

    let expiry = match claims.check_not_expired(inputs.now) {
        Err(err) => Check::fail(
            CheckId::TokenExpiry,
            format!("{err} (now {})", inputs.now),
            fresh_token.clone(),
        ),
        Ok(()) => match (claims.iat, claims.exp) {
            (Some(iat), Some(exp))
                if inputs.now.seconds_until(exp) * 100
                    < (100 - ROTATION_SHARE_PERCENT) * iat.seconds_until(exp) =>
            {
                Check::warn(
                    CheckId::TokenExpiry,
                    format!(
                        "issued at {iat}, expires at {exp}: the kubelet replaces it after {ROTATION_SHARE_PERCENT}% of \
                         its lifetime, so a file this old is no longer rotated"
                    ),
                    "check the pod's projected token volume and that the file is re-read on every call",
                )
            }
            (_, Some(exp)) => Check::pass(
                CheckId::TokenExpiry,
                format!("expires at {exp}, in {} s", inputs.now.seconds_until(exp)),
            ),
            (_, None) => Check::warn(
                CheckId::TokenExpiry,
                "the token has no exp claim",
                fresh_token.clone(),
            ),
        },
    };

    let lifetime = match (claims.iat, claims.exp) {
        (Some(iat), Some(exp)) => {
            let seconds = iat.seconds_until(exp);
            if seconds == DEFAULT_TOKEN_LIFETIME {
                Check::warn(
                    CheckId::TokenLifetime,
                    format!(
                        "the token lives {seconds} s, the lifetime of the default kube-api-access token, which \
                         kube-apiserver may extend to a year"
                    ),
                    inject,
                )
            } else if !LIFETIME_RANGE.contains(&seconds) {
                Check::warn(
                    CheckId::TokenLifetime,
                    format!(
                        "the token lives {seconds} s, outside {}..={} s",
                        LIFETIME_RANGE.start(),
                        LIFETIME_RANGE.end()
                    ),
                    "kubectl awsoidc inject --token-expiration 86400 -f MANIFEST | kubectl apply -f -",
                )
            } else {
                Check::pass(CheckId::TokenLifetime, format!("the token lives {seconds} s"))
            }
        }
        _ => Check::skip(CheckId::TokenLifetime, "the token lacks iat or exp"),
    };
    vec![audience, subject, expiry, lifetime]
}

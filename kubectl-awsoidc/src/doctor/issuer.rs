//! Link 1, the issuer identity: the token's `iss`, the discovery document's `issuer`, the
//! IAM provider's URL and the trust policy's condition-key prefix must be one string
//! (failure kind A). The comparison rules are `crate::issuer`'s; this file only applies
//! them to `doctor`'s inputs and names the fix.

use super::trust::{condition_keys_for, federated_providers};
use super::{Check, CheckId, Inputs};
use crate::issuer::{self, Issuer};

pub fn checks(inputs: &Inputs) -> Vec<Check> {
    let issuer = match inputs.issuer() {
        None => {
            let why = "no issuer known: give --issuer-url, --token or --discovery";
            return [
                CheckId::IssuerUrl,
                CheckId::IssuerToken,
                CheckId::IssuerDiscovery,
                CheckId::IssuerProvider,
                CheckId::IssuerTrustPolicy,
            ]
            .into_iter()
            .map(|id| Check::skip(id, why))
            .collect();
        }
        Some(Err(err)) => {
            let mut checks = vec![Check::fail(
                CheckId::IssuerUrl,
                err.to_string(),
                "kube-apiserver --service-account-issuer=https://HOST[/PATH] (https, no query or fragment)",
            )];
            checks.extend(
                [
                    CheckId::IssuerToken,
                    CheckId::IssuerDiscovery,
                    CheckId::IssuerProvider,
                    CheckId::IssuerTrustPolicy,
                ]
                .into_iter()
                .map(|id| Check::skip(id, "the issuer is not a valid URL (see issuer.url)")),
            );
            return checks;
        }
        Some(Ok(issuer)) => issuer,
    };
    vec![
        Check::pass(CheckId::IssuerUrl, format!("issuer {issuer}")),
        token_issuer(inputs, &issuer),
        discovery_issuer(inputs, &issuer),
        provider_issuer(inputs, &issuer),
        trust_policy_issuer(inputs, &issuer),
    ]
}

fn apiserver_fix(issuer: &Issuer) -> String {
    format!("kube-apiserver --service-account-issuer={issuer}")
}

fn token_issuer(inputs: &Inputs, issuer: &Issuer) -> Check {
    let id = CheckId::IssuerToken;
    let Some(token) = inputs.token.given() else {
        return Check::skip(id, inputs.token.absence().unwrap_or_default());
    };
    let Some(iss) = token.jwt.claims.iss.as_deref() else {
        return Check::fail(id, "the token has no iss claim", apiserver_fix(issuer));
    };
    match issuer::describe_mismatch(issuer.url(), iss) {
        None => Check::pass(id, format!("token iss is {iss:?}")),
        Some(why) => Check::fail(id, format!("token iss {why}"), apiserver_fix(issuer)),
    }
}

fn discovery_issuer(inputs: &Inputs, issuer: &Issuer) -> Check {
    let id = CheckId::IssuerDiscovery;
    let Some(document) = inputs.discovery.given() else {
        return Check::skip(id, inputs.discovery.absence().unwrap_or_default());
    };
    let findings = crate::discovery::check_issuer(issuer, document);
    Check::from_findings(
        id,
        &findings,
        format!("discovery issuer is {:?}", document.issuer),
        apiserver_fix(issuer),
    )
}

fn provider_issuer(inputs: &Inputs, issuer: &Issuer) -> Check {
    let id = CheckId::IssuerProvider;
    match &inputs.provider {
        super::Input::Given(Some(provider)) => {
            let actual = format!("https://{}", provider.url);
            match issuer::describe_mismatch(issuer.url(), &actual) {
                None => Check::pass(id, format!("IAM provider URL is {:?}", provider.url)),
                Some(why) => Check::fail(
                    id,
                    format!("IAM provider URL (as https://{}) {why}", provider.url),
                    format!("kubectl awsoidc enable   # registers the provider for {issuer}"),
                ),
            }
        }
        super::Input::Given(None) => Check::skip(id, "IAM has no provider to compare (see provider.exists)"),
        other => Check::skip(id, other.absence().unwrap_or_default()),
    }
}

fn trust_policy_issuer(inputs: &Inputs, issuer: &Issuer) -> Check {
    let id = CheckId::IssuerTrustPolicy;
    let Some(role) = inputs.role.given() else {
        return Check::skip(id, inputs.role.absence().unwrap_or_default());
    };
    let expected = issuer.provider_url();
    let keys = condition_keys_for(&role.policy, expected);
    let wrong: Vec<&String> = keys
        .iter()
        .filter(|key| {
            key.rsplit_once(':')
                .is_none_or(|(prefix, _)| !prefix.eq_ignore_ascii_case(expected))
        })
        .collect();
    let fix = super::trust::bind_fix(inputs, role);
    if let Some(key) = wrong.first() {
        return Check::fail(
            id,
            format!(
                "condition key {key:?} does not start with the provider URL {expected:?}, so IAM never matches it"
            ),
            fix,
        );
    }
    let trusted = federated_providers(&role.policy);
    if keys.is_empty() {
        let near = trusted
            .iter()
            .find(|url| url.trim_end_matches('/') == expected.trim_end_matches('/'));
        if let Some(near) = near {
            let why = issuer::describe_mismatch(issuer.url(), &format!("https://{near}")).unwrap_or_default();
            return Check::fail(
                id,
                format!("the trust policy's provider (as https://{near}) {why}"),
                fix,
            );
        }
        return Check::skip(
            id,
            format!("no statement of the trust policy uses the provider {expected}"),
        );
    }
    Check::pass(id, format!("condition keys start with {expected:?}"))
}

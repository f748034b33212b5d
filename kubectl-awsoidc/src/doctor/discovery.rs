//! Link 2, the discovery document: STS fetches `ISSUER/.well-known/openid-configuration`
//! without credentials, from the internet, on port 443, and follows its `jwks_uri`
//! (failure kind B).

use super::{Check, CheckId, Inputs, Reach};
use crate::discovery::{self as content, Finding, Rule};
use crate::issuer::Issuer;
use crate::probe::{self, Verdict};

/// The command that turns on anonymous discovery and its RBAC.
const ENABLE_FIX: &str = "kubectl awsoidc enable";

pub fn checks(inputs: &Inputs) -> Vec<Check> {
    let issuer = inputs.valid_issuer();
    vec![
        address(inputs, issuer.as_ref()),
        reachable(
            CheckId::DiscoveryReachable,
            issuer.as_ref().map(Issuer::discovery_url),
            &inputs.discovery_reach,
        ),
        jwks_uri(inputs, issuer.as_ref()),
    ]
}

/// Keep only the findings that apply: without AWS's own servers fetching, reachability
/// from the internet does not matter.
pub(super) fn applicable(inputs: &Inputs, findings: Vec<Finding>) -> (Vec<Finding>, Vec<Finding>) {
    if inputs.aws_fetches() {
        (findings, Vec::new())
    } else {
        findings
            .into_iter()
            .partition(|finding| !finding.rule.is_reachability())
    }
}

fn stand_in_note(inputs: &Inputs, waived: &[Finding]) -> String {
    let rules: Vec<&str> = waived
        .iter()
        .map(|finding| match finding.rule {
            Rule::PrivateAddress => "not a public address",
            _ => "not port 443",
        })
        .collect();
    match &inputs.aws_endpoint {
        Some(endpoint) if !rules.is_empty() => {
            format!(
                " ({} waived: the AWS endpoint is the stand-in {endpoint})",
                rules.join(", ")
            )
        }
        _ => String::new(),
    }
}

fn address(inputs: &Inputs, issuer: Option<&Issuer>) -> Check {
    let id = CheckId::DiscoveryAddress;
    let Some(issuer) = issuer else {
        return Check::skip(id, "no valid issuer (see issuer.url)");
    };
    let findings = content::check_fetchable(&format!("the issuer {issuer}"), issuer.host(), issuer.port());
    let (findings, waived) = applicable(inputs, findings);
    let pass = format!(
        "{} is on port {}{}",
        issuer.host(),
        issuer.port(),
        stand_in_note(inputs, &waived)
    );
    Check::from_findings(
        id,
        &findings,
        pass,
        "serve the issuer on a public host on port 443, or use Gardener's managed issuer: \
         kubectl awsoidc enable --issuer managed",
    )
}

/// The verdict on an unauthenticated GET of `url` (the meaning of 401, 403 and TLS
/// failures is `crate::probe`'s).
pub(super) fn reachable(id: CheckId, url: Option<String>, reach: &Reach) -> Check {
    let outcome = match reach {
        Reach::Probed(outcome) => outcome,
        Reach::NotProbed(why) => return Check::skip(id, format!("not probed without credentials: {why}")),
    };
    let url = url.unwrap_or_else(|| "the document".to_owned());
    let found = probe::interpret(&url, outcome);
    match (found.verdict, found.fix) {
        (Verdict::Reachable, _) => Check::pass(id, format!("{} without credentials", found.message)),
        (_, Some(fix)) => Check::fail(id, found.message, fix),
        (Verdict::Unreachable, None) => Check::fail(
            id,
            found.message,
            "check that the issuer's host resolves and accepts connections on its port from the internet",
        ),
        (_, None) => Check::fail(id, found.message, ENABLE_FIX),
    }
}

fn jwks_uri(inputs: &Inputs, issuer: Option<&Issuer>) -> Check {
    let id = CheckId::DiscoveryJwksUri;
    let Some(document) = inputs.discovery.given() else {
        return match &inputs.discovery {
            super::Input::Broken(why) => Check::fail(id, why.clone(), ENABLE_FIX),
            other => Check::skip(id, other.absence().unwrap_or_default()),
        };
    };
    let Some(issuer) = issuer else {
        return Check::skip(id, "no valid issuer (see issuer.url)");
    };
    let (findings, waived) = applicable(inputs, content::check_jwks_uri(issuer, &document.jwks_uri));
    let expected = format!("{}/openid/v1/jwks", issuer.url().trim_end_matches('/'));
    Check::from_findings(
        id,
        &findings,
        format!(
            "jwks_uri is {}{}",
            document.jwks_uri,
            stand_in_note(inputs, &waived)
        ),
        format!("kube-apiserver --service-account-jwks-uri={expected}"),
    )
}

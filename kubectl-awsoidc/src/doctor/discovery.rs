//! Link 2, the discovery document: STS fetches `ISSUER/.well-known/openid-configuration`
//! without credentials, from the internet, on port 443, and follows its `jwks_uri`
//! (failure kind B).

use super::{Check, CheckId, Inputs, Reach};
use crate::discovery::{self as content, Finding, Rule};
use crate::issuer::Issuer;
use crate::probe::{self, Verdict};
use k8s_openapi::api::rbac::v1::PolicyRule;

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
        anonymous_scope(inputs),
    ]
}

/// The paths kube-apiserver's bootstrap policy (`system:public-info-viewer`) lets
/// everyone get; granting them to anonymous requests is the default, not a finding.
const PUBLIC_INFO_PATHS: [&str; 5] = ["/healthz", "/livez", "/readyz", "/version", "/version/"];

/// A binding that names `system:anonymous` or `system:unauthenticated`, with its role's rules.
#[derive(Debug, Clone, PartialEq)]
pub struct AnonymousGrant {
    /// `ClusterRoleBinding/NAME` or `RoleBinding/NAMESPACE/NAME`.
    pub binding: String,
    pub subject: String,
    /// `ClusterRole/NAME` or `Role/NAMESPACE/NAME`.
    pub role: String,
    pub rules: Vec<PolicyRule>,
}

/// What unauthenticated requests can reach.
#[derive(Debug, Clone, PartialEq)]
pub struct AnonymousAccess {
    /// True when anonymous requests are authenticated on every path (legacy
    /// `--anonymous-auth=true`), so every grant below applies; false when they are
    /// refused outside the configured paths (structured configuration, or off).
    pub on_every_path: bool,
    pub grants: Vec<AnonymousGrant>,
}

/// What a grant allows beyond `get` on the discovery paths and the public info paths.
pub fn beyond_discovery(grant: &AnonymousGrant) -> Vec<String> {
    let allowed = |url: &String| {
        [probe::DISCOVERY_PATH, probe::JWKS_PATH].contains(&url.as_str())
            || PUBLIC_INFO_PATHS.contains(&url.as_str())
    };
    grant
        .rules
        .iter()
        .filter(|rule| {
            let resources = rule
                .resources
                .as_ref()
                .is_some_and(|resources| !resources.is_empty());
            let urls = rule.non_resource_urls.as_deref().unwrap_or_default();
            resources || !rule.verbs.iter().all(|verb| verb == "get") || !urls.iter().all(allowed)
        })
        .map(|rule| {
            let what = match (&rule.resources, &rule.non_resource_urls) {
                (Some(resources), _) if !resources.is_empty() => resources.join(","),
                (_, Some(urls)) => urls.join(","),
                _ => "(nothing)".to_owned(),
            };
            format!("{} {what}", rule.verbs.join(","))
        })
        .collect()
}

fn anonymous_scope(inputs: &Inputs) -> Check {
    let id = CheckId::DiscoveryAnonymousScope;
    let access = match &inputs.anonymous {
        super::Input::Given(access) => access,
        other => return Check::skip(id, other.absence().unwrap_or_default()),
    };
    if !access.on_every_path {
        return Check::pass(
            id,
            "anonymous requests are refused outside the paths the apiserver allows them",
        );
    }
    let wide: Vec<String> = access
        .grants
        .iter()
        .filter_map(|grant| {
            let extra = beyond_discovery(grant);
            (!extra.is_empty()).then(|| {
                format!(
                    "{} gives {} {} ({})",
                    grant.binding,
                    grant.subject,
                    grant.role,
                    extra.join("; ")
                )
            })
        })
        .collect();
    let Some(first) = access
        .grants
        .iter()
        .find(|grant| !beyond_discovery(grant).is_empty())
    else {
        return Check::pass(
            id,
            "anonymous authentication is on for every path, but no binding gives anonymous requests more than discovery",
        );
    };
    let delete = match first.binding.split('/').collect::<Vec<_>>()[..] {
        ["RoleBinding", namespace, name] => format!("kubectl delete rolebinding {name} -n {namespace}"),
        [_, name] => format!("kubectl delete clusterrolebinding {name}"),
        _ => format!("kubectl delete {}", first.binding.to_ascii_lowercase()),
    };
    Check::warn(
        id,
        format!(
            "anonymous authentication is on for every path (legacy mode), and {}",
            wide.join("; ")
        ),
        format!(
            "{delete}   # or limit anonymous requests to the discovery paths: kubectl awsoidc enable \
             --anonymous-mode structured"
        ),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(binding: &str, verbs: &[&str], urls: &[&str], resources: &[&str]) -> AnonymousGrant {
        let list =
            |items: &[&str]| (!items.is_empty()).then(|| items.iter().map(|s| s.to_string()).collect());
        AnonymousGrant {
            binding: binding.to_owned(),
            subject: "User system:anonymous".to_owned(),
            role: "ClusterRole/r".to_owned(),
            rules: vec![PolicyRule {
                verbs: verbs.iter().map(|s| s.to_string()).collect(),
                non_resource_urls: list(urls),
                resources: list(resources),
                ..Default::default()
            }],
        }
    }

    fn scope(on_every_path: bool, grants: Vec<AnonymousGrant>) -> Check {
        let mut inputs = Inputs::offline_empty();
        inputs.anonymous = super::super::Input::Given(AnonymousAccess {
            on_every_path,
            grants,
        });
        anonymous_scope(&inputs)
    }

    #[test]
    fn discovery_and_public_info_grants_are_not_too_wide() {
        let discovery = grant(
            "ClusterRoleBinding/d",
            &["get"],
            &[probe::DISCOVERY_PATH, probe::JWKS_PATH],
            &[],
        );
        let info = grant(
            "ClusterRoleBinding/system:public-info-viewer",
            &["get"],
            &["/version", "/healthz"],
            &[],
        );
        assert_eq!(
            scope(true, vec![discovery, info]).status,
            super::super::Status::Pass
        );
    }

    #[test]
    fn wider_grants_in_legacy_mode_warn_with_the_binding_and_a_delete_command() {
        let secrets = grant("RoleBinding/team-a/open", &["get", "list"], &[], &["secrets"]);
        let check = scope(true, vec![secrets.clone()]);
        assert_eq!(check.status, super::super::Status::Warn);
        assert!(
            check.message.contains("RoleBinding/team-a/open") && check.message.contains("get,list secrets")
        );
        assert!(
            check
                .fix
                .unwrap()
                .starts_with("kubectl delete rolebinding open -n team-a")
        );
        let all_urls = grant("ClusterRoleBinding/wide", &["get"], &["*"], &[]);
        assert!(
            scope(true, vec![all_urls])
                .fix
                .unwrap()
                .starts_with("kubectl delete clusterrolebinding wide")
        );
        // With anonymous requests refused outside the configured paths, the grants cannot be used.
        assert_eq!(scope(false, vec![secrets]).status, super::super::Status::Pass);
    }
}

//! Link 5, the IAM OIDC provider: one exists for exactly the issuer, and its client ids
//! contain the token's audience (failure kind D). Also the provider as `doctor` reads it
//! from the JSON of `aws iam get-open-id-connect-provider`.

use serde::Deserialize;

use super::{Check, CheckId, Input, Inputs};

/// An IAM OIDC provider, as `get-open-id-connect-provider` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Provider {
    /// The ARN, when known (the CLI's output does not carry it; the API caller does).
    #[serde(skip)]
    pub arn: Option<String>,
    /// The issuer without `https://`.
    #[serde(rename = "Url")]
    pub url: String,
    #[serde(rename = "ClientIDList", default)]
    pub client_ids: Vec<String>,
    #[serde(rename = "ThumbprintList", default)]
    pub thumbprints: Vec<String>,
}

impl Provider {
    /// Read the JSON of `aws iam get-open-id-connect-provider`.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        let mut provider: Provider = serde_json::from_str(text)?;
        // IAM answers the URL without a scheme; a pasted `https://` prefix means the same provider.
        if let Some(rest) = provider.url.strip_prefix("https://") {
            provider.url = rest.to_owned();
        }
        Ok(provider)
    }
}

pub fn checks(inputs: &Inputs) -> Vec<Check> {
    vec![exists(inputs), client_id(inputs)]
}

fn enable_fix(inputs: &Inputs) -> String {
    match inputs.valid_issuer() {
        Some(issuer) => format!("kubectl awsoidc enable   # creates the IAM OIDC provider for {issuer}"),
        None => "kubectl awsoidc enable".to_owned(),
    }
}

fn exists(inputs: &Inputs) -> Check {
    let id = CheckId::ProviderExists;
    let issuer = inputs.valid_issuer();
    match (&inputs.provider, &issuer) {
        (Input::Given(Some(provider)), Some(issuer)) if provider.url == issuer.provider_url() => Check::pass(
            id,
            format!(
                "IAM has the provider {}",
                provider.arn.as_deref().unwrap_or(&provider.url)
            ),
        ),
        (Input::Given(Some(provider)), Some(issuer)) => Check::fail(
            id,
            format!(
                "IAM has no provider for {:?}; the closest one is for {:?}",
                issuer.provider_url(),
                provider.url
            ),
            enable_fix(inputs),
        ),
        (Input::Given(None), Some(issuer)) => Check::fail(
            id,
            format!("IAM has no OIDC provider for {:?}", issuer.provider_url()),
            enable_fix(inputs),
        ),
        (Input::Given(_), None) => Check::skip(id, "no valid issuer (see issuer.url)"),
        (other, _) => Check::skip(id, other.absence().unwrap_or_default()),
    }
}

fn client_id(inputs: &Inputs) -> Check {
    let id = CheckId::ProviderClientId;
    let provider = match &inputs.provider {
        Input::Given(Some(provider)) => provider,
        Input::Given(None) => return Check::skip(id, "IAM has no provider (see provider.exists)"),
        other => return Check::skip(id, other.absence().unwrap_or_default()),
    };
    // STS compares the token's aud with the client ids; without a token, the audience asked for.
    let audiences: Vec<String> = match inputs.token.given() {
        Some(token) if !token.jwt.claims.aud.is_empty() => token.jwt.claims.aud.clone(),
        _ => vec![inputs.audience.clone()],
    };
    if let Some(audience) = audiences
        .iter()
        .find(|audience| provider.client_ids.contains(audience))
    {
        return Check::pass(id, format!("the provider's client ids contain {audience:?}"));
    }
    let arn = provider
        .arn
        .clone()
        .unwrap_or_else(|| match inputs.valid_issuer() {
            Some(issuer) => issuer.provider_arn("ACCOUNT"),
            None => "PROVIDER_ARN".to_owned(),
        });
    let wanted = audiences
        .first()
        .cloned()
        .unwrap_or_else(|| inputs.audience.clone());
    Check::fail(
        id,
        format!(
            "the provider's client ids {:?} do not contain the token audience {audiences:?}",
            provider.client_ids
        ),
        format!(
            "aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn {arn} --client-id {wanted}"
        ),
    )
}

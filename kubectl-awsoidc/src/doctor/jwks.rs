//! Link 3, the JWKS: it answers without credentials, every key is usable by STS, a key
//! carries the token's `kid` and `alg`, and the token's signature verifies with it
//! (failure kind B). The key rules and the verification are `crate::discovery`'s.

use super::{Check, CheckId, Input, Inputs};
use crate::discovery::{self as content};

/// Where kube-apiserver's keys come from; rotating them is the administrator's step.
const KEYS_FIX: &str = "kube-apiserver --service-account-key-file=... --service-account-signing-key-file=... \
                        (every key in the JWKS needs a kid; kube-apiserver sets one on each)";

pub fn checks(inputs: &Inputs) -> Vec<Check> {
    vec![
        super::discovery::reachable(CheckId::JwksReachable, jwks_url(inputs), &inputs.jwks_reach),
        keys(inputs),
        token_key_and_signature(inputs, CheckId::JwksTokenKey),
        token_key_and_signature(inputs, CheckId::JwksSignature),
    ]
}

/// The JWKS URL: the discovery document's `jwks_uri`, else kube-apiserver's path under the issuer.
fn jwks_url(inputs: &Inputs) -> Option<String> {
    inputs
        .discovery
        .given()
        .map(|document| document.jwks_uri.clone())
        .or_else(|| {
            let issuer = inputs.valid_issuer()?;
            Some(format!(
                "{}{}",
                issuer.url().trim_end_matches('/'),
                crate::probe::JWKS_PATH
            ))
        })
}

/// A token signed with the issuer's current key; if that one fails too, the JWKS lacks
/// the signing key's public half.
fn fresh_token_fix(inputs: &Inputs) -> String {
    let (namespace, name) = inputs
        .subject_account()
        .unwrap_or_else(|| ("NAMESPACE".into(), "SERVICEACCOUNT".into()));
    format!(
        "kubectl create token {name} -n {namespace} --audience {}   # if a fresh token fails too, add the \
         signing key's public key to kube-apiserver --service-account-key-file",
        inputs.audience
    )
}

fn keys(inputs: &Inputs) -> Check {
    let id = CheckId::JwksKeys;
    match &inputs.jwks {
        Input::Given(jwks) => Check::from_findings(
            id,
            &content::check_keys(jwks),
            format!("{} key(s), each with a kid, for signatures", jwks.keys.len()),
            KEYS_FIX,
        ),
        Input::Broken(why) => Check::fail(id, why.clone(), KEYS_FIX),
        Input::Missing(why) => Check::skip(id, why.clone()),
    }
}

/// `jwks.token-key` (the key exists) or `jwks.signature` (it verifies the token).
fn token_key_and_signature(inputs: &Inputs, id: CheckId) -> Check {
    let (Some(jwks), Some(token)) = (inputs.jwks.given(), inputs.token.given()) else {
        let why = inputs
            .jwks
            .absence()
            .or(inputs.token.absence())
            .unwrap_or_default();
        return Check::skip(id, why);
    };
    let header = &token.jwt.header;
    let key = match content::key_for_token(jwks, header.alg.as_deref(), header.kid.as_deref()) {
        Ok(key) => key,
        Err(finding) if id == CheckId::JwksTokenKey => {
            return Check::fail(id, finding.message, fresh_token_fix(inputs));
        }
        Err(_) => return Check::skip(id, "no key for the token (see jwks.token-key)"),
    };
    let kid = key.kid.as_deref().unwrap_or_default();
    let alg = header.alg.as_deref().unwrap_or_default();
    if id == CheckId::JwksTokenKey {
        return Check::pass(id, format!("key {kid:?} ({alg}) is in the JWKS"));
    }
    match content::verify_signature(token.raw.expose(), alg, key) {
        Ok(()) => Check::pass(
            id,
            format!("the token's {alg} signature verifies with key {kid:?}"),
        ),
        Err(err) => Check::fail(
            id,
            format!("{err}: the token was not signed by this issuer's key"),
            fresh_token_fix(inputs),
        ),
    }
}

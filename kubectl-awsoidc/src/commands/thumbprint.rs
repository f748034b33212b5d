//! `thumbprint [URL]`: the thumbprint IAM needs for an issuer, the chain it comes
//! from, and what that chain's shape means for renewals. Also the chain inspection
//! `enable` and `provider sync` share.

use anyhow::{Context as _, Result};
use serde::Serialize;

use crate::cli::{OutputFormat, ThumbprintArgs};
use crate::context::Context;
use crate::exit::{Code, usage};
use crate::issuer::{Issuer, fetch_cluster_issuer};
use crate::tls::{self, CertificateSummary, ThumbprintChoice};

/// One host's presented chain and the thumbprint chosen from it.
#[derive(Debug, Clone, Serialize)]
pub struct HostChain {
    pub host: String,
    pub port: u16,
    pub chain: Vec<CertificateSummary>,
    pub choice: ThumbprintChoice,
}

/// Read the chains of the issuer's host and, when it differs, of the JWKS host
/// (IAM fetches both, and each must match a registered thumbprint).
pub fn inspect(issuer: &Issuer, jwks_uri: Option<&str>) -> Result<Vec<HostChain>> {
    let mut hosts = vec![(issuer.host().to_owned(), issuer.port())];
    if let Some(jwks) = jwks_uri.and_then(|uri| Issuer::parse(uri).ok())
        && (jwks.host(), jwks.port()) != (issuer.host(), issuer.port())
    {
        hosts.push((jwks.host().to_owned(), jwks.port()));
    }
    hosts
        .into_iter()
        .map(|(host, port)| {
            let ders = tls::presented_chain(&host, port, tls::default_timeout())?;
            let chain = tls::summarise(&ders).map_err(|reason| anyhow::anyhow!("{host}:{port}: {reason}"))?;
            let choice = tls::choose_thumbprint(&chain).context("no certificate presented")?;
            Ok(HostChain {
                host,
                port,
                chain,
                choice,
            })
        })
        .collect()
}

/// The issuer's `jwks_uri`: from an anonymous GET when that works, else (for the
/// cluster's own issuer) from the authenticated discovery document.
pub async fn jwks_uri(context: &Context, issuer: &Issuer, ca_der: &[Vec<u8>]) -> Option<String> {
    let (url, ca) = (issuer.discovery_url(), ca_der.to_vec());
    let anonymous =
        tokio::task::spawn_blocking(move || crate::probe::get_anonymously(&url, &ca, tls::default_timeout()))
            .await;
    let body = match anonymous {
        Ok(crate::probe::ProbeOutcome::Status { code: 200, body }) => body,
        _ => authenticated_discovery(context).await?,
    };
    let document: serde_json::Value = serde_json::from_str(&body).ok()?;
    document["jwks_uri"].as_str().map(str::to_owned)
}

async fn authenticated_discovery(context: &Context) -> Option<String> {
    let cluster = context.cluster().await.ok()?;
    let request = http::Request::get("/.well-known/openid-configuration")
        .body(Vec::new())
        .ok()?;
    cluster.client.request_text(request).await.ok()
}

/// Print one host's chain for people.
pub fn describe(host: &HostChain) -> String {
    let mut text = format!(
        "{}:{} presents {} certificate(s):\n",
        host.host,
        host.port,
        host.chain.len()
    );
    for (index, certificate) in host.chain.iter().enumerate() {
        text.push_str(&format!(
            "  [{index}] subject: {}\n      issuer:  {}\n      expires: {}{}\n      sha1:    {}\n",
            certificate.subject,
            certificate.issuer,
            certificate.not_after,
            if certificate.is_ca { " (CA)" } else { "" },
            certificate.thumbprint
        ));
    }
    text.push_str(&format!(
        "thumbprint: {}\n  {}\n",
        host.choice.thumbprint, host.choice.explanation
    ));
    text
}

pub async fn run(context: &Context, args: &ThumbprintArgs) -> Result<Code> {
    let (issuer, ca) = match &args.url {
        Some(url) => (
            Issuer::parse(url).map_err(|err| usage(format!("URL: {err}")))?,
            Vec::new(),
        ),
        None => {
            let cluster = context.cluster().await?;
            (
                fetch_cluster_issuer(&cluster.client).await?,
                cluster.config.root_cert.clone().unwrap_or_default(),
            )
        }
    };
    let jwks = jwks_uri(context, &issuer, &ca).await;
    let issuer_for_inspect = issuer.clone();
    let jwks_for_inspect = jwks.clone();
    let hosts =
        tokio::task::spawn_blocking(move || inspect(&issuer_for_inspect, jwks_for_inspect.as_deref()))
            .await
            .context("the chain inspection failed")??;
    match context.global.output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&hosts)?),
        OutputFormat::Yaml => print!("{}", serde_yaml::to_string(&hosts)?),
        OutputFormat::Text => {
            println!("issuer: {issuer}");
            for host in &hosts {
                print!("{}", describe(host));
            }
            if hosts.len() > 1 {
                println!(
                    "the JWKS is served from another host than the issuer: register both thumbprints ({})",
                    hosts
                        .iter()
                        .map(|host| host.choice.thumbprint.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
    }
    Ok(Code::Success)
}

//! `inject [-f FILE|-]`: a filter from manifests to injected manifests. Reads the whole
//! input, injects it with `inject`'s pure transform and prints it only when every
//! document succeeded, so a failure never leaves half a stream on stdout. Notes about
//! what was left alone go to stderr. Without `--role-arn`, each ServiceAccount's
//! `bind` annotations (role, audience, token lifetime) are read from the cluster. The
//! role ARN (flag or annotation), `--region` and `-n` are checked before anything is
//! written, because they end up in manifests and in a `credential_process` command line.

use std::collections::BTreeMap;
use std::io::Read as _;

use anyhow::{Context as _, Result};
use awsoidc_credential_process::contract::DEFAULT_AUDIENCE;
use awsoidc_credential_process::secret::echo_input;

use crate::cli::{InjectArgs, InjectMode};
use crate::context::Context;
use crate::exit::{Code, usage};
use crate::inject::{self, Binding, Mode, Options, PodTemplate};
use crate::role::RoleRef;
use crate::serviceaccount::{
    self, AUDIENCE_ANNOTATION, NameKind, ROLE_ARN_ANNOTATION, TOKEN_EXPIRATION_ANNOTATION,
};

pub async fn run(context: &Context, args: &InjectArgs) -> Result<Code> {
    if let Some(seconds) = args.token_expiration {
        inject::check_token_expiration(seconds).map_err(|err| usage(err.to_string()))?;
    }
    if let Some(role_arn) = &args.role_arn {
        RoleRef::require_arn("--role-arn", role_arn).map_err(|err| usage(err.to_string()))?;
    }
    if let Some(namespace) = &context.global.namespace {
        serviceaccount::check_name(NameKind::Namespace, "-n/--namespace", namespace)
            .map_err(|err| usage(err.to_string()))?;
    }
    let input = read_input(&args.filename)?;
    let source = if args.filename == "-" {
        "stdin"
    } else {
        &echo_input(&args.filename)
    };
    let documents = inject::parse_stream(&input).map_err(|err| usage(format!("{source}: {err}")))?;
    let templates = inject::pod_templates(&documents).map_err(|err| usage(format!("{source}: {err}")))?;
    let options = Options {
        mode: match args.mode {
            InjectMode::Native => Mode::Native,
            InjectMode::Process => Mode::Process,
        },
        audience: args
            .audience
            .clone()
            .unwrap_or_else(|| DEFAULT_AUDIENCE.to_owned()),
        expiration_seconds: args.token_expiration.unwrap_or(inject::DEFAULT_TOKEN_EXPIRATION),
        region: context.global.region.clone(),
        skip_containers: args.skip_containers.clone(),
    };
    let annotated = match &args.role_arn {
        Some(_) => BTreeMap::new(),
        None => annotated_bindings(context, args, &templates).await?,
    };
    let binding = |template: &PodTemplate| match &args.role_arn {
        Some(role_arn) => Some(Binding::from(role_arn.clone())),
        None => annotated
            .get(&(template.namespace.clone(), template.service_account.clone()))
            .cloned(),
    };
    let injected =
        inject::inject(&documents, &options, &binding).map_err(|err| usage(format!("{source}: {err}")))?;
    let (output, render_notes) = inject::render(&injected.documents)?;
    for note in injected.notes.iter().chain(&render_notes) {
        eprintln!("note: {note}");
    }
    print!("{output}");
    Ok(Code::Success)
}

fn read_input(filename: &str) -> Result<String> {
    if filename == "-" {
        let mut input = String::new();
        std::io::stdin()
            .read_to_string(&mut input)
            .context("failed to read the manifests from stdin")?;
        return Ok(input);
    }
    std::fs::read_to_string(filename)
        .with_context(|| format!("failed to read the manifest file {}", echo_input(filename)))
}

/// What the templates' ServiceAccounts are bound to, from their annotations (the
/// audience and lifetime only where no flag gives them), when a cluster is reachable;
/// an unreachable cluster is reported once and yields none. An annotated role that is
/// not a role ARN is a usage error: it would be written into the manifests as it is.
async fn annotated_bindings(
    context: &Context,
    args: &InjectArgs,
    templates: &[PodTemplate],
) -> Result<BTreeMap<(Option<String>, String), Binding>> {
    let mut bindings = BTreeMap::new();
    let cluster = match context.cluster().await {
        Ok(cluster) => cluster,
        Err(err) => {
            eprintln!("note: no cluster to read ServiceAccount annotations from ({err:#}); pass --role-arn");
            return Ok(bindings);
        }
    };
    let default_namespace = context.namespace().await.unwrap_or_else(|_| "default".to_owned());
    for template in templates {
        let key = (template.namespace.clone(), template.service_account.clone());
        if bindings.contains_key(&key) {
            continue;
        }
        let namespace = template.namespace.as_deref().unwrap_or(&default_namespace);
        let account = match serviceaccount::get(&cluster.client, namespace, &template.service_account).await {
            Ok(Some(account)) => account,
            Ok(None) => continue,
            Err(err) => {
                eprintln!("note: {err}");
                continue;
            }
        };
        let annotations = serviceaccount::annotations_of(&account);
        let Some(role_arn) = annotations.get(ROLE_ARN_ANNOTATION) else {
            continue;
        };
        let source = format!(
            "serviceaccount {namespace}/{}: annotation {ROLE_ARN_ANNOTATION}",
            template.service_account
        );
        RoleRef::require_arn(&source, role_arn).map_err(|err| {
            usage(format!(
                "{err}; fix it with kubectl awsoidc bind {} ROLE -n {namespace}, or pass --role-arn",
                template.service_account
            ))
        })?;
        let expiration_seconds = match annotations.get(TOKEN_EXPIRATION_ANNOTATION) {
            Some(text) if args.token_expiration.is_none() => {
                match text
                    .parse()
                    .ok()
                    .filter(|seconds| inject::check_token_expiration(*seconds).is_ok())
                {
                    Some(seconds) => Some(seconds),
                    None => {
                        eprintln!(
                            "note: serviceaccount {namespace}/{}: ignoring {TOKEN_EXPIRATION_ANNOTATION}={text:?} \
                             (not a lifetime in 600..86400 other than 3607)",
                            template.service_account
                        );
                        None
                    }
                }
            }
            _ => None,
        };
        let audience = annotations
            .get(AUDIENCE_ANNOTATION)
            .filter(|_| args.audience.is_none())
            .cloned();
        bindings.insert(
            key,
            Binding {
                role_arn: role_arn.clone(),
                audience,
                expiration_seconds,
            },
        );
    }
    Ok(bindings)
}

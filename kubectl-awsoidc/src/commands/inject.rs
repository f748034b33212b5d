//! `inject [-f FILE|-]`: a filter from manifests to injected manifests. Reads the whole
//! input, injects it with `inject`'s pure transform and prints it only when every
//! document succeeded, so a failure never leaves half a stream on stdout. Notes about
//! what was left alone go to stderr.

use std::collections::BTreeMap;
use std::io::Read as _;

use anyhow::{Context as _, Result};

use crate::cli::{InjectArgs, InjectMode};
use crate::context::Context;
use crate::exit::{Code, usage};
use crate::inject::{self, Mode, Options, PodTemplate};
use crate::serviceaccount::{self, ROLE_ARN_ANNOTATION};

pub async fn run(context: &Context, args: &InjectArgs) -> Result<Code> {
    inject::check_token_expiration(args.token_expiration).map_err(|err| usage(err.to_string()))?;
    let input = read_input(&args.filename)?;
    let source = if args.filename == "-" {
        "stdin"
    } else {
        args.filename.as_str()
    };
    let documents = inject::parse_stream(&input).map_err(|err| usage(format!("{source}: {err}")))?;
    let templates = inject::pod_templates(&documents).map_err(|err| usage(format!("{source}: {err}")))?;
    let options = Options {
        mode: match args.mode {
            InjectMode::Native => Mode::Native,
            InjectMode::Process => Mode::Process,
        },
        audience: args.audience.clone(),
        expiration_seconds: args.token_expiration,
        region: context.global.region.clone(),
        skip_containers: args.skip_containers.clone(),
    };
    let annotated = match &args.role_arn {
        Some(_) => BTreeMap::new(),
        None => annotated_roles(context, &templates).await,
    };
    let role_arn = |template: &PodTemplate| {
        args.role_arn.clone().or_else(|| {
            annotated
                .get(&(template.namespace.clone(), template.service_account.clone()))
                .cloned()
        })
    };
    let injected =
        inject::inject(&documents, &options, &role_arn).map_err(|err| usage(format!("{source}: {err}")))?;
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
    std::fs::read_to_string(filename).with_context(|| format!("failed to read the manifest file {filename}"))
}

/// The role ARNs annotated on the ServiceAccounts the templates run as, when a cluster
/// is reachable; an unreachable cluster is reported once and yields none.
async fn annotated_roles(
    context: &Context,
    templates: &[PodTemplate],
) -> BTreeMap<(Option<String>, String), String> {
    let mut roles = BTreeMap::new();
    let cluster = match context.cluster().await {
        Ok(cluster) => cluster,
        Err(err) => {
            eprintln!("note: no cluster to read ServiceAccount annotations from ({err:#}); pass --role-arn");
            return roles;
        }
    };
    let default_namespace = context.namespace().await.unwrap_or_else(|_| "default".to_owned());
    for template in templates {
        let key = (template.namespace.clone(), template.service_account.clone());
        if roles.contains_key(&key) {
            continue;
        }
        let namespace = template.namespace.as_deref().unwrap_or(&default_namespace);
        match serviceaccount::get(&cluster.client, namespace, &template.service_account).await {
            Ok(Some(account)) => {
                if let Some(arn) = serviceaccount::annotations_of(&account).get(ROLE_ARN_ANNOTATION) {
                    roles.insert(key, arn.clone());
                }
            }
            Ok(None) => {}
            Err(err) => eprintln!("note: {err}"),
        }
    }
    roles
}

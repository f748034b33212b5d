//! The resolved context commands run in: the kube client for the cluster, the garden
//! client for its Shoot, and the AWS configuration, each built on first use from the
//! parsed global flags so a command that needs no cluster (`inject -f`, `thumbprint
//! URL`) never reads a kubeconfig.
//!
//! | variable                         | read by         | meaning                         |
//! |----------------------------------|-----------------|---------------------------------|
//! | `KUBECONFIG`                     | kube            | kubeconfig path when no flag    |
//! | `AWS_PROFILE`                    | aws-config      | profile when no `--profile`     |
//! | `AWS_REGION`, `AWS_DEFAULT_REGION` | aws-config    | region when no `--region`       |
//! | `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_IAM`, `AWS_ENDPOINT_URL_STS` | aws-config | endpoints |

use anyhow::{Context as _, Result};
use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig, meta::region::RegionProviderChain};
use kube::config::{KubeConfigOptions, Kubeconfig};
use tokio::sync::OnceCell;

use crate::cli::{GardenArgs, GlobalArgs};

/// IAM is a global service; requests are signed for this region when none is configured.
const FALLBACK_REGION: &str = "us-east-1";

/// A connection to one cluster: its client and the configuration it came from (the
/// configuration carries the server URL and CA that unauthenticated probes need).
#[derive(Clone)]
pub struct Cluster {
    pub client: kube::Client,
    pub config: kube::Config,
}

/// Everything a command may need, resolved lazily.
pub struct Context {
    pub global: GlobalArgs,
    cluster: OnceCell<Cluster>,
    aws: OnceCell<SdkConfig>,
}

impl Context {
    pub fn new(global: GlobalArgs) -> Self {
        Self {
            global,
            cluster: OnceCell::new(),
            aws: OnceCell::new(),
        }
    }

    /// The cluster named by `--kubeconfig`/`--context` (or `KUBECONFIG` and its current context).
    pub async fn cluster(&self) -> Result<&Cluster> {
        self.cluster
            .get_or_try_init(|| async {
                let cluster = connect(
                    self.global.kubeconfig.as_deref(),
                    self.global.context.as_deref(),
                    "cluster",
                )
                .await?;
                if self.global.verbose > 0 {
                    eprintln!(
                        "cluster: {} (context {})",
                        cluster.config.cluster_url,
                        self.global.context.as_deref().unwrap_or("current")
                    );
                }
                anyhow::Ok(cluster)
            })
            .await
    }

    /// The namespace from `-n`, else the context's namespace, else "default".
    pub async fn namespace(&self) -> Result<String> {
        if let Some(namespace) = &self.global.namespace {
            return Ok(namespace.clone());
        }
        Ok(self.cluster().await?.config.default_namespace.clone())
    }

    /// The garden cluster holding this shoot's Shoot resource, when garden access is given.
    pub async fn garden(&self, garden: &GardenArgs) -> Result<Option<Cluster>> {
        if garden.garden_kubeconfig.is_none() && garden.garden_context.is_none() {
            return Ok(None);
        }
        let kubeconfig = garden
            .garden_kubeconfig
            .as_deref()
            .or(self.global.kubeconfig.as_deref());
        connect(kubeconfig, garden.garden_context.as_deref(), "garden cluster")
            .await
            .map(Some)
    }

    /// The AWS configuration from `--profile`, `--region` and the AWS CLI's environment.
    pub async fn aws(&self) -> &SdkConfig {
        self.aws
            .get_or_init(|| async {
                let region = RegionProviderChain::first_try(self.global.region.clone().map(Region::new))
                    .or_default_provider()
                    .or_else(Region::from_static(FALLBACK_REGION));
                // Bounded calls: an endpoint that accepts but never answers must not hang a command.
                let timeouts = TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(20))
                    .operation_timeout(Duration::from_secs(60))
                    .build();
                let mut loader = aws_config::defaults(BehaviorVersion::latest())
                    .region(region)
                    .timeout_config(timeouts);
                if let Some(profile) = &self.global.profile {
                    loader = loader.profile_name(profile);
                }
                let config = loader.load().await;
                if self.global.verbose > 0 {
                    eprintln!(
                        "aws: region {}, profile {}, endpoint {}",
                        config.region().map_or("-", |region| region.as_ref()),
                        self.global
                            .profile
                            .as_deref()
                            .or(std::env::var("AWS_PROFILE").ok().as_deref())
                            .unwrap_or("default"),
                        config.endpoint_url().unwrap_or("AWS")
                    );
                }
                config
            })
            .await
    }

    /// True when the command must not write.
    pub fn dry_run(&self) -> bool {
        self.global.dry_run.is_dry()
    }
}

async fn connect(kubeconfig: Option<&std::path::Path>, context: Option<&str>, what: &str) -> Result<Cluster> {
    let options = KubeConfigOptions {
        context: context.map(str::to_owned),
        ..Default::default()
    };
    let config = match kubeconfig {
        Some(path) => {
            let file = Kubeconfig::read_from(path).with_context(|| {
                format!("failed to read the kubeconfig {} for the {what}", path.display())
            })?;
            kube::Config::from_custom_kubeconfig(file, &options).await
        }
        None => kube::Config::from_kubeconfig(&options).await,
    }
    .with_context(|| {
        format!("failed to load the kubeconfig for the {what} (check --kubeconfig / --context)")
    })?;
    let client = kube::Client::try_from(config.clone()).with_context(|| {
        format!(
            "failed to build a client for the {what} at {}",
            config.cluster_url
        )
    })?;
    Ok(Cluster { client, config })
}

/// The AWS endpoint override when it points at a stand-in rather than AWS itself.
pub fn stand_in_endpoint(env: impl Fn(&str) -> Option<String>) -> Option<String> {
    ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL"]
        .into_iter()
        .find_map(|name| env(name).filter(|value| !value.trim().is_empty()))
        .filter(|url| {
            let host = url
                .split("://")
                .nth(1)
                .unwrap_or(url)
                .split(['/', ':'])
                .next()
                .unwrap_or_default();
            !(host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn"))
        })
}

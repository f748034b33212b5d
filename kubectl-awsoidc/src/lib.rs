//! The `kubectl awsoidc` plugin as a library: one module per link of the trust chain,
//! pure cores over parsed inputs, with the cluster (`kube`) and AWS at the edges.
//!
//! | link                       | module           |
//! |----------------------------|------------------|
//! | command line               | `cli`            |
//! | kubeconfig, garden, AWS    | `context`        |
//! | plans of writes, dry-run   | `plan`           |
//! | issuer identity rules      | `issuer`         |
//! | discovery document, JWKS   | `discovery`      |
//! | chain diagnosis            | `doctor`         |
//! | role trust policies        | `trust`          |
//! | manifest injection         | `inject`         |
//! | ServiceAccount annotations | `serviceaccount` |
//! | IAM roles                  | `role`           |
//! | commands                   | `commands`       |
//! | kubectl plugin completion  | `complete`       |

pub mod cli;
pub mod commands;
pub mod complete;
pub mod context;
pub mod discovery;
pub mod doctor;
pub mod exit;
pub mod gardener;
pub mod inject;
pub mod issuer;
pub mod plan;
pub mod probe;
pub mod progress;
pub mod provider;
pub mod rbac;
pub mod role;
pub mod serviceaccount;
pub mod tls;
pub mod trust;

//! The in-pod half of kubectl-awsoidc: everything the `awsoidc-credential-process`
//! binary needs, and the contracts the plugin shares with it (token claims, the
//! credential JSON, names both sides agree on, what STS errors mean). The plugin
//! depends on this crate with default features off; nothing here depends on the plugin.
//!
//! Always built: [`contract`], [`secret`], [`time`], [`token`], [`credentials`],
//! [`sts_error`]. With the `exchange` feature (default): the STS client, the cache and
//! the command line behind the binary.

pub mod contract;
pub mod credentials;
pub mod secret;
pub mod sts_error;
pub mod time;
pub mod token;

#[cfg(feature = "exchange")]
pub mod app;
#[cfg(feature = "exchange")]
pub mod cache;
#[cfg(feature = "exchange")]
pub mod cli;
#[cfg(feature = "exchange")]
pub mod environment;
#[cfg(feature = "exchange")]
pub mod exit;
#[cfg(feature = "exchange")]
pub mod log;
#[cfg(feature = "exchange")]
pub mod settings;
#[cfg(feature = "exchange")]
pub mod sts;
#[cfg(feature = "exchange")]
pub mod token_source;

#[cfg(test)]
mod test_support;

//! The in-pod half of kubectl-awsoidc: everything the `awsoidc-credential-process`
//! binary needs, and the contracts the plugin shares with it (token claims, the
//! credential JSON, names both sides agree on). The plugin depends on this crate with
//! default features off; nothing here depends on the plugin.

pub mod contract;

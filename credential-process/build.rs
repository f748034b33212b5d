//! Build script: hands the target triple to the helper's `--version` as
//! `AWSOIDC_BUILD_TARGET`, so an image's helper says which build it is
//! (`awsoidc-credential-process 0.1.0 (x86_64-unknown-linux-musl)`).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // Cargo always sets TARGET for build scripts.
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=AWSOIDC_BUILD_TARGET={target}");
}

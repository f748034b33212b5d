//! `make bench-enable`: requests and wall time of a fresh `kubectl awsoidc enable` on a
//! Gardener shoot of the test bed and of a repeated one, counted at the servers (the
//! apiserver's audit log, moto's request log), with the repeat as a ratio to the
//! fresh run and both against a baseline measured in the same run: `kubectl get
//! --raw /.well-known/openid-configuration`, the cheapest round trip to the cluster.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use awsoidc_testbed::{ShootSpec, TestBed, checked, testbed};

/// Requests made by the plugin (kube-rs) — not the gardenlet stand-in (kubectl) or the
/// apiserver's own loopback client.
fn plugin_requests(bed: &TestBed) -> usize {
    bed.audit_events()
        .iter()
        .filter(|event| {
            let agent = event["userAgent"].as_str().unwrap_or_default();
            !agent.starts_with("kubectl/") && !agent.starts_with("kube-apiserver/")
        })
        .count()
}

struct Run {
    wall: Duration,
    kube: usize,
    aws: usize,
}

fn measure(bed: &TestBed, args: &[&str]) -> anyhow::Result<Run> {
    let (kube, aws) = (plugin_requests(bed), bed.moto_requests());
    let started = Instant::now();
    checked("kubectl awsoidc enable", bed.plugin().args(args).output()?)?;
    let wall = started.elapsed();
    // The audit log is written asynchronously; give it a moment.
    std::thread::sleep(Duration::from_millis(500));
    Ok(Run {
        wall,
        kube: plugin_requests(bed) - kube,
        aws: bed.moto_requests() - aws,
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench-enable: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let bed = testbed();
    bed.reset()?;
    bed.make_shoot(&ShootSpec::new("bench", "bench", "1.34.4"))?;
    let kubeconfig = bed.kubeconfig().display().to_string();
    let args = [
        "enable",
        "--garden-kubeconfig",
        kubeconfig.as_str(),
        "--wait",
        "180s",
    ];

    let baseline_started = Instant::now();
    const BASELINE_RUNS: u32 = 5;
    for _ in 0..BASELINE_RUNS {
        bed.kubectl_ok(&["get", "--raw", "/.well-known/openid-configuration"], None)?;
    }
    let baseline = baseline_started.elapsed() / BASELINE_RUNS;

    let fresh = measure(bed, &args)?;
    let repeat = measure(bed, &args)?;
    println!(
        "baseline  kubectl get --raw discovery: {:>8.3}s",
        baseline.as_secs_f64()
    );
    for (name, run) in [("fresh", &fresh), ("repeat", &repeat)] {
        println!(
            "{name:<7}   enable: {:>8.3}s  ({:>6.1}x baseline)  apiserver requests: {:>3}  AWS requests: {:>3}",
            run.wall.as_secs_f64(),
            run.wall.as_secs_f64() / baseline.as_secs_f64(),
            run.kube,
            run.aws
        );
    }
    println!(
        "repeat / fresh: wall {:.2}x, apiserver requests {:.2}x, AWS requests {:.2}x",
        repeat.wall.as_secs_f64() / fresh.wall.as_secs_f64(),
        repeat.kube as f64 / fresh.kube.max(1) as f64,
        repeat.aws as f64 / fresh.aws.max(1) as f64
    );
    bed.reset()?;
    Ok(())
}

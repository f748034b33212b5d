//! The seed tutorial, end to end, as one test with no manual step (the flow is
//! `awsoidc_testbed::seed`, which `make demo` narrates): enable on a Gardener shoot
//! stand-in, bind, inject, the kubelet's token, the helper, and the real AWS CLI reading
//! the parameter from moto. Run with `-- --nocapture` to read the narration.

use awsoidc_testbed::seed::{self, Narrator, PARAMETER_VALUE, ROLE};
use awsoidc_testbed::{MOTO_ACCOUNT, testbed};

struct Printed;

impl Narrator for Printed {
    fn step(&mut self, title: &str) {
        println!("\n==> {title}");
    }

    fn show(&mut self, text: &str) {
        print!("{text}");
    }
}

#[test]
fn seed_tutorial_from_enable_to_aws_ssm_get_parameter() {
    let bed = testbed();
    let _guard = bed.lock();
    let outcome = seed::run(bed, &mut Printed);
    bed.reset().expect("reset the bed");
    let outcome = outcome.unwrap();
    assert!(
        outcome
            .identity_arn
            .starts_with(&format!("arn:aws:sts::{MOTO_ACCOUNT}:assumed-role/{ROLE}/")),
        "{}",
        outcome.identity_arn
    );
    assert_eq!(outcome.parameter_value, PARAMETER_VALUE);
    for web_identity in ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"] {
        assert!(
            !outcome.environment.iter().any(|name| name == web_identity),
            "{:?}",
            outcome.environment
        );
    }
    assert!(outcome.environment.iter().any(|name| name == "AWS_CONFIG_FILE"));
    assert_eq!(
        outcome.trusted_by,
        Some(0),
        "IAM would let the pod's token assume the role"
    );
}

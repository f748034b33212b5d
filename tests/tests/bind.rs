//! End to end for `bind`, `unbind` and `inject` on the real bed: the plugin binary
//! against the real kube-apiserver and moto's IAM. moto stores trust policies without
//! judging them, so every trust policy read back is judged with the plugin's own
//! IAM-like evaluation (`trust::evaluate`) — the same one `doctor` uses.
//!
//! Needs the debug plugin built next to the test binary:
//! `cargo build --workspace && cargo test -p awsoidc-testbed --test bind`.

use std::process::Output;

use awsoidc_testbed::{MOTO_ACCOUNT, TestBed, checked, run, testbed};
use kubectl_awsoidc::issuer::Issuer;
use kubectl_awsoidc::trust::{self, PolicyDocument};
use serde_json::{Value, json};

const AUDIENCE: &str = "sts.amazonaws.com";
const SSM_READ_ONLY: &str = "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess";

fn plugin(bed: &TestBed, args: &[&str], stdin: Option<&str>) -> Output {
    run(bed.plugin().args(args), stdin).expect("run the plugin")
}

fn plugin_ok(bed: &TestBed, args: &[&str]) -> String {
    checked(
        &format!("kubectl awsoidc {}", args.join(" ")),
        plugin(bed, args, None),
    )
    .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A clean bed with the cluster's issuer registered as an IAM OIDC provider (what
/// `enable` does) and the namespaces the test uses.
fn prepared(bed: &TestBed, namespaces: &[&str]) {
    bed.reset().expect("reset the bed");
    bed.aws_ok(&[
        "iam",
        "create-open-id-connect-provider",
        "--url",
        &bed.issuer(),
        "--client-id-list",
        AUDIENCE,
        "--thumbprint-list",
        &"0".repeat(40),
    ])
    .expect("create the OIDC provider");
    for namespace in namespaces {
        bed.kubectl(&["create", "namespace", namespace], None);
    }
}

fn issuer(bed: &TestBed) -> Issuer {
    Issuer::parse(&bed.issuer()).unwrap()
}

fn provider_arn(bed: &TestBed) -> String {
    issuer(bed).provider_arn(MOTO_ACCOUNT)
}

fn subject(namespace: &str, name: &str) -> String {
    format!("system:serviceaccount:{namespace}:{name}")
}

/// The role's trust policy as IAM (moto) stores it, or `None` when the role is missing.
fn trust_of(bed: &TestBed, role: &str) -> Option<PolicyDocument> {
    let output = bed.aws(&["iam", "get-role", "--role-name", role]);
    output
        .status
        .success()
        .then(|| PolicyDocument::parse(&String::from_utf8_lossy(&output.stdout)).unwrap())
}

fn allows(bed: &TestBed, policy: &PolicyDocument, sub: &str) -> bool {
    trust::evaluate(policy, &provider_arn(bed), &issuer(bed), sub, AUDIENCE).allowed
}

fn create_role(bed: &TestBed, role: &str, trust: &Value) {
    bed.aws_ok(&[
        "iam",
        "create-role",
        "--role-name",
        role,
        "--assume-role-policy-document",
        &trust.to_string(),
    ])
    .expect("create the role");
}

fn annotations(bed: &TestBed, namespace: &str, name: &str) -> Value {
    let text = bed
        .kubectl_ok(
            &["get", "serviceaccount", name, "-n", namespace, "-o", "json"],
            None,
        )
        .expect("read the ServiceAccount");
    serde_json::from_str::<Value>(&text).unwrap()["metadata"]["annotations"].clone()
}

fn attached_policies(bed: &TestBed, role: &str) -> Vec<String> {
    let text = bed
        .aws_ok(&["iam", "list-attached-role-policies", "--role-name", role])
        .expect("list the attached policies");
    serde_json::from_str::<Value>(&text).unwrap()["AttachedPolicies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|policy| policy["PolicyArn"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn bind_creates_role_policy_and_service_account_and_a_second_run_changes_nothing() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &["seed"]);
    let args = [
        "bind",
        "aws-parameter-reader",
        "KubernetesParameterStoreRole",
        "-n",
        "seed",
        "--create-role",
        "--policy-arn",
        SSM_READ_ONLY,
    ];

    let first = plugin_ok(bed, &args);
    assert!(
        first.contains("iam-role/KubernetesParameterStoreRole created"),
        "{first}"
    );
    assert!(
        first.contains("serviceaccount/aws-parameter-reader created"),
        "{first}"
    );
    let policy = trust_of(bed, "KubernetesParameterStoreRole").expect("the role exists");
    assert!(allows(bed, &policy, &subject("seed", "aws-parameter-reader")));
    assert!(!allows(bed, &policy, &subject("other", "aws-parameter-reader")));
    assert!(trust::too_wide(&policy, &provider_arn(bed), &issuer(bed)).is_empty());
    assert_eq!(
        attached_policies(bed, "KubernetesParameterStoreRole"),
        [SSM_READ_ONLY]
    );
    assert_eq!(
        annotations(bed, "seed", "aws-parameter-reader")["eks.amazonaws.com/role-arn"],
        format!("arn:aws:iam::{MOTO_ACCOUNT}:role/KubernetesParameterStoreRole")
    );

    let second = plugin_ok(bed, &args);
    assert!(
        second.ends_with("nothing to change: everything is already as wanted\n"),
        "{second}"
    );
    assert_eq!(trust_of(bed, "KubernetesParameterStoreRole"), Some(policy));
}

#[test]
fn dry_run_shows_the_service_account_and_the_trust_diff_and_writes_nothing() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &["dry"]);
    let out = plugin_ok(
        bed,
        &[
            "bind",
            "app",
            "DryRole",
            "-n",
            "dry",
            "--create-role",
            "--dry-run",
        ],
    );
    assert!(out.contains("iam-role/DryRole created (dry run)"), "{out}");
    assert!(
        out.contains(&format!(
            "+           \"{}\": \"{}\"",
            issuer(bed).condition_key("sub"),
            subject("dry", "app")
        )),
        "{out}"
    );
    assert!(out.contains("kind: ServiceAccount"), "{out}");
    assert!(
        out.contains("eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/DryRole"),
        "{out}"
    );
    assert_eq!(trust_of(bed, "DryRole"), None);
    assert!(
        !bed.kubectl(&["get", "serviceaccount", "app", "-n", "dry"], None)
            .status
            .success()
    );
}

#[test]
fn a_missing_role_without_create_role_is_a_clear_error_and_changes_nothing() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &["norole"]);
    let output = plugin(bed, &["bind", "app", "MissingRole", "-n", "norole"], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("pass --create-role"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty());
    assert!(
        !bed.kubectl(&["get", "serviceaccount", "app", "-n", "norole"], None)
            .status
            .success()
    );
}

// Input 1: the trust policy names a:b, the pod runs as c:d.
#[test]
fn binding_a_second_service_account_extends_the_subjects_and_keeps_the_first() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &["a", "c"]);
    plugin_ok(bed, &["bind", "b", "SharedRole", "-n", "a", "--create-role"]);
    let before = trust_of(bed, "SharedRole").unwrap();
    assert!(!allows(bed, &before, &subject("c", "d")));

    plugin_ok(bed, &["bind", "d", "SharedRole", "-n", "c"]);
    let after = trust_of(bed, "SharedRole").unwrap();
    assert!(allows(bed, &after, &subject("a", "b")));
    assert!(allows(bed, &after, &subject("c", "d")));
    assert_eq!(
        after.statements.len(),
        1,
        "the subject joins the existing statement"
    );

    plugin_ok(bed, &["unbind", "d", "-n", "c"]);
    let unbound = trust_of(bed, "SharedRole").unwrap();
    assert!(allows(bed, &unbound, &subject("a", "b")));
    assert!(!allows(bed, &unbound, &subject("c", "d")));
}

// Input 2: an unrelated EC2 statement survives bind and unbind.
#[test]
fn an_unrelated_ec2_statement_survives_bind_and_unbind() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &["ec2"]);
    let ec2 = json!({
        "Sid": "Ec2Instances",
        "Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole",
    });
    create_role(
        bed,
        "MixedRole",
        &json!({"Version": "2012-10-17", "Statement": [ec2]}),
    );
    let original = trust_of(bed, "MixedRole").unwrap();

    plugin_ok(bed, &["bind", "app", "MixedRole", "-n", "ec2"]);
    let bound = trust_of(bed, "MixedRole").unwrap();
    assert_eq!(bound.statements.len(), 2);
    assert_eq!(serde_json::to_value(&bound.statements[0]).unwrap(), ec2);
    assert!(allows(bed, &bound, &subject("ec2", "app")));

    let out = plugin_ok(bed, &["unbind", "app", "-n", "ec2", "--delete-role"]);
    assert!(
        out.contains("kept: its trust policy still has statements bind did not write"),
        "{out}"
    );
    assert_eq!(trust_of(bed, "MixedRole"), Some(original));
}

// Input 3: 40 ServiceAccounts on one role.
#[test]
fn the_quota_check_fires_before_aws_and_says_how_many_subjects_fit() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &["team-payments"]);
    let mut refused = None;
    for n in 1..=40 {
        let name = format!("payments-worker-{n:02}");
        let output = plugin(
            bed,
            &[
                "bind",
                &name,
                "PaymentsRole",
                "-n",
                "team-payments",
                "--create-role",
            ],
            None,
        );
        if !output.status.success() {
            assert_eq!(output.status.code(), Some(1));
            let stored = trust_of(bed, "PaymentsRole").unwrap();
            assert!(
                !allows(bed, &stored, &subject("team-payments", &name)),
                "nothing was written to IAM"
            );
            let sa = bed.kubectl(&["get", "serviceaccount", &name, "-n", "team-payments"], None);
            assert!(!sa.status.success(), "nothing was written to the cluster");
            refused = Some((n, stderr(&output)));
            break;
        }
    }
    let (n, message) = refused.expect("40 subjects exceed the default quota of 2048 characters");
    assert!(message.contains("over the IAM quota of 2048"), "{message}");
    assert!(
        message.contains(&format!("{} of its {n} subjects", n - 1)),
        "{message}"
    );
    let stored = trust_of(bed, "PaymentsRole").unwrap();
    assert!(stored.quota_length() <= 2048);
    assert!(allows(
        bed,
        &stored,
        &subject("team-payments", &format!("payments-worker-{:02}", n - 1))
    ));

    // A raised quota lets the same ServiceAccount in.
    let raised = format!("payments-worker-{n:02}");
    plugin_ok(
        bed,
        &[
            "bind",
            &raised,
            "PaymentsRole",
            "-n",
            "team-payments",
            "--trust-policy-quota",
            "4096",
        ],
    );
    assert!(allows(
        bed,
        &trust_of(bed, "PaymentsRole").unwrap(),
        &subject("team-payments", &raised)
    ));
}

#[test]
fn unbind_removes_only_what_bind_added() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &["keep"]);
    bed.kubectl_ok(&["create", "serviceaccount", "app", "-n", "keep"], None)
        .unwrap();
    bed.kubectl_ok(
        &["annotate", "serviceaccount", "app", "-n", "keep", "team=payments"],
        None,
    )
    .unwrap();
    bed.kubectl_ok(
        &["label", "serviceaccount", "app", "-n", "keep", "tier=backend"],
        None,
    )
    .unwrap();

    plugin_ok(
        bed,
        &[
            "bind",
            "app",
            "KeepRole",
            "-n",
            "keep",
            "--create-role",
            "--token-expiration",
            "3600",
        ],
    );
    let bound = annotations(bed, "keep", "app");
    assert_eq!(bound["team"], "payments");
    assert_eq!(bound["eks.amazonaws.com/token-expiration"], "3600");

    let out = plugin_ok(bed, &["unbind", "app", "-n", "keep"]);
    assert!(out.contains("serviceaccount/app configured"), "{out}");
    assert_eq!(annotations(bed, "keep", "app"), json!({"team": "payments"}));
    let labels = bed
        .kubectl_ok(
            &[
                "get",
                "serviceaccount",
                "app",
                "-n",
                "keep",
                "-o",
                "jsonpath={.metadata.labels.tier}",
            ],
            None,
        )
        .unwrap();
    assert_eq!(labels, "backend");
    let policy = trust_of(bed, "KeepRole").expect("the role stays without --delete-role");
    assert!(!allows(bed, &policy, &subject("keep", "app")));
    assert!(policy.trusts_nobody());

    let again = plugin_ok(bed, &["unbind", "app", "-n", "keep"]);
    assert!(
        again.ends_with("nothing to change: everything is already as wanted\n"),
        "{again}"
    );
    plugin_ok(
        bed,
        &[
            "unbind",
            "app",
            "-n",
            "keep",
            "--role",
            "KeepRole",
            "--delete-role",
        ],
    );
    assert_eq!(trust_of(bed, "KeepRole"), None);
}

#[test]
fn a_role_annotation_someone_else_set_is_not_overwritten() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &["foreign"]);
    bed.kubectl_ok(&["create", "serviceaccount", "app", "-n", "foreign"], None)
        .unwrap();
    let theirs = "eks.amazonaws.com/role-arn=arn:aws:iam::123456789012:role/Theirs";
    bed.kubectl_ok(
        &["annotate", "serviceaccount", "app", "-n", "foreign", theirs],
        None,
    )
    .unwrap();
    let output = plugin(
        bed,
        &["bind", "app", "MineRole", "-n", "foreign", "--create-role"],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("kubectl annotate serviceaccount app eks.amazonaws.com/role-arn-"));
    assert_eq!(trust_of(bed, "MineRole"), None, "refused before any AWS write");
    let unbind = plugin_ok(bed, &["unbind", "app", "-n", "foreign"]);
    assert!(unbind.contains("bind did not set its annotations"), "{unbind}");
    assert_eq!(
        annotations(bed, "foreign", "app")["eks.amazonaws.com/role-arn"],
        "arn:aws:iam::123456789012:role/Theirs"
    );
}

const DEPLOYMENT: &str = "\
# the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: amazon/aws-cli
";

#[test]
fn inject_reads_the_role_from_the_service_account_and_the_apiserver_accepts_the_result() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &["shop"]);
    plugin_ok(bed, &["bind", "web", "WebRole", "-n", "shop", "--create-role"]);

    let injected = checked("inject", plugin(bed, &["inject", "-f", "-"], Some(DEPLOYMENT))).unwrap();
    assert!(injected.starts_with("# the web tier\n"), "{injected}");
    assert!(
        injected.contains("value: arn:aws:iam::123456789012:role/WebRole"),
        "{injected}"
    );
    let again = checked(
        "inject twice",
        plugin(bed, &["inject", "-f", "-"], Some(&injected)),
    )
    .unwrap();
    assert_eq!(again, injected);

    bed.kubectl_ok(&["apply", "-f", "-"], Some(&injected))
        .expect("the apiserver accepts the injected Deployment");
    let stored = bed
        .kubectl_ok(&["get", "deployment", "web", "-n", "shop", "-o", "json"], None)
        .unwrap();
    let spec = &serde_json::from_str::<Value>(&stored).unwrap()["spec"]["template"]["spec"];
    assert_eq!(
        spec["volumes"][0]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"],
        86400
    );
    assert_eq!(spec["containers"][0]["volumeMounts"][0]["readOnly"], true);
}

#[test]
fn inject_refuses_bad_input_with_nothing_on_stdout() {
    let bed = testbed();
    let _guard = bed.lock();
    let role = "arn:aws:iam::123456789012:role/R";
    let bad_yaml = format!("{DEPLOYMENT}---\nkind: [unclosed\n");
    for (input, args, message) in [
        (bad_yaml.as_str(), vec![], "document 2"),
        (
            "kind: Service\nmetadata: {name: s}\n",
            vec![],
            "document 1 is a Service",
        ),
        (DEPLOYMENT, vec!["--token-expiration", "300"], "too short"),
        (DEPLOYMENT, vec!["--token-expiration", "3607"], "legacy token"),
    ] {
        let mut all = vec!["inject", "--role-arn", role];
        all.extend(args);
        let output = plugin(bed, &all, Some(input));
        assert_eq!(output.status.code(), Some(2), "{message}");
        assert!(output.stdout.is_empty(), "{message}");
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    }
}

#[test]
fn a_subject_pattern_uses_string_like_and_unbind_removes_just_that_pattern() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &["ci"]);
    let pattern = "system:serviceaccount:ci:runner-*";
    plugin_ok(
        bed,
        &["bind", "runner-1", "RunnersRole", "-n", "ci", "--create-role"],
    );
    plugin_ok(
        bed,
        &[
            "bind",
            "runner-2",
            "RunnersRole",
            "-n",
            "ci",
            "--subject-pattern",
            pattern,
        ],
    );
    let policy = trust_of(bed, "RunnersRole").unwrap();
    assert_eq!(
        policy.statements.len(),
        2,
        "a pattern gets its own StringLike statement"
    );
    assert!(allows(bed, &policy, &subject("ci", "runner-42")));
    assert!(!allows(bed, &policy, &subject("ci", "builder")));
    assert!(trust::too_wide(&policy, &provider_arn(bed), &issuer(bed)).is_empty());

    let wide = plugin(
        bed,
        &[
            "bind",
            "x",
            "RunnersRole",
            "-n",
            "ci",
            "--subject-pattern",
            "ci:*",
        ],
        None,
    );
    assert_eq!(wide.status.code(), Some(2), "a pattern must name ServiceAccounts");

    plugin_ok(
        bed,
        &["unbind", "runner-2", "-n", "ci", "--subject-pattern", pattern],
    );
    let after = trust_of(bed, "RunnersRole").unwrap();
    assert!(!allows(bed, &after, &subject("ci", "runner-42")));
    assert!(allows(bed, &after, &subject("ci", "runner-1")));
}

#[test]
fn inject_takes_the_audience_and_lifetime_bind_annotated() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &["shop"]);
    let bind = [
        "bind",
        "web",
        "WebRole",
        "-n",
        "shop",
        "--create-role",
        "--audience",
        "custom-aud",
    ];
    plugin_ok(bed, &[&bind[..], &["--token-expiration", "3600"]].concat());
    let policy = trust_of(bed, "WebRole").unwrap();
    let verdict = trust::evaluate(
        &policy,
        &provider_arn(bed),
        &issuer(bed),
        &subject("shop", "web"),
        "custom-aud",
    );
    assert!(verdict.allowed, "{:?}", verdict.findings);

    let injected = checked("inject", plugin(bed, &["inject", "-f", "-"], Some(DEPLOYMENT))).unwrap();
    assert!(injected.contains("audience: custom-aud\n"), "{injected}");
    assert!(injected.contains("expirationSeconds: 3600\n"), "{injected}");
    let flagged = plugin(
        bed,
        &["inject", "-f", "-", "--token-expiration", "7200"],
        Some(DEPLOYMENT),
    );
    assert!(
        checked("inject --token-expiration", flagged)
            .unwrap()
            .contains("expirationSeconds: 7200\n")
    );
}

/// What a token pasted in the wrong place looks like (three base64url parts).
fn pasted_token() -> String {
    format!(
        "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.{}.{}",
        "eyJzdWIiOiJ4In0".repeat(20),
        "c2ln".repeat(60)
    )
}

fn usage_error(output: &Output, needles: &[&str]) {
    let message = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        output.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    for needle in needles {
        assert!(message.contains(needle), "{needle:?} not in {message}");
    }
}

// Defect 1: bind found the subject trusted by a hand-made statement, added nothing, and
// unbind then replaced the whole trust policy with the Deny placeholder.
#[test]
fn unbind_leaves_a_hand_made_statement_bind_did_not_write() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &[]);
    let hand_made = json!({
        "Sid": "HandMade",
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn(bed)},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            issuer(bed).condition_key("sub"): subject("default", "app3"),
            issuer(bed).condition_key("aud"): AUDIENCE,
        }},
    });
    create_role(
        bed,
        "handrole",
        &json!({"Version": "2012-10-17", "Statement": [hand_made]}),
    );
    let original = trust_of(bed, "handrole").unwrap();

    let bound = plugin_ok(bed, &["bind", "app3", "handrole"]);
    assert!(bound.contains("iam-role/handrole unchanged"), "{bound}");
    assert!(
        annotations(bed, "default", "app3")
            .get("kubectl-awsoidc/added-trust")
            .is_none(),
        "bind added no trust, so it records none"
    );

    let out = plugin_ok(bed, &["unbind", "app3"]);
    assert!(
        out.contains("bind did not add system:serviceaccount:default:app3"),
        "{out}"
    );
    let after = trust_of(bed, "handrole").unwrap();
    assert_eq!(after, original);
    assert!(!after.trusts_nobody());
    assert!(
        annotations(bed, "default", "app3")
            .get("eks.amazonaws.com/role-arn")
            .is_none()
    );

    // What bind did add, unbind removes: a second ServiceAccount joins the hand-made statement.
    plugin_ok(bed, &["bind", "app4", "handrole"]);
    assert!(allows(
        bed,
        &trust_of(bed, "handrole").unwrap(),
        &subject("default", "app4")
    ));
    plugin_ok(bed, &["unbind", "app4"]);
    assert_eq!(trust_of(bed, "handrole"), Some(original));
}

// Defect 2: `unbind SA --role OTHER` dropped the annotation and left the real grant.
#[test]
fn unbind_refuses_a_role_other_than_the_annotated_one() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &[]);
    plugin_ok(bed, &["bind", "app2", "myrole", "--create-role"]);
    let bound = trust_of(bed, "myrole").unwrap();
    for extra in [&["--dry-run"][..], &[]] {
        let output = plugin(
            bed,
            &[&["unbind", "app2", "--role", "nosuchrole"][..], extra].concat(),
            None,
        );
        usage_error(
            &output,
            &[
                "\"nosuchrole\"",
                &format!("arn:aws:iam::{MOTO_ACCOUNT}:role/myrole"),
                "kubectl awsoidc unbind app2 -n default",
            ],
        );
    }
    assert_eq!(trust_of(bed, "myrole"), Some(bound));
    assert_eq!(
        annotations(bed, "default", "app2")["eks.amazonaws.com/role-arn"],
        format!("arn:aws:iam::{MOTO_ACCOUNT}:role/myrole")
    );
    plugin_ok(bed, &["unbind", "app2", "--role", "myrole"]);
    assert!(!allows(
        bed,
        &trust_of(bed, "myrole").unwrap(),
        &subject("default", "app2")
    ));
}

// Defects 3, 12 and 13: bad names and ARNs are usage errors before any call, and a
// pasted token is never echoed.
#[test]
fn bad_names_and_arns_are_one_line_usage_errors_that_never_echo_a_token() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &[]);
    let token = pasted_token();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["unbind", ""],
            "SERVICE_ACCOUNT \"\" is not a valid ServiceAccount name",
        ),
        (vec!["unbind", "Bad_SA"], "SERVICE_ACCOUNT \"Bad_SA\""),
        (vec!["doctor", "Bad_SA"], "SERVICE_ACCOUNT \"Bad_SA\""),
        (
            vec!["bind", "app", "r", "-n", "NoSuch_NS"],
            "-n/--namespace \"NoSuch_NS\"",
        ),
        (
            vec!["unbind", "app", "-n", "NoSuch_NS"],
            "-n/--namespace \"NoSuch_NS\"",
        ),
        (
            vec!["bind", "app", "r", "--policy-arn", "notanarn", "--dry-run"],
            "--policy-arn \"notanarn\" is not an IAM policy ARN",
        ),
        (vec!["bind", "app", &token], "<a JWT of"),
        (vec!["bind", &token, "myrole"], "<a JWT of"),
    ];
    for (args, expected) in cases {
        let output = plugin(bed, &args, None);
        usage_error(&output, &[expected]);
        assert!(!stderr(&output).contains(&token[..20]), "{}", stderr(&output));
    }
    assert_eq!(trust_of(bed, "r"), None);
}

// Defects 6 and 7: inject checks what it writes into manifests and refuses collisions.
#[test]
fn inject_refuses_bad_role_arns_regions_and_colliding_entries() {
    let bed = testbed();
    let _guard = bed.lock();
    prepared(bed, &["shop"]);
    let token = pasted_token();
    let pwn = "arn:aws:iam::123456789012:role/x; touch /tmp/pwn";
    for (args, expected) in [
        (vec!["--role-arn", ""], "--role-arn \"\" is not an IAM role ARN"),
        (vec!["--role-arn", "notarn"], "arn:PARTITION:iam::ACCOUNT12:role/"),
        (vec!["--role-arn", pwn], "is not an IAM role ARN"),
        (vec!["--role-arn", token.as_str()], "<a JWT of"),
        (
            vec![
                "--role-arn",
                "arn:aws:iam::123456789012:role/R",
                "--region",
                "'; rm -rf /",
            ],
            "is not an AWS region",
        ),
        (
            vec![
                "--role-arn",
                "arn:aws:iam::123456789012:role/R",
                "--region",
                "eu central",
            ],
            "like eu-central-1",
        ),
    ] {
        let output = plugin(bed, &[&["inject"][..], &args].concat(), Some(DEPLOYMENT));
        usage_error(&output, &[expected]);
    }

    // The bed keeps ServiceAccounts across tests: create it when missing, annotate over.
    bed.kubectl(&["create", "serviceaccount", "web", "-n", "shop"], None);
    bed.kubectl_ok(
        &[
            "annotate",
            "--overwrite",
            "serviceaccount",
            "web",
            "-n",
            "shop",
            "eks.amazonaws.com/role-arn=notarn; touch /tmp/pwn",
        ],
        None,
    )
    .unwrap();
    let output = plugin(bed, &["inject"], Some(DEPLOYMENT));
    usage_error(
        &output,
        &[
            "serviceaccount shop/web: annotation eks.amazonaws.com/role-arn",
            "is not an IAM role ARN",
        ],
    );

    let colliding = DEPLOYMENT.replace(
        "      containers:\n",
        "      volumes:\n      - name: aws-iam-token\n        emptyDir: {}\n      containers:\n",
    );
    let output = plugin(
        bed,
        &["inject", "--role-arn", "arn:aws:iam::123456789012:role/R"],
        Some(&colliding),
    );
    usage_error(
        &output,
        &[
            "document 1 (Deployment web)",
            ".spec.template.spec.volumes: volume aws-iam-token",
        ],
    );
}

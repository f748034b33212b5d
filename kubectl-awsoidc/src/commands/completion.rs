//! `completion bash|zsh|fish|powershell|kubectl`: the shell completion scripts for
//! `kubectl-awsoidc`, and kubectl's plugin completion for `kubectl awsoidc`.
//!
//! `completion kubectl` prints the `kubectl_complete-awsoidc` executable; kubectl
//! (>= 1.26) finds it on PATH and runs it on every TAB after `kubectl awsoidc`, and it
//! calls back `completion kubectl -- WORDS...`, answered here: `complete` decides what
//! the last word can be, and namespaces, ServiceAccounts and contexts are listed with
//! kubectl itself, so the user's kubeconfig, credentials plugins and flags apply.
//! Completion never fails loudly: an unreachable cluster offers nothing.
//!
//! | variable  | meaning                                                     |
//! |-----------|-------------------------------------------------------------|
//! | `PATH`    | where `kubectl` is found for the cluster lookups            |

use std::process::{Command, Stdio};

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionArgs, CompletionShell};
use crate::complete::{self, Directive, Lookup, Want};
use crate::exit::Code;

/// What `completion kubectl` prints: kubectl runs it with the typed words.
const KUBECTL_COMPLETION_SHIM: &str = r#"#!/bin/sh
# kubectl's plugin completion for `kubectl awsoidc` (kubectl >= 1.26). Put this file,
# executable, on PATH as kubectl_complete-awsoidc (beside kubectl-awsoidc, e.g. in
# ~/.krew/bin); kubectl runs it with the words typed after `kubectl awsoidc`.
exec kubectl-awsoidc completion kubectl -- "$@"
"#;

pub fn run(args: &CompletionArgs) -> Result<Code> {
    let shell = match args.shell {
        CompletionShell::Kubectl if args.words.is_empty() => {
            print!("{KUBECTL_COMPLETION_SHIM}");
            return Ok(Code::Success);
        }
        CompletionShell::Kubectl => {
            print!("{}", complete_words(&args.words));
            return Ok(Code::Success);
        }
        _ if !args.words.is_empty() => {
            return Err(crate::exit::usage(
                "words after `--` are for `completion kubectl` only: drop them",
            ));
        }
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
    };
    print!("{}", shell_script(shell));
    Ok(Code::Success)
}

/// The completion script for the `kubectl-awsoidc` executable.
fn shell_script(shell: Shell) -> String {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "kubectl-awsoidc", &mut script);
    let script = String::from_utf8_lossy(&script).into_owned();
    if shell == Shell::Bash {
        // clap_complete's bash script spells a hyphenated binary's subcommand states
        // two ways, so nothing after a subcommand completes (clap-rs/clap#6421): use
        // the spelling its dispatch loop sets.
        return script.replace("kubectl__subcmd__awsoidc__subcmd__", "kubectl__awsoidc__subcmd__");
    }
    script
}

/// kubectl's plugin completion answer for the typed words.
fn complete_words(words: &[String]) -> String {
    let request = complete::analyze(Cli::command(), words);
    let (candidates, directive) = match &request.want {
        Want::Candidates(candidates) => (candidates.clone(), Directive::NoFileCompletion),
        Want::Lookup(lookup) => (list_with_kubectl(*lookup, &request), Directive::NoFileCompletion),
        Want::Files => (Vec::new(), Directive::Files),
        Want::Nothing => (Vec::new(), Directive::NoFileCompletion),
    };
    complete::render(&request, &candidates, directive)
}

/// The names kubectl lists, or none when kubectl or the cluster is not there.
fn list_with_kubectl(lookup: Lookup, request: &complete::Request) -> Vec<complete::Candidate> {
    let output = Command::new("kubectl")
        .args(lookup.kubectl_args(&request.flags))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match output {
        Ok(output) if output.status.success() => lookup.names(&String::from_utf8_lossy(&output.stdout)),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bash_script_has_a_case_arm_for_every_state_its_loop_sets() {
        let script = shell_script(Shell::Bash);
        let states: Vec<&str> = script
            .lines()
            .filter_map(|line| line.trim().strip_prefix("cmd=\"")?.strip_suffix('"'))
            .filter(|state| !state.is_empty())
            .collect();
        assert!(states.contains(&"kubectl__awsoidc__subcmd__bind"), "{states:?}");
        for state in states {
            assert!(
                script.contains(&format!("\n        {state})\n")),
                "no case arm for {state}"
            );
        }
    }
}

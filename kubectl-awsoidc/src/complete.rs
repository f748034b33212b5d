//! Completion of a partly typed `kubectl awsoidc` command line for kubectl's plugin
//! completion (kubectl >= 1.26). kubectl runs `kubectl_complete-awsoidc WORDS...` with
//! the words after `kubectl awsoidc`, the last one being completed ('' for a new word),
//! and reads cobra's `__complete` format: one `candidate<TAB>help` per line, then
//! `:DIRECTIVE`.
//!
//! [`analyze`] walks the clap tree over the typed words and says what the last word is:
//! a subcommand, a flag, a flag's value or a positional argument. Values that live in
//! the cluster (namespaces, ServiceAccounts, contexts) come back as a [`Lookup`] with
//! the kubectl arguments that list them; running kubectl is the command layer's job,
//! so nothing here does I/O.

use clap::{Arg, Command, ValueHint};

/// One completion candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub value: String,
    pub help: Option<String>,
}

impl Candidate {
    fn new(value: impl Into<String>, help: Option<String>) -> Self {
        Self {
            value: value.into(),
            help,
        }
    }
}

/// Cobra's `ShellCompDirective`, the bits this plugin uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive {
    /// Let the shell complete file names.
    Files = 0,
    /// Offer only the candidates given.
    NoFileCompletion = 4,
}

/// Cluster objects a word can name, listed with kubectl.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Namespaces,
    ServiceAccounts,
    Contexts,
}

/// The kubeconfig flags typed so far: lookups must ask the cluster the user means.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterFlags {
    pub kubeconfig: Option<String>,
    pub context: Option<String>,
    pub namespace: Option<String>,
}

impl ClusterFlags {
    fn record(&mut self, arg: &Arg, value: &str) {
        let slot = match arg.get_id().as_str() {
            "kubeconfig" => &mut self.kubeconfig,
            "context" => &mut self.context,
            "namespace" => &mut self.namespace,
            _ => return,
        };
        *slot = Some(value.to_owned());
    }
}

/// What the word being completed can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// Candidates known from the command line's definition.
    Candidates(Vec<Candidate>),
    /// Names to fetch from the cluster.
    Lookup(Lookup),
    /// A file name: the shell completes it.
    Files,
    /// A free value (a role name, a URL): nothing to offer.
    Nothing,
}

/// The result of [`analyze`]: what to offer for the last word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub want: Want,
    /// What is typed of the value so far; candidates must start with it.
    pub typed: String,
    /// Put before every candidate (`--namespace=` when completing `--namespace=ku`).
    pub prefix: String,
    pub flags: ClusterFlags,
}

impl Lookup {
    /// The kubectl arguments that list the names, one `kind/name` (or, for contexts,
    /// `name`) per line.
    pub fn kubectl_args(self, flags: &ClusterFlags) -> Vec<String> {
        let mut args: Vec<String> = match self {
            Lookup::Namespaces => vec!["get".into(), "namespaces".into()],
            Lookup::ServiceAccounts => vec!["get".into(), "serviceaccounts".into()],
            Lookup::Contexts => vec!["config".into(), "get-contexts".into()],
        };
        args.extend(["-o".into(), "name".into()]);
        if let Some(kubeconfig) = &flags.kubeconfig {
            args.extend(["--kubeconfig".into(), kubeconfig.clone()]);
        }
        if self != Lookup::Contexts {
            if let Some(context) = &flags.context {
                args.extend(["--context".into(), context.clone()]);
            }
            // A TAB must not hang on an unreachable cluster.
            args.push("--request-timeout=5s".into());
        }
        if let (Lookup::ServiceAccounts, Some(namespace)) = (self, &flags.namespace) {
            args.extend(["--namespace".into(), namespace.clone()]);
        }
        args
    }

    /// The names in kubectl's `-o name` output.
    pub fn names(self, kubectl_stdout: &str) -> Vec<Candidate> {
        let kind = match self {
            Lookup::Namespaces => Some("namespace/"),
            Lookup::ServiceAccounts => Some("serviceaccount/"),
            Lookup::Contexts => None,
        };
        kubectl_stdout
            .lines()
            .map(str::trim)
            .filter_map(|line| match kind {
                Some(kind) => line.strip_prefix(kind),
                None => Some(line),
            })
            .filter(|name| !name.is_empty())
            .map(|name| Candidate::new(name, None))
            .collect()
    }
}

/// What the last of `words` can be, given the command line definition `root`.
pub fn analyze(mut root: Command, words: &[String]) -> Request {
    // Propagates the global flags into every subcommand and adds --help/--version.
    root.build();
    let (typed, before) = match words.split_last() {
        Some((last, before)) => (last.as_str(), before),
        None => ("", words),
    };
    let mut command = &root;
    let mut flags = ClusterFlags::default();
    let mut pending_value: Option<&Arg> = None;
    let mut positionals = 0;
    let mut only_positionals = false;
    for word in before {
        if let Some(arg) = pending_value.take() {
            flags.record(arg, word);
        } else if only_positionals || word == "-" || !word.starts_with('-') {
            match find_subcommand(command, word) {
                Some(subcommand) if !only_positionals && positionals == 0 => command = subcommand,
                _ => positionals += 1,
            }
        } else if word == "--" {
            only_positionals = true;
        } else {
            pending_value = read_flag(command, word, &mut flags);
        }
    }

    let request = |want, typed: &str, prefix: &str, flags| Request {
        want,
        typed: typed.to_owned(),
        prefix: prefix.to_owned(),
        flags,
    };
    if let Some(arg) = pending_value {
        return request(values_of(arg), typed, "", flags);
    }
    if !only_positionals && typed.starts_with('-') {
        if let Some((name, value)) = typed.strip_prefix("--").and_then(|long| long.split_once('=')) {
            let want = find_long(command, name).map_or(Want::Nothing, values_of);
            return request(want, value, &typed[..typed.len() - value.len()], flags);
        }
        return request(Want::Candidates(flag_candidates(command)), typed, "", flags);
    }
    let want = if command.has_subcommands() {
        Want::Candidates(subcommand_candidates(command))
    } else {
        command
            .get_positionals()
            .filter(|arg| !arg.is_last_set())
            .nth(positionals)
            .map_or(Want::Nothing, values_of)
    };
    request(want, typed, "", flags)
}

/// The output kubectl reads: the candidates that start with what is typed, then the
/// directive.
pub fn render(request: &Request, candidates: &[Candidate], directive: Directive) -> String {
    let mut out = String::new();
    for candidate in candidates.iter().filter(|c| c.value.starts_with(&request.typed)) {
        out.push_str(&request.prefix);
        out.push_str(&candidate.value);
        if let Some(help) = &candidate.help {
            out.push('\t');
            out.push_str(help);
        }
        out.push('\n');
    }
    out.push_str(&format!(":{}\n", directive as u8));
    out
}

/// Read one flag word (`--name`, `--name=value`, `-n`, `-nvalue`, `-vv`); the flag
/// whose value is the next word, if any.
fn read_flag<'a>(command: &'a Command, word: &str, flags: &mut ClusterFlags) -> Option<&'a Arg> {
    if let Some(long) = word.strip_prefix("--") {
        let (name, value) = match long.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (long, None),
        };
        let arg = find_long(command, name)?;
        return match value {
            Some(value) => {
                flags.record(arg, value);
                None
            }
            None => value_in_next_word(arg).then_some(arg),
        };
    }
    let cluster = word.strip_prefix('-')?;
    for (at, short) in cluster.char_indices() {
        let arg = command
            .get_arguments()
            .find(|arg| arg.get_short() == Some(short))?;
        if arg.get_action().takes_values() {
            let rest = &cluster[at + short.len_utf8()..];
            if rest.is_empty() {
                return value_in_next_word(arg).then_some(arg);
            }
            flags.record(arg, rest.strip_prefix('=').unwrap_or(rest));
            return None;
        }
    }
    None
}

/// True when the flag takes its value from the next word (`--dry-run` only takes one
/// after `=`).
fn value_in_next_word(arg: &Arg) -> bool {
    arg.get_action().takes_values() && !arg.is_require_equals_set()
}

fn find_long<'a>(command: &'a Command, name: &str) -> Option<&'a Arg> {
    command.get_arguments().find(|arg| {
        arg.get_long() == Some(name)
            || arg
                .get_visible_aliases()
                .is_some_and(|aliases| aliases.contains(&name))
    })
}

fn find_subcommand<'a>(command: &'a Command, name: &str) -> Option<&'a Command> {
    command
        .get_subcommands()
        .find(|sub| sub.get_name() == name || sub.get_all_aliases().any(|alias| alias == name))
}

/// What a flag's value or a positional argument can be. ServiceAccounts, namespaces
/// and contexts are named by the argument's id, the same in every command.
fn values_of(arg: &Arg) -> Want {
    match arg.get_id().as_str() {
        "namespace" => return Want::Lookup(Lookup::Namespaces),
        "context" => return Want::Lookup(Lookup::Contexts),
        "service_account" => return Want::Lookup(Lookup::ServiceAccounts),
        "filename" => return Want::Files,
        _ => {}
    }
    let possible: Vec<Candidate> = arg
        .get_possible_values()
        .into_iter()
        .filter(|value| !value.is_hide_set())
        .map(|value| Candidate::new(value.get_name(), value.get_help().map(first_line)))
        .collect();
    if !possible.is_empty() {
        return Want::Candidates(possible);
    }
    match arg.get_value_hint() {
        ValueHint::AnyPath | ValueHint::FilePath | ValueHint::DirPath => Want::Files,
        _ => Want::Nothing,
    }
}

fn flag_candidates(command: &Command) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    for arg in command
        .get_arguments()
        .filter(|arg| !arg.is_positional() && !arg.is_hide_set())
    {
        let help = arg.get_help().map(first_line);
        if let Some(long) = arg.get_long() {
            candidates.push(Candidate::new(format!("--{long}"), help.clone()));
        }
        if let Some(short) = arg.get_short() {
            candidates.push(Candidate::new(format!("-{short}"), help));
        }
    }
    candidates
}

fn subcommand_candidates(command: &Command) -> Vec<Candidate> {
    command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| Candidate::new(sub.get_name(), sub.get_about().map(first_line)))
        .collect()
}

/// The first line of a help text: a candidate's help is one line.
fn first_line(text: &clap::builder::StyledStr) -> String {
    text.to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::CommandFactory;

    fn analyze_words(words: &[&str]) -> Request {
        let words: Vec<String> = words.iter().map(|word| (*word).to_owned()).collect();
        analyze(Cli::command(), &words)
    }

    fn values(want: &Want) -> Vec<&str> {
        match want {
            Want::Candidates(candidates) => candidates.iter().map(|c| c.value.as_str()).collect(),
            other => panic!("expected candidates, got {other:?}"),
        }
    }

    #[test]
    fn a_new_word_after_the_plugin_name_offers_the_subcommands() {
        let request = analyze_words(&[""]);
        let names = values(&request.want);
        for name in [
            "enable", "disable", "bind", "unbind", "inject", "doctor", "provider", "version",
        ] {
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
        assert!(!names.iter().any(|name| name.starts_with('-')));
    }

    #[test]
    fn subcommands_carry_their_one_line_help() {
        let request = analyze_words(&["bi"]);
        let Want::Candidates(candidates) = &request.want else {
            panic!("expected candidates, got {:?}", request.want);
        };
        let bind = candidates
            .iter()
            .find(|c| c.value == "bind")
            .expect("bind offered");
        assert_eq!(
            bind.help.as_deref(),
            Some("Let a ServiceAccount assume an IAM role")
        );
        assert_eq!(request.typed, "bi");
    }

    #[test]
    fn a_dash_offers_the_commands_own_and_the_global_flags() {
        let request = analyze_words(&["bind", "--"]);
        let names = values(&request.want);
        for flag in [
            "--create-role",
            "--policy-arn",
            "--namespace",
            "--kubeconfig",
            "-n",
            "--help",
        ] {
            assert!(names.contains(&flag), "{flag} missing from {names:?}");
        }
    }

    #[test]
    fn the_namespace_flag_is_completed_from_the_cluster() {
        for words in [
            &["bind", "-n", ""][..],
            &["-n", ""],
            &["doctor", "--namespace", "ku"],
        ] {
            assert_eq!(
                analyze_words(words).want,
                Want::Lookup(Lookup::Namespaces),
                "{words:?}"
            );
        }
    }

    #[test]
    fn an_inline_namespace_value_keeps_its_flag_as_prefix() {
        let request = analyze_words(&["bind", "--namespace=ku"]);
        assert_eq!(request.want, Want::Lookup(Lookup::Namespaces));
        assert_eq!(
            (request.prefix.as_str(), request.typed.as_str()),
            ("--namespace=", "ku")
        );
    }

    #[test]
    fn service_account_arguments_are_completed_in_the_typed_namespace() {
        for (words, namespace) in [
            (&["bind", "-n", "team", ""][..], Some("team")),
            (&["-nteam", "unbind", ""], Some("team")),
            (&["--namespace=team", "-vv", "doctor", "s"], Some("team")),
            (&["bind", ""], None),
        ] {
            let request = analyze_words(words);
            assert_eq!(request.want, Want::Lookup(Lookup::ServiceAccounts), "{words:?}");
            assert_eq!(request.flags.namespace.as_deref(), namespace, "{words:?}");
        }
    }

    #[test]
    fn the_kubeconfig_flags_typed_before_are_kept_for_the_lookup() {
        let request = analyze_words(&["--kubeconfig", "/k", "bind", "--context=dev", "-n", "x", ""]);
        assert_eq!(
            request.flags,
            ClusterFlags {
                kubeconfig: Some("/k".into()),
                context: Some("dev".into()),
                namespace: Some("x".into()),
            }
        );
    }

    #[test]
    fn the_second_positional_of_bind_is_a_free_role_name() {
        assert_eq!(analyze_words(&["bind", "-n", "x", "app", ""]).want, Want::Nothing);
    }

    #[test]
    fn enumerated_values_are_offered() {
        assert_eq!(values(&analyze_words(&["-o", ""]).want), ["text", "yaml", "json"]);
        let shells = values(&analyze_words(&["completion", ""]).want).join(" ");
        assert_eq!(shells, "bash zsh fish powershell kubectl");
        let request = analyze_words(&["enable", "--dry-run="]);
        assert_eq!(values(&request.want), ["none", "client", "server"]);
        assert_eq!(request.prefix, "--dry-run=");
    }

    #[test]
    fn a_flag_that_takes_its_value_only_after_equals_leaves_the_next_word_alone() {
        assert_eq!(analyze_words(&["--dry-run", ""]).want, analyze_words(&[""]).want);
    }

    #[test]
    fn nested_subcommands_are_offered() {
        assert_eq!(values(&analyze_words(&["provider", ""]).want), ["sync", "help"]);
    }

    #[test]
    fn paths_are_left_to_the_shell() {
        for words in [
            &["--kubeconfig", ""][..],
            &["inject", "-f", ""],
            &["doctor", "--jwks", ""],
        ] {
            assert_eq!(analyze_words(words).want, Want::Files, "{words:?}");
        }
    }

    #[test]
    fn the_contexts_come_from_the_kubeconfig() {
        assert_eq!(
            analyze_words(&["--context", ""]).want,
            Want::Lookup(Lookup::Contexts)
        );
    }

    #[test]
    fn lookups_ask_kubectl_for_names_in_the_users_cluster() {
        let flags = ClusterFlags {
            kubeconfig: Some("/k".into()),
            context: Some("dev".into()),
            namespace: Some("team".into()),
        };
        assert_eq!(
            Lookup::ServiceAccounts.kubectl_args(&flags).join(" "),
            "get serviceaccounts -o name --kubeconfig /k --context dev --request-timeout=5s --namespace team"
        );
        assert_eq!(
            Lookup::Namespaces
                .kubectl_args(&ClusterFlags::default())
                .join(" "),
            "get namespaces -o name --request-timeout=5s"
        );
        assert_eq!(
            Lookup::Contexts.kubectl_args(&flags).join(" "),
            "config get-contexts -o name --kubeconfig /k"
        );
    }

    #[test]
    fn kubectl_names_lose_their_kind() {
        let names =
            |lookup: Lookup, out| -> Vec<String> { lookup.names(out).into_iter().map(|c| c.value).collect() };
        assert_eq!(
            names(Lookup::Namespaces, "namespace/default\nnamespace/kube-system\n\n"),
            ["default", "kube-system"]
        );
        assert_eq!(names(Lookup::ServiceAccounts, "serviceaccount/app\n"), ["app"]);
        // Context names keep slashes (EKS contexts are ARNs).
        assert_eq!(
            names(Lookup::Contexts, "arn:aws:eks:eu:1:cluster/x\n"),
            ["arn:aws:eks:eu:1:cluster/x"]
        );
    }

    #[test]
    fn rendering_filters_by_the_typed_prefix_and_ends_with_the_directive() {
        let request = Request {
            want: Want::Nothing,
            typed: "ku".into(),
            prefix: "--namespace=".into(),
            flags: ClusterFlags::default(),
        };
        let candidates = [
            Candidate::new("kube-system", None),
            Candidate::new("default", None),
            Candidate::new("kube-public", Some("public".into())),
        ];
        assert_eq!(
            render(&request, &candidates, Directive::NoFileCompletion),
            "--namespace=kube-system\n--namespace=kube-public\tpublic\n:4\n"
        );
        assert_eq!(render(&request, &[], Directive::Files), ":0\n");
    }
}

# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_awsoidc_global_optspecs
    string join \n kubeconfig= context= n/namespace= o/output= dry-run= profile= region= v/verbose h/help V/version
end

function __fish_kubectl_awsoidc_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_awsoidc_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_awsoidc_using_subcommand
    set -l cmd (__fish_kubectl_awsoidc_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -s n -l namespace -d 'The namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -s o -l output -d 'Output format' -r -f -a "text\t''
yaml\t''
json\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -l dry-run -d 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -l profile -d 'The AWS CLI profile to use (default: $AWS_PROFILE)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -l region -d 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile\'s)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -s v -l verbose -d 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -f -a "enable" -d 'Make the cluster\'s ServiceAccount issuer an AWS IAM OIDC provider'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -f -a "disable" -d 'Undo exactly what `enable` added'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -f -a "thumbprint" -d 'Print the thumbprint IAM needs for an issuer and explain the certificate chain'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -f -a "provider" -d 'Manage the IAM OIDC provider of the cluster\'s issuer'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -f -a "bind" -d 'Let a ServiceAccount assume an IAM role'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -f -a "unbind" -d 'Reverse `bind`, removing only what it added'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -f -a "inject" -d 'Add the projected token and AWS settings to workload manifests (a filter)'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -f -a "doctor" -d 'Walk the trust chain and name the first broken link'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -f -a "completion" -d 'Print a shell completion script, or kubectl\'s plugin completion executable'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -f -a "version" -d 'Print the plugin version, its git commit and the helper version it expects'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -l garden-kubeconfig -d 'Kubeconfig for the garden cluster (needed to change the shoot\'s settings)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -l garden-context -d 'Context in the garden kubeconfig' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -l garden-namespace -d 'The shoot\'s project namespace in the garden (default: garden-<projectName> from shoot-info)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -l issuer -d 'Which issuer AWS should trust' -r -f -a "cluster\t'The cluster\'s own issuer, served by its apiserver (needs anonymous access)'
managed\t'Gardener\'s managed issuer (publicly trusted, no anonymous access)'"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -l anonymous-mode -d 'How to turn on anonymous access on a Gardener shoot' -r -f -a "auto\t'Choose by the shoot\'s Kubernetes version (< 1.32 legacy, otherwise structured)'
legacy\t'`spec.kubernetes.kubeAPIServer.enableAnonymousAuthentication: true`'
structured\t'An AuthenticationConfiguration whose anonymous section allows only the two paths'"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -l wait -d 'How long to wait for the discovery URLs to answer anonymously (0 skips the wait)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -l client-id -d 'The OIDC client id (audience) registered with the provider' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -s n -l namespace -d 'The namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -s o -l output -d 'Output format' -r -f -a "text\t''
yaml\t''
json\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -l dry-run -d 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -l profile -d 'The AWS CLI profile to use (default: $AWS_PROFILE)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -l region -d 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile\'s)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -l skip-aws -d 'Do not touch AWS; only prepare the cluster'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -s v -l verbose -d 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand enable" -s V -l version -d 'Print version'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -l garden-kubeconfig -d 'Kubeconfig for the garden cluster (needed to change the shoot\'s settings)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -l garden-context -d 'Context in the garden kubeconfig' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -l garden-namespace -d 'The shoot\'s project namespace in the garden (default: garden-<projectName> from shoot-info)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -s n -l namespace -d 'The namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -s o -l output -d 'Output format' -r -f -a "text\t''
yaml\t''
json\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -l dry-run -d 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -l profile -d 'The AWS CLI profile to use (default: $AWS_PROFILE)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -l region -d 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile\'s)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -l delete-provider -d 'Also delete the IAM OIDC provider of the issuer'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -s v -l verbose -d 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -s h -l help -d 'Print help'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand disable" -s V -l version -d 'Print version'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand thumbprint" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand thumbprint" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand thumbprint" -s n -l namespace -d 'The namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand thumbprint" -s o -l output -d 'Output format' -r -f -a "text\t''
yaml\t''
json\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand thumbprint" -l dry-run -d 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand thumbprint" -l profile -d 'The AWS CLI profile to use (default: $AWS_PROFILE)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand thumbprint" -l region -d 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile\'s)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand thumbprint" -s v -l verbose -d 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand thumbprint" -s h -l help -d 'Print help'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand thumbprint" -s V -l version -d 'Print version'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and not __fish_seen_subcommand_from sync help" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and not __fish_seen_subcommand_from sync help" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and not __fish_seen_subcommand_from sync help" -s n -l namespace -d 'The namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and not __fish_seen_subcommand_from sync help" -s o -l output -d 'Output format' -r -f -a "text\t''
yaml\t''
json\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and not __fish_seen_subcommand_from sync help" -l dry-run -d 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and not __fish_seen_subcommand_from sync help" -l profile -d 'The AWS CLI profile to use (default: $AWS_PROFILE)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and not __fish_seen_subcommand_from sync help" -l region -d 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile\'s)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and not __fish_seen_subcommand_from sync help" -s v -l verbose -d 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and not __fish_seen_subcommand_from sync help" -s h -l help -d 'Print help'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and not __fish_seen_subcommand_from sync help" -s V -l version -d 'Print version'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and not __fish_seen_subcommand_from sync help" -f -a "sync" -d 'Add the thumbprint the issuer presents now, keeping previous ones (at most 5). Safe to run from a CronJob'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and not __fish_seen_subcommand_from sync help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and __fish_seen_subcommand_from sync" -l issuer-url -d 'The issuer URL (default: the cluster\'s issuer)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and __fish_seen_subcommand_from sync" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and __fish_seen_subcommand_from sync" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and __fish_seen_subcommand_from sync" -s n -l namespace -d 'The namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and __fish_seen_subcommand_from sync" -s o -l output -d 'Output format' -r -f -a "text\t''
yaml\t''
json\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and __fish_seen_subcommand_from sync" -l dry-run -d 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and __fish_seen_subcommand_from sync" -l profile -d 'The AWS CLI profile to use (default: $AWS_PROFILE)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and __fish_seen_subcommand_from sync" -l region -d 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile\'s)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and __fish_seen_subcommand_from sync" -s v -l verbose -d 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and __fish_seen_subcommand_from sync" -s h -l help -d 'Print help'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and __fish_seen_subcommand_from sync" -s V -l version -d 'Print version'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and __fish_seen_subcommand_from help" -f -a "sync" -d 'Add the thumbprint the issuer presents now, keeping previous ones (at most 5). Safe to run from a CronJob'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand provider; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -l policy-arn -d 'A managed policy to attach to the role (repeatable)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -l account-id -d 'The AWS account id for a role given by name' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -l subject-pattern -d 'Trust every ServiceAccount matching this pattern (StringLike), e.g. \'system:serviceaccount:ns:prefix-*\'' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -l audience -d 'The token audience the role trusts' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -l token-expiration -d 'The token lifetime annotated on the ServiceAccount, in seconds' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -l trust-policy-quota -d 'The account\'s quota for the trust policy\'s length, in characters (IAM\'s default is 2048; raised quotas go up to 8192)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -s n -l namespace -d 'The namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -s o -l output -d 'Output format' -r -f -a "text\t''
yaml\t''
json\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -l dry-run -d 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -l profile -d 'The AWS CLI profile to use (default: $AWS_PROFILE)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -l region -d 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile\'s)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -l create-role -d 'Create the role when it does not exist'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -s v -l verbose -d 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -s h -l help -d 'Print help'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand bind" -s V -l version -d 'Print version'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand unbind" -l role -d 'The IAM role (default: the role in the ServiceAccount\'s annotation)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand unbind" -l subject-pattern -d 'Remove this `--subject-pattern` that bind added, instead of the ServiceAccount\'s own subject' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand unbind" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand unbind" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand unbind" -s n -l namespace -d 'The namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand unbind" -s o -l output -d 'Output format' -r -f -a "text\t''
yaml\t''
json\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand unbind" -l dry-run -d 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand unbind" -l profile -d 'The AWS CLI profile to use (default: $AWS_PROFILE)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand unbind" -l region -d 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile\'s)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand unbind" -l delete-role -d 'Also delete the role when no subject is left in its trust policy'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand unbind" -s v -l verbose -d 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand unbind" -s h -l help -d 'Print help'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand unbind" -s V -l version -d 'Print version'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -s f -l filename -d 'The manifest to read ("-" for stdin)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -l mode -d 'How workloads get credentials' -r -f -a "native\t'The SDKs\' own web identity support: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE'
process\t'An AWS config profile whose credential_process is awsoidc-credential-process'"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -l role-arn -d 'The role ARN (default: the ServiceAccount\'s annotation, when a cluster is reachable)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -l audience -d 'The projected token\'s audience (default: the ServiceAccount\'s eks.amazonaws.com/audience annotation, then sts.amazonaws.com)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -l token-expiration -d 'The projected token\'s lifetime in seconds, 600..86400 and never 3607 (default: the ServiceAccount\'s eks.amazonaws.com/token-expiration annotation, then 86400)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -l skip-container -d 'A container that gets nothing injected (repeatable)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -s n -l namespace -d 'The namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -s o -l output -d 'Output format' -r -f -a "text\t''
yaml\t''
json\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -l dry-run -d 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -l profile -d 'The AWS CLI profile to use (default: $AWS_PROFILE)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -l region -d 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile\'s)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -s v -l verbose -d 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand inject" -s V -l version -d 'Print version'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l error -d 'Map an STS error message to the links it can mean' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l issuer-url -d 'The issuer URL to check' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l discovery -d 'The discovery document (/.well-known/openid-configuration) as a file' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l jwks -d 'The JWKS document as a file' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l token -d 'A ServiceAccount token (JWT) as a file' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l chain -d 'The certificate chain as the server presents it (PEM)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l provider -d 'The output of `aws iam get-open-id-connect-provider`' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l trust-policy -d 'A trust policy document or the output of `aws iam get-role`' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l service-account-file -d 'The ServiceAccount as YAML' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l audience -d 'The audience the token must carry and the provider must list' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -s n -l namespace -d 'The namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -s o -l output -d 'Output format' -r -f -a "text\t''
yaml\t''
json\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l dry-run -d 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l profile -d 'The AWS CLI profile to use (default: $AWS_PROFILE)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l region -d 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile\'s)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l offline -d 'Check only the given files; report the rest as skipped'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -l exchange -d 'Also make one real STS call with a freshly requested token'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -s v -l verbose -d 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand completion" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand completion" -s n -l namespace -d 'The namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand completion" -s o -l output -d 'Output format' -r -f -a "text\t''
yaml\t''
json\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand completion" -l dry-run -d 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand completion" -l profile -d 'The AWS CLI profile to use (default: $AWS_PROFILE)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand completion" -l region -d 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile\'s)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand completion" -s v -l verbose -d 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand completion" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand completion" -s V -l version -d 'Print version'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand version" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand version" -s n -l namespace -d 'The namespace (default: the context\'s namespace, then "default")' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand version" -s o -l output -d 'Output format' -r -f -a "text\t''
yaml\t''
json\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand version" -l dry-run -d 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)' -r -f -a "none\t''
client\t''
server\t''"
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand version" -l profile -d 'The AWS CLI profile to use (default: $AWS_PROFILE)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand version" -l region -d 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile\'s)' -r
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand version" -s v -l verbose -d 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand version" -s h -l help -d 'Print help'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand version" -s V -l version -d 'Print version'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand help; and not __fish_seen_subcommand_from enable disable thumbprint provider bind unbind inject doctor completion version help" -f -a "enable" -d 'Make the cluster\'s ServiceAccount issuer an AWS IAM OIDC provider'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand help; and not __fish_seen_subcommand_from enable disable thumbprint provider bind unbind inject doctor completion version help" -f -a "disable" -d 'Undo exactly what `enable` added'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand help; and not __fish_seen_subcommand_from enable disable thumbprint provider bind unbind inject doctor completion version help" -f -a "thumbprint" -d 'Print the thumbprint IAM needs for an issuer and explain the certificate chain'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand help; and not __fish_seen_subcommand_from enable disable thumbprint provider bind unbind inject doctor completion version help" -f -a "provider" -d 'Manage the IAM OIDC provider of the cluster\'s issuer'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand help; and not __fish_seen_subcommand_from enable disable thumbprint provider bind unbind inject doctor completion version help" -f -a "bind" -d 'Let a ServiceAccount assume an IAM role'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand help; and not __fish_seen_subcommand_from enable disable thumbprint provider bind unbind inject doctor completion version help" -f -a "unbind" -d 'Reverse `bind`, removing only what it added'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand help; and not __fish_seen_subcommand_from enable disable thumbprint provider bind unbind inject doctor completion version help" -f -a "inject" -d 'Add the projected token and AWS settings to workload manifests (a filter)'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand help; and not __fish_seen_subcommand_from enable disable thumbprint provider bind unbind inject doctor completion version help" -f -a "doctor" -d 'Walk the trust chain and name the first broken link'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand help; and not __fish_seen_subcommand_from enable disable thumbprint provider bind unbind inject doctor completion version help" -f -a "completion" -d 'Print a shell completion script, or kubectl\'s plugin completion executable'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand help; and not __fish_seen_subcommand_from enable disable thumbprint provider bind unbind inject doctor completion version help" -f -a "version" -d 'Print the plugin version, its git commit and the helper version it expects'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand help; and not __fish_seen_subcommand_from enable disable thumbprint provider bind unbind inject doctor completion version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-awsoidc -n "__fish_kubectl_awsoidc_using_subcommand help; and __fish_seen_subcommand_from provider" -f -a "sync" -d 'Add the thumbprint the issuer presents now, keeping previous ones (at most 5). Safe to run from a CronJob'

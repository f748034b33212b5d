
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubectl-awsoidc' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubectl-awsoidc'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kubectl-awsoidc' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The AWS CLI profile to use (default: $AWS_PROFILE)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile''s)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Make the cluster''s ServiceAccount issuer an AWS IAM OIDC provider')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Undo exactly what `enable` added')
            [CompletionResult]::new('thumbprint', 'thumbprint', [CompletionResultType]::ParameterValue, 'Print the thumbprint IAM needs for an issuer and explain the certificate chain')
            [CompletionResult]::new('provider', 'provider', [CompletionResultType]::ParameterValue, 'Manage the IAM OIDC provider of the cluster''s issuer')
            [CompletionResult]::new('bind', 'bind', [CompletionResultType]::ParameterValue, 'Let a ServiceAccount assume an IAM role')
            [CompletionResult]::new('unbind', 'unbind', [CompletionResultType]::ParameterValue, 'Reverse `bind`, removing only what it added')
            [CompletionResult]::new('inject', 'inject', [CompletionResultType]::ParameterValue, 'Add the projected token and AWS settings to workload manifests (a filter)')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Walk the trust chain and name the first broken link')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script, or kubectl''s plugin completion executable')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin version, its git commit and the helper version it expects')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-awsoidc;enable' {
            [CompletionResult]::new('--garden-kubeconfig', '--garden-kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig for the garden cluster (needed to change the shoot''s settings)')
            [CompletionResult]::new('--garden-context', '--garden-context', [CompletionResultType]::ParameterName, 'Context in the garden kubeconfig')
            [CompletionResult]::new('--garden-namespace', '--garden-namespace', [CompletionResultType]::ParameterName, 'The shoot''s project namespace in the garden (default: garden-<projectName> from shoot-info)')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Which issuer AWS should trust')
            [CompletionResult]::new('--anonymous-mode', '--anonymous-mode', [CompletionResultType]::ParameterName, 'How to turn on anonymous access on a Gardener shoot')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'How long to wait for the discovery URLs to answer anonymously (0 skips the wait)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The OIDC client id (audience) registered with the provider')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The AWS CLI profile to use (default: $AWS_PROFILE)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile''s)')
            [CompletionResult]::new('--skip-aws', '--skip-aws', [CompletionResultType]::ParameterName, 'Do not touch AWS; only prepare the cluster')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-awsoidc;disable' {
            [CompletionResult]::new('--garden-kubeconfig', '--garden-kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig for the garden cluster (needed to change the shoot''s settings)')
            [CompletionResult]::new('--garden-context', '--garden-context', [CompletionResultType]::ParameterName, 'Context in the garden kubeconfig')
            [CompletionResult]::new('--garden-namespace', '--garden-namespace', [CompletionResultType]::ParameterName, 'The shoot''s project namespace in the garden (default: garden-<projectName> from shoot-info)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The AWS CLI profile to use (default: $AWS_PROFILE)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile''s)')
            [CompletionResult]::new('--delete-provider', '--delete-provider', [CompletionResultType]::ParameterName, 'Also delete the IAM OIDC provider of the issuer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-awsoidc;thumbprint' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The AWS CLI profile to use (default: $AWS_PROFILE)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile''s)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-awsoidc;provider' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The AWS CLI profile to use (default: $AWS_PROFILE)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile''s)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Add the thumbprint the issuer presents now, keeping previous ones (at most 5). Safe to run from a CronJob')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-awsoidc;provider;sync' {
            [CompletionResult]::new('--issuer-url', '--issuer-url', [CompletionResultType]::ParameterName, 'The issuer URL (default: the cluster''s issuer)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The AWS CLI profile to use (default: $AWS_PROFILE)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile''s)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-awsoidc;provider;help' {
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Add the thumbprint the issuer presents now, keeping previous ones (at most 5). Safe to run from a CronJob')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-awsoidc;provider;help;sync' {
            break
        }
        'kubectl-awsoidc;provider;help;help' {
            break
        }
        'kubectl-awsoidc;bind' {
            [CompletionResult]::new('--policy-arn', '--policy-arn', [CompletionResultType]::ParameterName, 'A managed policy to attach to the role (repeatable)')
            [CompletionResult]::new('--account-id', '--account-id', [CompletionResultType]::ParameterName, 'The AWS account id for a role given by name')
            [CompletionResult]::new('--subject-pattern', '--subject-pattern', [CompletionResultType]::ParameterName, 'Trust every ServiceAccount matching this pattern (StringLike), e.g. ''system:serviceaccount:ns:prefix-*''')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'The token audience the role trusts')
            [CompletionResult]::new('--token-expiration', '--token-expiration', [CompletionResultType]::ParameterName, 'The token lifetime annotated on the ServiceAccount, in seconds')
            [CompletionResult]::new('--trust-policy-quota', '--trust-policy-quota', [CompletionResultType]::ParameterName, 'The account''s quota for the trust policy''s length, in characters (IAM''s default is 2048; raised quotas go up to 8192)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The AWS CLI profile to use (default: $AWS_PROFILE)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile''s)')
            [CompletionResult]::new('--create-role', '--create-role', [CompletionResultType]::ParameterName, 'Create the role when it does not exist')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-awsoidc;unbind' {
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'The IAM role (default: the role in the ServiceAccount''s annotation)')
            [CompletionResult]::new('--subject-pattern', '--subject-pattern', [CompletionResultType]::ParameterName, 'Remove this `--subject-pattern` that bind added, instead of the ServiceAccount''s own subject')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The AWS CLI profile to use (default: $AWS_PROFILE)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile''s)')
            [CompletionResult]::new('--delete-role', '--delete-role', [CompletionResultType]::ParameterName, 'Also delete the role when no subject is left in its trust policy')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-awsoidc;inject' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The manifest to read ("-" for stdin)')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'The manifest to read ("-" for stdin)')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'How workloads get credentials')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'The role ARN (default: the ServiceAccount''s annotation, when a cluster is reachable)')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'The projected token''s audience (default: the ServiceAccount''s eks.amazonaws.com/audience annotation, then sts.amazonaws.com)')
            [CompletionResult]::new('--token-expiration', '--token-expiration', [CompletionResultType]::ParameterName, 'The projected token''s lifetime in seconds, 600..86400 and never 3607 (default: the ServiceAccount''s eks.amazonaws.com/token-expiration annotation, then 86400)')
            [CompletionResult]::new('--skip-container', '--skip-container', [CompletionResultType]::ParameterName, 'A container that gets nothing injected (repeatable)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The AWS CLI profile to use (default: $AWS_PROFILE)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile''s)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-awsoidc;doctor' {
            [CompletionResult]::new('--error', '--error', [CompletionResultType]::ParameterName, 'Map an STS error message to the links it can mean')
            [CompletionResult]::new('--issuer-url', '--issuer-url', [CompletionResultType]::ParameterName, 'The issuer URL to check')
            [CompletionResult]::new('--discovery', '--discovery', [CompletionResultType]::ParameterName, 'The discovery document (/.well-known/openid-configuration) as a file')
            [CompletionResult]::new('--jwks', '--jwks', [CompletionResultType]::ParameterName, 'The JWKS document as a file')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'A ServiceAccount token (JWT) as a file')
            [CompletionResult]::new('--chain', '--chain', [CompletionResultType]::ParameterName, 'The certificate chain as the server presents it (PEM)')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'The output of `aws iam get-open-id-connect-provider`')
            [CompletionResult]::new('--trust-policy', '--trust-policy', [CompletionResultType]::ParameterName, 'A trust policy document or the output of `aws iam get-role`')
            [CompletionResult]::new('--service-account-file', '--service-account-file', [CompletionResultType]::ParameterName, 'The ServiceAccount as YAML')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'The audience the token must carry and the provider must list')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The AWS CLI profile to use (default: $AWS_PROFILE)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile''s)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Check only the given files; report the rest as skipped')
            [CompletionResult]::new('--exchange', '--exchange', [CompletionResultType]::ParameterName, 'Also make one real STS call with a freshly requested token')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-awsoidc;completion' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The AWS CLI profile to use (default: $AWS_PROFILE)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile''s)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-awsoidc;version' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, then "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing ("client": computed locally; "server": also sent to the apiserver as a dry run)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The AWS CLI profile to use (default: $AWS_PROFILE)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile''s)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Verbosity: -v says which cluster, kubeconfig context, AWS region, profile and endpoint are used')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-awsoidc;help' {
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Make the cluster''s ServiceAccount issuer an AWS IAM OIDC provider')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Undo exactly what `enable` added')
            [CompletionResult]::new('thumbprint', 'thumbprint', [CompletionResultType]::ParameterValue, 'Print the thumbprint IAM needs for an issuer and explain the certificate chain')
            [CompletionResult]::new('provider', 'provider', [CompletionResultType]::ParameterValue, 'Manage the IAM OIDC provider of the cluster''s issuer')
            [CompletionResult]::new('bind', 'bind', [CompletionResultType]::ParameterValue, 'Let a ServiceAccount assume an IAM role')
            [CompletionResult]::new('unbind', 'unbind', [CompletionResultType]::ParameterValue, 'Reverse `bind`, removing only what it added')
            [CompletionResult]::new('inject', 'inject', [CompletionResultType]::ParameterValue, 'Add the projected token and AWS settings to workload manifests (a filter)')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Walk the trust chain and name the first broken link')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script, or kubectl''s plugin completion executable')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin version, its git commit and the helper version it expects')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-awsoidc;help;enable' {
            break
        }
        'kubectl-awsoidc;help;disable' {
            break
        }
        'kubectl-awsoidc;help;thumbprint' {
            break
        }
        'kubectl-awsoidc;help;provider' {
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Add the thumbprint the issuer presents now, keeping previous ones (at most 5). Safe to run from a CronJob')
            break
        }
        'kubectl-awsoidc;help;provider;sync' {
            break
        }
        'kubectl-awsoidc;help;bind' {
            break
        }
        'kubectl-awsoidc;help;unbind' {
            break
        }
        'kubectl-awsoidc;help;inject' {
            break
        }
        'kubectl-awsoidc;help;doctor' {
            break
        }
        'kubectl-awsoidc;help;completion' {
            break
        }
        'kubectl-awsoidc;help;version' {
            break
        }
        'kubectl-awsoidc;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}

# fish completion for stackup: commands, their options, and names from the engine (stacks) and the
# secret store (secrets).

# The "Name" fields of `stackup ARGS --format json`: stack names (ls) or secret names (secret ls).
function __stackup_names
    stackup $argv --format json 2>/dev/null | string match -ar '"Name": *"[^"]*"' | string replace -r '.*"([^"]*)"$' '$1'
end

# The options of the command (and subcommand) being typed, from its --help.
function __stackup_options
    set -l cmd
    for word in (commandline -opc)[2..-1]
        if not set -q cmd[1]
            contains -- $word validate config deploy down ps ls check audit secret store; and set cmd $word
        else if contains -- $cmd[1] secret store audit; and contains -- $word create rotate ls inspect rm reveal rollback history init rekey verify
            set -a cmd $word
            break
        end
    end
    set -q cmd[1]; or return
    stackup $cmd --help 2>/dev/null | string match -ar '(?:^|[ ,])--?[a-z][a-z-]*' | string trim -c ' ,' | sort -u
end

set -l commands validate config deploy down ps ls check audit secret store
set -l secret_subs create rotate ls inspect rm reveal rollback history
# Not __fish_use_subcommand: it would take the value of `-f FILE` before the command for the command.
set -l nocommand "not __fish_seen_subcommand_from $commands"
set -l compose "__fish_seen_subcommand_from validate config deploy down ps check rotate"
complete -c stackup -f

# Commands and subcommands.
complete -c stackup -n $nocommand -a validate -d 'Check compose files and report every problem'
complete -c stackup -n $nocommand -a config -d 'Print the resolved compose model'
complete -c stackup -n $nocommand -a deploy -d 'Deploy a stack'
complete -c stackup -n $nocommand -a down -d "Remove a stack's containers and networks, and wipe its secrets"
complete -c stackup -n $nocommand -a ps -d "List a stack's containers or tasks"
complete -c stackup -n $nocommand -a ls -d 'List the deployed stacks'
complete -c stackup -n $nocommand -a check -d "Check that a stack's containers hold the secrets the store says"
complete -c stackup -n $nocommand -a audit -d "Show the store's audit log"
complete -c stackup -n $nocommand -a secret -d 'Manage secrets in the local encrypted store'
complete -c stackup -n $nocommand -a store -d 'Set up and rekey the local encrypted store'
set -l secret_nosub "__fish_seen_subcommand_from secret; and not __fish_seen_subcommand_from $secret_subs"
complete -c stackup -n $secret_nosub -a create -d 'Create a secret from a file or standard input'
complete -c stackup -n $secret_nosub -a rotate -d 'Add a new version of a secret'
complete -c stackup -n $secret_nosub -a ls -d 'List secrets'
complete -c stackup -n $secret_nosub -a inspect -d "Show secrets' metadata as JSON"
complete -c stackup -n $secret_nosub -a rm -d 'Remove secrets and all their versions'
complete -c stackup -n $secret_nosub -a reveal -d "Write a secret's value to standard output"
complete -c stackup -n $secret_nosub -a rollback -d "Make a new version holding an earlier version's value"
complete -c stackup -n $secret_nosub -a history -d "Show a secret's versions"
complete -c stackup -n "__fish_seen_subcommand_from store; and not __fish_seen_subcommand_from init rekey" -a 'init rekey'
complete -c stackup -n "__fish_seen_subcommand_from audit; and not __fish_seen_subcommand_from verify" -a verify

# Options before the command, and the options whose values complete (the rest come from --help).
complete -c stackup -n $nocommand -l help -d 'Show help'
complete -c stackup -n $nocommand -l version -d 'Show the version'
complete -c stackup -n $nocommand -l log-level -x -a 'debug info warning error off' -d 'Diagnostic logging on stderr'
complete -c stackup -n "$nocommand; or $compose" -s c -s f -l file -r -F -d 'Compose file'
complete -c stackup -n "$nocommand; or $compose" -s p -l project-name -x -d 'Project (stack) name'
complete -c stackup -n "$nocommand; or $compose" -l project-directory -x -a '(__fish_complete_directories)' -d 'Directory of .env and relative paths'
complete -c stackup -n "$nocommand; or $compose" -l env-file -r -F -d 'Environment file'
complete -c stackup -n "not __fish_seen_subcommand_from config ps ls; or __fish_seen_subcommand_from secret" -l store -x -a '(__fish_complete_directories)' -d 'Secret store directory'
complete -c stackup -n $compose -l orchestrator -x -a 'local swarm' -d 'Where the stack runs'
complete -c stackup -n "__fish_seen_subcommand_from $commands" -l format -x -a 'table json text yaml github sarif codeclimate' -d 'Output format'
complete -c stackup -n "__fish_seen_subcommand_from secret; and __fish_seen_subcommand_from ls" -s f -l filter -x -a 'label= in-use=true in-use=false' -d 'Filter'
complete -c stackup -n "__fish_seen_subcommand_from $commands; and string match -q -- '-*' (commandline -ct)" -a '(__stackup_options)'

# Stack and secret names.
complete -c stackup -n "__fish_seen_subcommand_from deploy down ps check" -a '(__stackup_names ls)' -d Stack
complete -c stackup -n "__fish_seen_subcommand_from secret; and __fish_seen_subcommand_from rotate inspect rm reveal rollback history" -a '(__stackup_names secret ls)' -d Secret

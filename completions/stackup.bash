# bash completion for stackup: commands, their options, and names from the engine (stacks) and the
# secret store (secrets).
_stackup() {
  local cur prev words cword
  _init_completion 2>/dev/null || {
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  }
  local commands="validate config deploy down ps ls check audit secret store"
  local command="" sub="" i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      # Options that take a value, before the command or after it: the value is not the command.
      -c | -f | --file | -p | --project-name | --project-directory | --env-file | --store | --orchestrator | \
        --profile | --space | --log-level | --format | --filter | -l | --label) ((i++)) ;;
      -*) ;;
      *) if [ -z "$command" ]; then command=${words[i]}; elif [ -z "$sub" ]; then sub=${words[i]}; fi ;;
    esac
  done
  case $prev in
    -c | -f | --file | --env-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --project-directory | --store) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --orchestrator) COMPREPLY=($(compgen -W "local swarm" -- "$cur")); return ;;
    --format) COMPREPLY=($(compgen -W "table json text yaml github sarif codeclimate" -- "$cur")); return ;;
  esac
  if [ -z "$command" ]; then
    COMPREPLY=($(compgen -W "$commands --help --version --log-level" -- "$cur"))
    return
  fi
  if [[ $cur == -* ]]; then
    local options
    options=$(stackup $command $sub --help 2>/dev/null | grep -oE '(^|[ ,])--?[a-z][a-z-]*' | tr -d ' ,' | sort -u)
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
    return
  fi
  case $command in
    secret)
      if [ -z "$sub" ]; then
        COMPREPLY=($(compgen -W "create rotate ls inspect rm reveal rollback history" -- "$cur"))
      elif [[ $sub != create && $sub != ls ]]; then
        COMPREPLY=($(compgen -W "$(stackup secret ls --format json 2>/dev/null | grep -o '"Name": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')" -- "$cur"))
      fi ;;
    store) [ -z "$sub" ] && COMPREPLY=($(compgen -W "init rekey" -- "$cur")) ;;
    audit) [ -z "$sub" ] && COMPREPLY=($(compgen -W "verify" -- "$cur")) ;;
    deploy | down | ps | check)
      COMPREPLY=($(compgen -W "$(stackup ls --format json 2>/dev/null | grep -o '"Name": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')" -- "$cur")) ;;
  esac
}
complete -F _stackup stackup

#!/usr/bin/env bash
# Datadog buildpack, sourced by bash at dyno boot (.profile.d/datadog.sh) before the app's command.
# Exports this dyno's DD_* variables, runs the app's datadog/prerun.sh, then starts the agents in the
# background. Paths are relative to $HOME (/app); values the app set are kept (DD_TAGS gains the dyno tags).

case ":$PATH:" in
  *":$HOME/.apt/usr/bin:"*) ;;
  *) export PATH="$HOME/.apt/usr/bin:$PATH" ;;
esac

if [ -x "$HOME/.apt/usr/bin/agent-wrapper" ]; then
  eval "$(agent-wrapper prepare)"
  __dd_prerun="${DD_HEROKU_CONF_FOLDER:-$HOME/datadog}/prerun.sh"
  if [ -r "$__dd_prerun" ]; then
    # prerun.sh may change DD_TAGS, DD_VERSION, any DD_ variable or file, or set DISABLE_DATADOG_AGENT.
    # shellcheck disable=SC1090
    source "$__dd_prerun"
    eval "$(agent-wrapper prepare --env-only)"
  fi
  unset __dd_prerun
  # A plain DISABLE_DATADOG_AGENT=true in prerun.sh is not exported: pass it to start alone.
  # Never fail the sourcing shell (it may run with errexit): the app boots whatever the agent does.
  DISABLE_DATADOG_AGENT="${DISABLE_DATADOG_AGENT:-}" agent-wrapper start || true
fi

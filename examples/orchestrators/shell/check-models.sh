#!/usr/bin/env bash
# After models materialize: run each one's floe-quality checks in order and stop
# at the first failing verdict, for schedulers that gate the next step on an
# exit code (cron, CI jobs, make, Airflow's BashOperator).
#
#   FLOE_ARTIFACTS=compiled_artifacts.json check-models.sh orders customers
#
# floe-quality run exits 0 on pass or warn, 1 on fail, 2 on a usage or
# configuration error, 3 when the checks could not run (an outage: worth a retry).
#   FLOE_ARTIFACTS  compiled artifacts (floe-quality compile --out)
#   FLOE_QUALITY    the command (default: npx floe-quality)
#   FLOE_RETRIES    tries for exit code 3 (default 3), 10 s apart
set -uo pipefail
artifacts=${FLOE_ARTIFACTS:?set FLOE_ARTIFACTS to the compiled_artifacts.json to use}
read -r -a floe <<<"${FLOE_QUALITY:-npx floe-quality}"
retries=${FLOE_RETRIES:-3}
[ "$#" -gt 0 ] || { echo "usage: check-models.sh MODEL..." >&2; exit 2; }

for model in "$@"; do
  for ((attempt = 1; ; attempt++)); do
    "${floe[@]}" run --artifacts "$artifacts" --model "$model"
    code=$?
    [ "$code" = 3 ] && [ "$attempt" -lt "$retries" ] || break
    echo "quality: $model could not be checked (try $attempt of $retries); trying again" >&2
    sleep 10
  done
  case $code in
    0) echo "quality: $model ok" ;;
    1) echo "quality: $model failed its checks; stopping before the next step" >&2; exit 1 ;;
    *) echo "quality: $model could not be checked (exit $code)" >&2; exit "$code" ;;
  esac
done

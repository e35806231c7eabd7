#!/usr/bin/env bash
# Runs each argument as a command, all at once, and waits for all of them: for independent phases that would leave a
# core idle one after the other (a single-threaded type check beside a single-threaded lint, npm installs waiting on
# the registry beside CPU-bound synths). Each command's output is printed whole once it ends, in the order given, so
# logs do not interleave; exits non-zero if any command failed, after all have ended.
set -uo pipefail
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
pids=()
n=0
for command in "$@"; do
  bash -c "$command" > "$logs/$n.log" 2>&1 &
  pids+=("$!")
  n=$((n + 1))
done
failed=0
n=0
for command in "$@"; do
  if wait "${pids[$n]}"; then status=ok; else status="FAILED ($?)"; failed=1; fi
  echo "===== $command: $status"
  cat "$logs/$n.log"
  n=$((n + 1))
done
exit "$failed"

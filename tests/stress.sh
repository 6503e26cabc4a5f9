#!/usr/bin/env bash
# Run the README's test command three times in a row while two CPU-bound processes keep both
# cores busy, to show the suite does not depend on the machine being idle (issue 10, item 2).
#
#   tests/stress.sh                               # the whole suite, three times (about 30 min)
#   STRESS_ARGS="tests/unit -q" tests/stress.sh   # arguments passed to every pytest run
#   STRESS_RUNS=1 STRESS_CPUS=2 PYTHON=python3 tests/stress.sh
#
# The load is `stress --cpu N` (Debian package "stress") or, without it, N Python busy loops.
# It is stopped on any exit (trap), also on Ctrl+C. Each run's pytest summary is printed, its
# whole output kept in a log file, and the script exits non-zero if any run failed.
# Not part of CI: it is slow on purpose.
set -uo pipefail
cd "$(dirname "$0")/.."

RUNS="${STRESS_RUNS:-3}"
CPUS="${STRESS_CPUS:-2}"
PYTHON="${PYTHON:-python}"
read -r -a ARGS <<< "${STRESS_ARGS:-}"
LOGS="$(mktemp -d "${TMPDIR:-/tmp}/cg-stress.XXXXXX")"
LOAD=()

stop_load() {
  local pid
  for pid in "${LOAD[@]}"; do
    # Each load runs in its own process group (setsid): stop the group, stress's workers too.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${LOAD[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  LOAD=()
}
trap stop_load EXIT
trap 'exit 130' INT TERM

if command -v stress >/dev/null; then
  setsid stress --cpu "$CPUS" >/dev/null 2>&1 &
  LOAD+=("$!")
  echo "load: stress --cpu $CPUS (pid ${LOAD[*]})"
else
  for _ in $(seq "$CPUS"); do
    setsid "$PYTHON" -c 'while True: pass' &
    LOAD+=("$!")
  done
  echo "load: $CPUS Python busy loops (pids ${LOAD[*]}); install the 'stress' package for the usual load"
fi

failed=0
results=()
for run in $(seq "$RUNS"); do
  log="$LOGS/run-$run.log"
  echo "--- run $run of $RUNS: $PYTHON -m pytest ${ARGS[*]:-} (log: $log)"
  start=$SECONDS
  "$PYTHON" -m pytest "${ARGS[@]}" > "$log" 2>&1
  code=$?
  summary="$(grep -E '^(=+ )?[0-9]+ (passed|failed|error|skipped|deselected)|no tests ran' "$log" | tail -n 1)"
  [ -n "$summary" ] || summary="$(tail -n 1 "$log")"
  if [ "$code" -eq 0 ]; then
    verdict="passed"
  else
    verdict="FAILED (exit $code)"
    failed=$((failed + 1))
    grep -E '^(FAILED|ERROR) ' "$log" | head -n 20
  fi
  line="run $run: $verdict in $((SECONDS - start)) s: $summary"
  results+=("$line")
  echo "$line"
done

stop_load
echo "--- under load of $CPUS CPU-bound processes:"
printf '%s\n' "${results[@]}"
if [ "$failed" -ne 0 ]; then
  echo "$failed of $RUNS runs failed (logs in $LOGS)"
  exit 1
fi
echo "all $RUNS runs passed (logs in $LOGS)"

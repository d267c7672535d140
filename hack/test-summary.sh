#!/usr/bin/env bash
# Sums the counters of every TRX file of one test run and prints the one summary line CI reads:
# "N passed, N failed, N skipped". Exits 1 when anything failed or no test ran at all.
set -euo pipefail
dir=${1:?usage: test-summary.sh RESULTS_DIR}
shopt -s nullglob
files=("$dir"/*.trx)
if [ ${#files[@]} -eq 0 ]; then
  echo "no test results found in $dir (did a test host crash before reporting?)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
counter() { grep -o "<Counters [^>]*>" "$1" | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]*'; }
passed=0 failed=0 skipped=0
for f in "${files[@]}"; do
  passed=$((passed + $(counter "$f" passed)))
  failed=$((failed + $(counter "$f" failed) + $(counter "$f" error) + $(counter "$f" timeout) + $(counter "$f" aborted)))
  skipped=$((skipped + $(counter "$f" notExecuted)))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

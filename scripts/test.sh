#!/usr/bin/env bash
# npm test: type check, lint, build, the jest suites (unit, then integration on DynamoDB Local, the
# sandbox and headless Chromium) and the Terraform checks. Every step runs even when one fails; the
# last line sums them up as "N passed, N failed" and the exit code is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

results=.test-results
rm -rf "$results" && mkdir -p "$results"
passed=0
failed=0
failures=()

check() {
  local name=$1
  shift
  echo "── $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

check "chromium available" bash scripts/ensure-chromium.sh
check "redis-server available" bash scripts/ensure-redis.sh
check "type check (tsc --noEmit)" npx tsc --noEmit -p tsconfig.json
check "lint (eslint)" npx eslint .
check "build (npm run build)" npx tsx scripts/build.ts

echo "── jest"
npx jest --ci --json --outputFile="$results/jest.json"
jest_status=$?
if [ -f "$results/jest.json" ]; then
  read -r jest_passed jest_failed < <(node -e '
    const r = require(require("node:path").resolve(process.argv[1]));
    // Suites that failed to run count as failures too.
    const broken = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
    console.log(r.numPassedTests, r.numFailedTests + broken + r.numPendingTests + r.numTodoTests);
  ' "$results/jest.json")
else
  jest_passed=0
  jest_failed=1
fi
case "${jest_passed:-}${jest_failed:-}" in
  '' | *[!0-9]*) echo "could not read the jest results" >&2; jest_passed=0; jest_failed=1 ;;
esac
if [ "$jest_status" -ne 0 ] && [ "$jest_failed" -eq 0 ]; then jest_failed=1; fi
passed=$((passed + jest_passed))
failed=$((failed + jest_failed))
[ "$jest_failed" -gt 0 ] && failures+=("jest ($jest_failed)")

echo "── terraform"
bash scripts/terraform-test.sh 2>&1 | tee "$results/terraform.log"
tf_status=${PIPESTATUS[0]}
tf_line=$(grep -E '^terraform: [0-9]+ passed, [0-9]+ failed$' "$results/terraform.log" | tail -1)
tf_passed=$(echo "$tf_line" | sed -E 's/^terraform: ([0-9]+) passed.*/\1/')
tf_failed=$(echo "$tf_line" | sed -E 's/.* ([0-9]+) failed$/\1/')
tf_passed=${tf_passed:-0}
tf_failed=${tf_failed:-0}
if [ "$tf_status" -ne 0 ] && [ "$tf_failed" -eq 0 ]; then tf_failed=1; fi
passed=$((passed + tf_passed))
failed=$((failed + tf_failed))
[ "$tf_failed" -gt 0 ] && failures+=("terraform ($tf_failed)")

# The benchmarks are not tests (no figure is asserted); this only keeps them runnable.
check "benchmarks run (npm run bench, smallest sizes)" env BENCH_RUNS=1 BENCH_CLIENTS=3 BENCH_AUTH_MS=50 BENCH_FANOUT_AUDIENCES=1,20 BENCH_FANOUT_PUBLISHES=2 BENCH_FANOUT_NAIVE_ROUNDS=1 BENCH_HOT_PUBLISHES=8 BENCH_RESUME_CLIENTS=2 BENCH_RESUME_SIZES=5 BENCH_SESSIONS=10 BENCH_SESSIONS_MS=200 BENCH_EVICTION_RUNS=3 npx tsx scripts/bench.ts

echo
if [ "$failed" -gt 0 ]; then
  echo "failed: ${failures[*]}"
fi
echo "Summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

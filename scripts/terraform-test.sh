#!/usr/bin/env bash
# Checks the Terraform half of the repository, offline when a provider mirror is present:
#   1. terraform fmt -check over every .tf / .tftest.hcl / .tfmock.hcl file
#   2. terraform init -backend=false + terraform validate in the root module, each module
#      under modules/ and each example under examples/
#   3. terraform test -test-directory=test/terraform at the root (mocked AWS provider)
#   4. scripts/terraform-consumer-test.sh: the module package planned by a consumer, zips from S3
#   5. the examples' generated resource lists match an offline plan (scripts/example-resources.ts)
#   6. root module configurations plan against the real aws provider, offline (scripts/offline-plan.ts)
# It never builds the Lambda packages: run `npm run build` first so dist/*.zip exist.
# Exits non-zero if any step fails, after running them all and listing the failures.
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root" || exit 1

# shellcheck source=scripts/terraform-cli-config.sh
source "$repo_root/scripts/terraform-cli-config.sh"

export TF_IN_AUTOMATION=1
export TF_INPUT=0
export CHECKPOINT_DISABLE=1

failures=()

step() {
  local label="$1"
  shift
  echo "==> $label"
  if ! "$@"; then
    echo "FAILED: $label" >&2
    failures+=("$label")
    return 1
  fi
}

if ! command -v terraform >/dev/null 2>&1; then
  echo "terraform-test: terraform is not on PATH" >&2
  exit 1
fi
terraform version | head -n 1

artifacts_dir="$repo_root/dist"
missing=()
for fn in authorizer connect disconnect fanout message sweeper teleprinter login-api; do
  [ -f "$artifacts_dir/$fn.zip" ] || missing+=("dist/$fn.zip")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "terraform-test: missing Lambda packages: ${missing[*]}" >&2
  echo "terraform-test: run \`npm run build\` first (Terraform never builds them)" >&2
  exit 1
fi

# fmt: terraform fmt -recursive skips .terraform directories but not node_modules, so list
# the directories holding Terraform files ourselves.
fmt_check() {
  local status=0 dir
  while IFS= read -r dir; do
    terraform fmt -check -diff "$dir" || status=1
  done < <(find . \( -name .terraform -o -name node_modules -o -name .git \) -prune -o \
    -type f \( -name '*.tf' -o -name '*.tftest.hcl' -o -name '*.tfmock.hcl' -o -name '*.tfvars' \) -print |
    xargs -r -n1 dirname | sort -u)
  return "$status"
}
step "terraform fmt -check" fmt_check

validate_dir() {
  local dir="$1"
  (
    cd "$dir" &&
      terraform init -backend=false -input=false -no-color >/dev/null &&
      terraform validate -no-color
  )
}

dirs=(.)
for dir in modules/*/ examples/*/; do
  [ -d "$dir" ] && dirs+=("${dir%/}")
done
for dir in "${dirs[@]}"; do
  step "terraform validate ($dir)" validate_dir "$dir"
done

test_log="$(mktemp)"
trap 'rm -f "$test_log"' EXIT
run_tests() {
  terraform init -backend=false -input=false -no-color -test-directory=test/terraform >/dev/null &&
    terraform test -no-color -test-directory=test/terraform 2>&1 | tee "$test_log"
}
step "terraform test (test/terraform)" run_tests

# The module as a registry or git consumer gets it (no dist/, no sources), planned with the released
# zips from S3.
step "terraform test (module package consumer)" bash "$repo_root/scripts/terraform-consumer-test.sh"

# The resource lists of examples/minimal and examples/complete (their READMEs) from offline plans.
step "example resource lists are fresh" npx tsx scripts/example-resources.ts --check

# Configurations the mocked provider cannot judge: its ARNs are known at plan time, the real
# provider's only after apply (test/terraform/fixtures/real-provider).
step "real provider plan (test/terraform/fixtures/real-provider)" npx tsx scripts/offline-plan.ts

# Restate terraform test's count ("Success! 3 passed, 0 failed.") as a plain closing line.
counts="$(sed -n 's/^.*[^0-9]\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*$/\1 passed, \2 failed/p' "$test_log" | tail -n 1)"

echo
if [ "${#failures[@]}" -gt 0 ]; then
  echo "terraform-test: ${#failures[@]} step(s) failed:" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  if [ -n "$counts" ]; then echo "terraform: $counts"; fi
  exit 1
fi
echo "terraform-test: all steps passed"
if [ -n "$counts" ]; then echo "terraform: $counts"; fi

#!/usr/bin/env bash
# Plans the module as a platform team consumes it, offline: the module package (scripts/module-package.sh,
# without dist/ or any source) under a consumer's root module (test/terraform/fixtures/registry-consumer)
# that sets only the documented required inputs and takes the released zips from S3. Runs
# `terraform validate` in the package and in the consumer, then `terraform test` in the consumer with
# the AWS provider mocked and the bucket's objects carrying the checksums of release/manifest.json, as
# an upload of the release's uploads.txt leaves them.
#
#   bash scripts/terraform-consumer-test.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fixture="$repo_root/test/terraform/fixtures/registry-consumer"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

bash "$repo_root/scripts/module-package.sh" "$work/websocket-sessions"
cp "$fixture/main.tf" "$work/"
mkdir -p "$work/tests/mocks"
cp "$repo_root"/test/terraform/mocks/*.tfmock.hcl "$work/tests/mocks/"
{
  cat "$fixture/consumer.tftest.hcl"
  # One override per released zip: the object's checksum is the manifest's sha256, in base64.
  node -e '
    const manifest = require(process.argv[1]);
    for (const [name, entry] of Object.entries(manifest)) {
      const checksum = Buffer.from(entry.sha256, "hex").toString("base64");
      process.stdout.write(`\noverride_data {\n  target = module.websocket_sessions.data.aws_s3_object.artifact["${name}"]\n  values = { checksum_sha256 = "${checksum}" }\n}\n`);
    }' "$repo_root/release/manifest.json"
} >"$work/tests/consumer.tftest.hcl"

if [ -d "$work/websocket-sessions/dist" ] || [ -d "$work/websocket-sessions/functions" ]; then
  echo "terraform-consumer-test: the package must hold no build or sources" >&2
  exit 1
fi

echo "--> terraform validate (module package)"
(cd "$work/websocket-sessions" && terraform init -backend=false -input=false -no-color >/dev/null && terraform validate -no-color)
echo "--> terraform validate + test (consumer of the package, artifacts from S3)"
cd "$work"
terraform init -backend=false -input=false -no-color >/dev/null
terraform validate -no-color
terraform test -no-color

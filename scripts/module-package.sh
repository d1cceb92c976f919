#!/usr/bin/env bash
# Copies the Terraform module as a consumer gets it from a registry or a git tag into <dir>: the root
# module's .tf files, modules/, the released manifest (release/manifest.json, what the `artifacts`
# input deploys from S3), README.md, CHANGELOG.md and docs/. Nothing built or buildable: no dist/,
# functions/, packages/, sandbox/, scripts/, test/ or node_modules/.
#
#   bash scripts/module-package.sh <dir>
set -euo pipefail

if [ "$#" -ne 1 ]; then
  echo "usage: bash scripts/module-package.sh <dir>" >&2
  exit 2
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$1"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"

cd "$repo_root"
{
  printf '%s\n' ./*.tf README.md CHANGELOG.md release/manifest.json
  find modules docs \( -name .terraform -o -name '.terraform.lock.hcl' \) -prune -o -type f -print
} | while IFS= read -r file; do
  mkdir -p "$dest/$(dirname "$file")"
  cp "$file" "$dest/$file"
done

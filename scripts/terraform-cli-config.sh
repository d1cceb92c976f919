#!/usr/bin/env bash
# Writes .terraform-cli.tfrc at the repository root and exports TF_CLI_CONFIG_FILE.
#
# Source it so the export reaches your shell:
#   source scripts/terraform-cli-config.sh && terraform init
#
# When a local provider mirror holding hashicorp/aws is found, hashicorp/* providers are
# installed from it (no network needed); other providers still come from their registry.
# Mirrors are looked up in this order: $TF_PLUGIN_MIRROR, /opt/tf-plugins,
# /usr/share/terraform/plugins, ~/.terraform.d/plugins. Without one, Terraform installs
# providers from the registry as usual.

_tf_cli_repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

_tf_cli_find_mirror() {
  local candidate
  for candidate in "${TF_PLUGIN_MIRROR:-}" /opt/tf-plugins /usr/share/terraform/plugins "${HOME:-/nonexistent}/.terraform.d/plugins"; do
    if [ -n "$candidate" ] && [ -d "$candidate/registry.terraform.io/hashicorp/aws" ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

_tf_cli_config="$_tf_cli_repo_root/.terraform-cli.tfrc"

if _tf_cli_mirror="$(_tf_cli_find_mirror)"; then
  cat >"$_tf_cli_config" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$_tf_cli_mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
TFRC
  echo "terraform-cli-config: providers from mirror $_tf_cli_mirror ($_tf_cli_config)"
else
  cat >"$_tf_cli_config" <<TFRC
provider_installation {
  direct {}
}
TFRC
  echo "terraform-cli-config: no local provider mirror found; providers from the registry ($_tf_cli_config)"
fi

export TF_CLI_CONFIG_FILE="$_tf_cli_config"
unset _tf_cli_repo_root _tf_cli_config _tf_cli_mirror
unset -f _tf_cli_find_mirror

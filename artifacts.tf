# Where each function's package comes from: a local directory (artifacts_dir, by default <module>/dist,
# written by `npm run build`) or S3 (artifacts: the zips `npm run release` lists, one key per content
# hash). Either way each zip is checked against the manifest's sha256 before anything is planned, so a
# missing, tampered or mismatched zip fails the plan with one error that says what to do.

locals {
  # The functions the stack deploys, each from <name>.zip (scripts/build.ts FUNCTIONS;
  # test/terraform/artifacts.tftest.hcl checks the released manifest lists exactly these).
  artifact_functions = ["authorizer", "connect", "disconnect", "fanout", "message", "sweeper"]

  artifacts_from_s3 = var.artifacts != null

  # Local: <artifacts_dir>/manifest.json, written by `npm run build` beside the zips. S3: the manifest
  # passed in, else the module's released copy (release/manifest.json, written by `npm run release`).
  artifacts_manifest_file = local.artifacts_from_s3 ? "${path.module}/release/manifest.json" : "${local.artifacts_dir}/manifest.json"
  artifacts_manifest_text = try(var.artifacts.manifest, null) != null ? var.artifacts.manifest : (fileexists(local.artifacts_manifest_file) ? file(local.artifacts_manifest_file) : null)
  artifacts_manifest      = try(jsondecode(local.artifacts_manifest_text), null)

  artifacts_missing = local.artifacts_from_s3 ? (local.artifacts_manifest_text == null ? [local.artifacts_manifest_file] : []) : concat(
    [for name in local.artifact_functions : "${name}.zip" if !fileexists("${local.artifacts_dir}/${name}.zip")],
    fileexists(local.artifacts_manifest_file) ? [] : ["manifest.json"],
  )

  # Entries the manifest lacks or holds malformed (S3 needs each entry's key too).
  artifacts_manifest_invalid = local.artifacts_manifest_text == null ? [] : [
    for name in local.artifact_functions : name
    if !can(regex("^[0-9a-f]{64}$", local.artifacts_manifest[name].sha256)) || (local.artifacts_from_s3 && !can(regex("^[A-Za-z0-9._/-]+\\.zip$", local.artifacts_manifest[name].key)))
  ]

  artifact_sha256 = { for name in local.artifact_functions : name => try(local.artifacts_manifest[name].sha256, null) }

  # Local zips whose content differs from the manifest's sha256.
  artifacts_tampered = local.artifacts_from_s3 ? [] : [
    for name in local.artifact_functions : "${name}.zip (sha256 ${filesha256("${local.artifacts_dir}/${name}.zip")}, manifest ${local.artifact_sha256[name]})"
    if fileexists("${local.artifacts_dir}/${name}.zip") && can(regex("^[0-9a-f]{64}$", local.artifact_sha256[name])) && try(filesha256("${local.artifacts_dir}/${name}.zip") != local.artifact_sha256[name], false)
  ]

  # Lambda's source_code_hash and S3's checksum_sha256 are base64; the manifest's sha256 is hex.
  # Base64 of 32 bytes: ten 3-byte groups of four characters, then 2 bytes (padded to 18 bits) as
  # three characters and "=".
  base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  artifact_source_code_hashes = {
    for name, hex in local.artifact_sha256 : name => can(regex("^[0-9a-f]{64}$", hex)) ? join("", concat(
      flatten([for group in range(10) : [for shift in [262144, 4096, 64, 1] : substr(local.base64_alphabet, floor(parseint(substr(hex, group * 6, 6), 16) / shift) % 64, 1)]]),
      [for shift in [4096, 64, 1] : substr(local.base64_alphabet, floor(parseint(substr(hex, 60, 4), 16) * 4 / shift) % 64, 1)],
      ["="],
    )) : null
  }

  # What each lambda-function module call deploys; every value depends on the checks below.
  artifact_packages = {
    for name in terraform_data.artifacts.input : name => {
      path = local.artifacts_from_s3 ? null : "${local.artifacts_dir}/${name}.zip"
      s3 = try({
        bucket         = data.aws_s3_object.artifact[name].bucket
        key            = data.aws_s3_object.artifact[name].key
        object_version = lookup(var.artifacts.object_versions, name, null)
      }, null)
      source_code_hash = local.artifact_source_code_hashes[name]
    }
  }
}

# Holds no infrastructure: its preconditions stop the plan before any function is planned, with one
# error naming every way to provide the packages, instead of a file function's error per function.
resource "terraform_data" "artifacts" {
  input = local.artifact_functions

  lifecycle {
    precondition {
      condition     = length(local.artifacts_missing) == 0
      error_message = local.artifacts_from_s3 ? "No artifacts manifest: ${local.artifacts_manifest_file} is missing and artifacts.manifest is not set. Pass the manifest `npm run release` wrote (artifacts = { s3_bucket = ..., manifest = file(\"release/manifest.json\") }), or use a released version of the module, which carries it." : "No Lambda packages in ${local.artifacts_dir} (missing: ${join(", ", local.artifacts_missing)}); Terraform never builds them. Either run `npm ci && npm run build` in the module's directory (it writes dist/), or set artifacts_dir to a directory holding the six zips and the manifest.json the build writes, or deploy the released zips from S3: artifacts = { s3_bucket = \"<bucket>\", s3_key_prefix = \"<prefix>\" } (docs/terraform.md, \"Lambda packages\")."
    }

    precondition {
      condition     = length(local.artifacts_manifest_invalid) == 0
      error_message = "The artifacts manifest (${try(var.artifacts.manifest, null) != null ? "artifacts.manifest" : local.artifacts_manifest_file}) has no valid entry for: ${join(", ", local.artifacts_manifest_invalid)}. Each function needs a hex sha256${local.artifacts_from_s3 ? " and the key `npm run release` writes" : ""}: rebuild with `npm run ${local.artifacts_from_s3 ? "release" : "build"}`."
    }

    precondition {
      condition     = length(local.artifacts_tampered) == 0
      error_message = "Lambda packages in ${local.artifacts_dir} differ from its manifest.json: ${join("; ", local.artifacts_tampered)}. A zip changed after the build is never deployed: rebuild with `npm run build`."
    }
  }
}

# Each zip in S3, read at plan time: its SHA-256 checksum (stored when it was uploaded with
# --checksum-algorithm SHA256, as the release's upload list does) must be the manifest's. Read only
# once the manifest is complete (else terraform_data.artifacts reports it); it must not depend on that
# resource, or Terraform would defer the read, and the check, to the apply.
data "aws_s3_object" "artifact" {
  for_each = local.artifacts_from_s3 && length(local.artifacts_missing) == 0 && length(local.artifacts_manifest_invalid) == 0 ? toset(local.artifact_functions) : toset([])

  bucket        = var.artifacts.s3_bucket
  key           = "${var.artifacts.s3_key_prefix}${local.artifacts_manifest[each.key].key}"
  version_id    = lookup(var.artifacts.object_versions, each.key, null)
  checksum_mode = "ENABLED"

  lifecycle {
    postcondition {
      condition     = self.checksum_sha256 == local.artifact_source_code_hashes[each.key]
      error_message = self.checksum_sha256 == null || self.checksum_sha256 == "" ? "s3://${self.bucket}/${self.key} has no SHA-256 checksum: upload it with `aws s3api put-object --checksum-algorithm SHA256` (the release's uploads.txt lists the commands' arguments) so the plan can check it against the manifest." : "s3://${self.bucket}/${self.key} is not the ${each.key}.zip of the manifest: its SHA-256 is ${self.checksum_sha256} (base64), the manifest's ${local.artifact_source_code_hashes[each.key]}. Upload the release's zip again, or pass the manifest that matches the bucket."
    }
  }
}

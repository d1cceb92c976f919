# One root module for every environment: environments/<env>.tfvars.json holds what differs, and every
# environment deploys the Lambda packages of the same release, from S3 by content hash. The packages
# are named in the module's release/manifest.json (committed with the module, so a commit, or a module
# version, pins the exact zips); the CI workflow uploads them before any environment plans.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "websocket-sessions"
      Environment = var.environment
    }
  }
}

module "websocket_sessions" {
  # In a platform repository: a registry address or "git::https://…/websocket-sessions.git?ref=v0.2.0".
  source = "../.."

  name            = "${var.name}-${var.environment}"
  stage_name      = var.environment
  allowed_origins = var.allowed_origins

  artifacts = {
    s3_bucket     = var.artifacts_bucket
    s3_key_prefix = var.artifacts_key_prefix
    # null: the module's own release/manifest.json.
    manifest = var.artifacts_manifest_file == null ? null : file(var.artifacts_manifest_file)
  }

  # Production keeps its data: no table deletion, point-in-time recovery on.
  deletion_protection_enabled    = var.environment == "prod"
  point_in_time_recovery_enabled = var.environment == "prod"
  log_retention_in_days          = var.log_retention_in_days
  alarm_actions                  = var.alarm_actions
}

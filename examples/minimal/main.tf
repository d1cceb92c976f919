provider "aws" {
  region = var.region
}

module "websocket_sessions" {
  source = "../../"

  name          = var.name
  stage_name    = var.stage_name
  artifacts_dir = var.artifacts_dir

  auth_mode            = "anonymous"
  allowed_origins      = var.allowed_origins
  allow_missing_origin = true

  # A throwaway stack: let `terraform destroy` remove the table, and no alarms (the production
  # features are all on in examples/complete).
  deletion_protection_enabled = false
  alarms_enabled              = false

  tags = {
    Project     = "websocket-sessions"
    Environment = var.stage_name
  }
}

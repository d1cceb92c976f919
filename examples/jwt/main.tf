provider "aws" {
  region = var.region
}

module "websocket_sessions" {
  source = "../../"

  name          = var.name
  stage_name    = var.stage_name
  artifacts_dir = var.artifacts_dir

  # Clients connect with new WebSocket(url, ["ws-sessions.v1", "bearer." + token]). The keys
  # come from the identity provider's JWKS, so the authorizer needs no IAM for them.
  auth_mode = "jwt"
  jwt = {
    algorithms = var.jwt_algorithms
    issuer     = var.jwt_issuer
    audience   = var.jwt_audience
    jwks_url   = var.jwks_url
  }

  allowed_origins      = var.allowed_origins
  allow_missing_origin = true

  # A throwaway stack: let `terraform destroy` remove the table.
  deletion_protection_enabled = false

  tags = {
    Project     = "websocket-sessions"
    Environment = var.stage_name
  }
}

provider "aws" {
  region = var.region
}

locals {
  artifacts_dir = coalesce(var.artifacts_dir, "${path.module}/../../dist")
  # The HTTP API's route keys, by route name: the function dispatches on the same file (functions/routes.ts).
  route_keys = jsondecode(file("${path.module}/routes.json"))
  # The module's cookie key set (SESSION_COOKIE_KEYS_SSM_PARAMETER, a name), as an ARN in the table's
  # partition, Region and account.
  table_arn_parts           = split(":", module.websocket_sessions.table_arn)
  cookie_keys_parameter_arn = "arn:${local.table_arn_parts[1]}:ssm:${local.table_arn_parts[3]}:${local.table_arn_parts[4]}:parameter${module.websocket_sessions.session_cookie_environment["SESSION_COOKIE_KEYS_SSM_PARAMETER"]}"
  # What the login API's code calls (dist/manifest.json, derived from its code by the build).
  permissions = jsondecode(file("${local.artifacts_dir}/manifest.json"))["login-api"].permissions

  tags = {
    Project     = "websocket-sessions"
    Example     = "login-flow"
    Environment = var.stage_name
  }
}

# The stack: connections authenticated by the session cookie the login API sets (jwt mode, with the
# cookie as a token source at $connect), and the user sessions library's settings and policy.
module "websocket_sessions" {
  source = "../../"

  name          = var.name
  stage_name    = var.stage_name
  artifacts_dir = var.artifacts_dir

  # jwt mode verifies the user sessions' access tokens (HS256, the key in your parameter) for clients
  # that are not browsers; a handshake with no token but the session cookie is authenticated by the
  # cookie (session_cookie.connect), its session looked up as session_check does. The module creates
  # the cookie key set.
  auth_mode = "jwt"
  jwt = {
    algorithms            = ["HS256"]
    key_ssm_parameter_arn = var.access_token_key_ssm_parameter_arn
    session_check         = true
  }
  session_cookie = {
    domain = var.cookie_domain
  }
  allowed_origins      = var.allowed_origins
  allow_missing_origin = false

  user_sessions = {
    max_per_user = var.max_sessions_per_user
  }

  # A throwaway stack: let `terraform destroy` remove the table.
  deletion_protection_enabled = false

  tags = local.tags
}

# The login API: one function behind every route, built by `npm run build` into dist/login-api.zip.
module "login_api" {
  source = "../../modules/lambda-function"

  function_name         = "${var.name}-login-api"
  description           = "The login example's HTTP API: login (password, then TOTP when asked), refresh, logout, logout everywhere, devices, trust this device."
  artifact_path         = "${local.artifacts_dir}/login-api.zip"
  memory_size           = 512 # scrypt of the demo verifier wants memory and CPU
  timeout               = 10
  log_retention_in_days = 14

  environment_variables = merge(
    module.websocket_sessions.user_sessions_environment,
    # The cookie's key set, name and Domain, as the authorizer reads them.
    module.websocket_sessions.session_cookie_environment,
    {
      TABLE_NAME               = module.websocket_sessions.table_name
      FANOUT_QUEUE_URL         = module.websocket_sessions.fanout_queue_url
      NODE_OPTIONS             = "--enable-source-maps"
      SESSION_COOKIE_SAME_SITE = var.cookie_same_site
    },
  )

  policies = {
    # The user sessions' items: exactly what the code calls, on the table (Query on its partitions, no index).
    user-sessions = [{
      sid       = "UserSessionItems"
      actions   = sort([for action in local.permissions.actions : action if startswith(action, "dynamodb:")])
      resources = [module.websocket_sessions.table_arn]
    }]
    # The cookie's key set, and not the access-token key (this function issues no tokens).
    session-cookie-keys = [{
      sid       = "ReadCookieKeysParameter"
      actions   = ["ssm:GetParameter"]
      resources = [local.cookie_keys_parameter_arn]
    }]
    # Ended sessions' sockets: one disconnect record each on the fan-out queue (closeSocketsOnSessionEnd).
    fanout = [{
      sid       = "SendDisconnectRecords"
      actions   = ["sqs:SendMessage"]
      resources = [module.websocket_sessions.fanout_queue_arn]
    }]
  }

  allowed_triggers = {
    HttpApi = {
      principal  = "apigateway.amazonaws.com"
      source_arn = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
    }
  }

  tags = local.tags
}

# The HTTP API (payload format 2.0): every route to the login function.
resource "aws_apigatewayv2_api" "this" {
  name          = "${var.name}-login"
  description   = "The login example's HTTP API (${var.name})."
  protocol_type = "HTTP"
  tags          = local.tags
}

resource "aws_apigatewayv2_integration" "login_api" {
  api_id                 = aws_apigatewayv2_api.this.id
  description            = "Lambda proxy integration of the login API."
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = module.login_api.function_invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "login_api" {
  for_each = local.route_keys

  api_id    = aws_apigatewayv2_api.this.id
  route_key = each.value
  target    = "integrations/${aws_apigatewayv2_integration.login_api.id}"
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    # A login is a password guess: with the coordinator's lockouts, a rate limit keeps guessing slow.
    throttling_burst_limit = 50
    throttling_rate_limit  = 20
  }

  tags = local.tags
}

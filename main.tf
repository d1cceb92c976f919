locals {
  artifacts_dir = coalesce(var.artifacts_dir, "${path.module}/dist")

  # What each auth mode needs from API Gateway. A $connect request missing one of these
  # identity sources is refused with 401 before the authorizer runs. Adding a mode (jwt,
  # two-phase) means adding an entry here and to the auth_mode validation.
  auth_modes = {
    anonymous = {
      # The client offers its random id as a WebSocket subprotocol: new WebSocket(url, id).
      identity_sources = ["route.request.header.Sec-WebSocket-Protocol"]
    }
  }
  auth = local.auth_modes[var.auth_mode]

  # API Gateway ends every connection after 2 hours; a connection item lives that long
  # plus a grace period, so TTL never removes the item of a live connection.
  max_connection_duration_seconds = 7200
  connection_ttl_seconds          = local.max_connection_duration_seconds + var.connection_ttl_grace_seconds

  common_environment = {
    TABLE_NAME        = module.connection_store.table_name
    LOG_LEVEL         = var.log_level
    METRICS_NAMESPACE = var.metrics_namespace
    NODE_OPTIONS      = "--enable-source-maps"
  }

  message_route_keys = concat(["$default"], var.additional_route_keys)

  # Lambda permissions: every function may be invoked by this API only, on its own routes
  # of this stage only (the message function on any route of the stage, as it backs
  # $default and every custom route).
  stage_execution_arn = "${module.websocket_api.api_execution_arn}/${var.stage_name}"

  functions = {
    authorizer = module.authorizer
    connect    = module.connect
    disconnect = module.disconnect
    message    = module.message
  }
}

module "connection_store" {
  source = "./modules/connection-store"

  name                           = "${var.name}-table"
  point_in_time_recovery_enabled = var.point_in_time_recovery_enabled
  deletion_protection_enabled    = var.deletion_protection_enabled
  kms_key_arn                    = var.kms_key_arn
  tags                           = var.tags
}

module "websocket_api" {
  source = "./modules/websocket-api"

  name       = var.name
  stage_name = var.stage_name

  authorizer = {
    invoke_arn       = module.authorizer.function_invoke_arn
    identity_sources = local.auth.identity_sources
  }

  routes = merge(
    {
      "$connect" = {
        invoke_arn = module.connect.function_invoke_arn
        authorize  = true
      }
      "$disconnect" = {
        invoke_arn = module.disconnect.function_invoke_arn
      }
    },
    { for route_key in local.message_route_keys : route_key => { invoke_arn = module.message.function_invoke_arn } },
  )

  throttling_burst_limit          = var.throttling_burst_limit
  throttling_rate_limit           = var.throttling_rate_limit
  log_retention_in_days           = var.log_retention_in_days
  create_api_gateway_account_role = var.create_api_gateway_account_role
  tags                            = var.tags
}

module "authorizer" {
  source = "./modules/lambda-function"

  function_name         = "${var.name}-authorizer"
  description           = "Authorizes WebSocket $connect requests (${var.auth_mode} mode)."
  artifact_path         = "${local.artifacts_dir}/authorizer.zip"
  architecture          = var.lambda_architecture
  memory_size           = var.lambda_memory_size
  timeout               = var.lambda_timeout
  log_retention_in_days = var.log_retention_in_days

  environment_variables = merge(local.common_environment, {
    AUTH_MODE            = var.auth_mode
    ALLOWED_ORIGINS      = join(",", var.allowed_origins)
    ALLOW_MISSING_ORIGIN = tostring(var.allow_missing_origin)
  })

  allowed_triggers = {
    ApiGatewayAuthorizer = {
      principal  = "apigateway.amazonaws.com"
      source_arn = "${module.websocket_api.api_execution_arn}/authorizers/${module.websocket_api.authorizer_id}"
    }
  }

  tags = var.tags
}

module "connect" {
  source = "./modules/lambda-function"

  function_name         = "${var.name}-connect"
  description           = "Handles the WebSocket $connect route: records the connection."
  artifact_path         = "${local.artifacts_dir}/connect.zip"
  architecture          = var.lambda_architecture
  memory_size           = var.lambda_memory_size
  timeout               = var.lambda_timeout
  log_retention_in_days = var.log_retention_in_days

  environment_variables = merge(local.common_environment, {
    AUTH_MODE              = var.auth_mode
    CONNECTION_TTL_SECONDS = tostring(local.connection_ttl_seconds)
  })

  policies = {
    table = [{
      sid       = "PutConnection"
      actions   = ["dynamodb:PutItem"]
      resources = [module.connection_store.table_arn]
    }]
  }

  allowed_triggers = {
    ApiGatewayConnectRoute = {
      principal  = "apigateway.amazonaws.com"
      source_arn = "${local.stage_execution_arn}/$connect"
    }
  }

  tags = var.tags
}

module "disconnect" {
  source = "./modules/lambda-function"

  function_name         = "${var.name}-disconnect"
  description           = "Handles the WebSocket $disconnect route: removes the connection."
  artifact_path         = "${local.artifacts_dir}/disconnect.zip"
  architecture          = var.lambda_architecture
  memory_size           = var.lambda_memory_size
  timeout               = var.lambda_timeout
  log_retention_in_days = var.log_retention_in_days

  environment_variables = local.common_environment

  policies = {
    table = [{
      sid       = "ReadAndDeleteConnection"
      actions   = ["dynamodb:DeleteItem", "dynamodb:GetItem"]
      resources = [module.connection_store.table_arn]
    }]
  }

  allowed_triggers = {
    ApiGatewayDisconnectRoute = {
      principal  = "apigateway.amazonaws.com"
      source_arn = "${local.stage_execution_arn}/$disconnect"
    }
  }

  tags = var.tags
}

module "message" {
  source = "./modules/lambda-function"

  function_name         = "${var.name}-message"
  description           = "Handles WebSocket messages: $default and the custom routes."
  artifact_path         = "${local.artifacts_dir}/message.zip"
  architecture          = var.lambda_architecture
  memory_size           = var.lambda_memory_size
  timeout               = var.lambda_timeout
  log_retention_in_days = var.log_retention_in_days

  environment_variables = merge(
    local.common_environment,
    var.management_endpoint_override == null ? {} : { MANAGEMENT_ENDPOINT = var.management_endpoint_override },
  )

  policies = {
    table = [
      {
        sid       = "ReadAndDeleteItems"
        actions   = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query"]
        resources = [module.connection_store.table_arn]
      },
      {
        sid       = "QueryIndexes"
        actions   = ["dynamodb:Query"]
        resources = [module.connection_store.table_index_arn_pattern]
      },
    ]
    manage-connections = [{
      sid       = "PostToConnections"
      actions   = ["execute-api:ManageConnections"]
      resources = ["${local.stage_execution_arn}/POST/@connections/*"]
    }]
  }

  allowed_triggers = {
    ApiGatewayMessageRoutes = {
      principal  = "apigateway.amazonaws.com"
      source_arn = "${local.stage_execution_arn}/*"
    }
  }

  tags = var.tags
}

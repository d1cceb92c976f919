provider "aws" {
  region = var.region
}

locals {
  artifacts_dir = coalesce(var.artifacts_dir, "${path.module}/../../dist")
}

# The stack, in anonymous mode: the client's random id is its subprotocol and its identity.
module "websocket_sessions" {
  source = "../../"

  name          = var.name
  stage_name    = var.stage_name
  artifacts_dir = var.artifacts_dir

  auth_mode            = "anonymous"
  allowed_origins      = var.allowed_origins
  allow_missing_origin = true

  # The cursor lives in the user's session, which outlives its connection this long.
  # The sample's contract: the anonymous id alone continues its user's printout (weaker than the
  # default, where taking over a session needs its resume token too; see docs/protocol.md).
  session = {
    resume_window_seconds = var.resume_window_seconds
    resume                = "id"
  }

  # {"action":"teleprinter"} reaches the teleprinter function instead of the message function.
  custom_routes = {
    teleprinter = {
      function_arn = module.teleprinter.function_arn
    }
  }

  # A throwaway stack: let `terraform destroy` remove the table.
  deletion_protection_enabled = false

  tags = local.tags
}

locals {
  tags = {
    Project     = "websocket-sessions"
    Example     = "anonymous-resume"
    Environment = var.stage_name
  }
}

# The teleprinter, built by `npm run build` into dist/teleprinter.zip beside the stack's functions.
module "teleprinter" {
  source = "../../modules/lambda-function"

  function_name         = "${var.name}-teleprinter"
  description           = "Streams a text one character per frame from the cursor kept in the user's session ({\"action\":\"teleprinter\"})."
  artifact_path         = "${local.artifacts_dir}/teleprinter.zip"
  memory_size           = 256
  timeout               = 30 # API Gateway ends the integration after 29 s; the function refuses texts taking over 25 s.
  log_retention_in_days = 14

  environment_variables = merge(
    {
      TABLE_NAME              = module.websocket_sessions.table_name
      LOG_LEVEL               = "info"
      NODE_OPTIONS            = "--enable-source-maps"
      TELEPRINTER_INTERVAL_MS = tostring(var.teleprinter_interval_ms)
      # A session linked to a connection lives as long as the connection's item.
      CONNECTION_TTL_SECONDS = module.websocket_sessions.function_environment_variables["connect"]["CONNECTION_TTL_SECONDS"]
    },
    var.teleprinter_text == null ? {} : { TELEPRINTER_TEXT = var.teleprinter_text },
  )

  policies = {
    table = [
      {
        # Sessions: create (a TransactWriteItems of a Put and an Update, authorized as PutItem and
        # UpdateItem), attach to the connection, read and write the versioned state.
        sid       = "ReadAndWriteSessions"
        actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
        resources = [module.websocket_sessions.table_arn]
      },
      {
        # The user's sessions: GSI1 USER#{userId} / SESSION#{sessionId}.
        sid       = "FindUserSessions"
        actions   = ["dynamodb:Query"]
        resources = ["${module.websocket_sessions.table_arn}/index/GSI1"]
      },
    ]
    manage-connections = [{
      sid       = "PostToConnections"
      actions   = ["execute-api:ManageConnections"]
      resources = ["${module.websocket_sessions.api_execution_arn}/${module.websocket_sessions.stage_name}/POST/@connections/*"]
    }]
  }

  # The invoke permission is the root module's (custom_routes), scoped to the teleprinter route.

  tags = local.tags
}

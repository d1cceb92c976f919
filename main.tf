locals {
  # One pattern per ARN kind, shared by every validation of the root module and the submodules.
  arn_patterns = jsondecode(file("${path.module}/modules/arn-patterns.json"))

  artifacts_dir = coalesce(var.artifacts_dir, "${path.module}/dist")

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

  # The sweeper (invoked by EventBridge Scheduler) and the fanout function (by its SQS event source
  # mapping) never receive an API Gateway event, so they cannot derive the Management API endpoint
  # from one as the message function does.
  management_endpoint = var.management_endpoint_override != null ? var.management_endpoint_override : module.websocket_api.stage_management_endpoint

  # Each function's environment holds exactly the settings its `<name>.settings.ts` declares as
  # passed by Terraform (dist/manifest.json `settings`; test/terraform/settings.tftest.hcl checks it).

  functions = {
    authorizer = module.authorizer
    connect    = module.connect
    disconnect = module.disconnect
    fanout     = module.fanout
    message    = module.message
    sweeper    = module.sweeper
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
  route_throttling                = var.route_throttling
  custom_domain                   = var.custom_domain
  log_kms_key_arn                 = var.kms_key_arn
  log_retention_in_days           = var.log_retention_in_days
  create_api_gateway_account_role = var.create_api_gateway_account_role
  tags                            = var.tags
}

module "authorizer" {
  source = "./modules/lambda-function"

  function_name                  = "${var.name}-authorizer"
  description                    = "Authorizes WebSocket $connect requests (${var.auth_mode} mode)."
  artifact_path                  = local.artifact_packages["authorizer"].path
  artifact_s3                    = local.artifact_packages["authorizer"].s3
  source_code_hash               = local.artifact_packages["authorizer"].source_code_hash
  architecture                   = var.lambda_architecture
  memory_size                    = var.lambda_memory_size
  timeout                        = var.lambda_timeout
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = lookup(var.reserved_concurrency, "authorizer", null)
  tracing_enabled                = var.tracing_enabled
  log_kms_key_arn                = var.kms_key_arn

  environment_variables = merge(local.common_environment, local.auth.authorizer_environment, {
    AUTH_MODE            = var.auth_mode
    ALLOWED_ORIGINS      = join(",", var.allowed_origins)
    ALLOW_MISSING_ORIGIN = tostring(var.allow_missing_origin)
  }, var.allow_guests && var.auth_mode != "anonymous" ? { ALLOW_GUESTS = "true" } : {})

  # The sid check reads the table (jwt.session_check): then it needs the table's key too.
  policies = { for concern, statements in local.auth.authorizer_policies : concern => concern == "session-check" ? concat(statements, local.table_key_statements) : statements }

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

  function_name                  = "${var.name}-connect"
  description                    = "Handles the WebSocket $connect route: records the connection."
  artifact_path                  = local.artifact_packages["connect"].path
  artifact_s3                    = local.artifact_packages["connect"].s3
  source_code_hash               = local.artifact_packages["connect"].source_code_hash
  architecture                   = var.lambda_architecture
  memory_size                    = var.lambda_memory_size
  timeout                        = var.lambda_timeout
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = lookup(var.reserved_concurrency, "connect", null)
  tracing_enabled                = var.tracing_enabled
  log_kms_key_arn                = var.kms_key_arn

  environment_variables = merge(local.common_environment, local.auth.connect_environment, {
    AUTH_MODE                = var.auth_mode
    CONNECTION_TTL_SECONDS   = tostring(local.connection_ttl_seconds)
    MAX_CONNECTIONS_PER_USER = tostring(var.max_connections_per_user)
    HANDSHAKES_PER_IP        = tostring(var.handshake_rate_limit.handshakes)
    HANDSHAKE_WINDOW_SECONDS = tostring(var.handshake_rate_limit.window_seconds)
  })

  policies = merge({
    table = concat([
      {
        # The connection is put in a TransactWriteItems with the UpdateItem counting it on its
        # user's counter (read first with GetItem); UpdateItem also counts handshakes per source IP.
        sid       = "PutConnection"
        actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
        resources = [module.connection_store.table_arn]
      },
      {
        # Recounting a user's connections to repair a counter that drifted (at the cap only).
        sid       = "CountUserConnections"
        actions   = ["dynamodb:Query"]
        resources = ["${module.connection_store.table_arn}/index/GSI1"]
      },
    ], local.table_key_statements)
  })

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

  function_name                  = "${var.name}-disconnect"
  description                    = "Handles the WebSocket $disconnect route: removes the connection."
  artifact_path                  = local.artifact_packages["disconnect"].path
  artifact_s3                    = local.artifact_packages["disconnect"].s3
  source_code_hash               = local.artifact_packages["disconnect"].source_code_hash
  architecture                   = var.lambda_architecture
  memory_size                    = var.lambda_memory_size
  timeout                        = var.lambda_timeout
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = lookup(var.reserved_concurrency, "disconnect", null)
  tracing_enabled                = var.tracing_enabled
  log_kms_key_arn                = var.kms_key_arn

  environment_variables = merge(local.common_environment, local.session_environment, local.session_expiry_environment)

  policies = merge(local.session_expiry_policies, {
    table = concat([
      {
        # GetItem, then DeleteItem the connection in a TransactWriteItems with the UpdateItem counting
        # it out of its user's counter; UpdateItem marks its resumable session inactive.
        sid       = "ReadAndDeleteConnection"
        actions   = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:UpdateItem"]
        resources = [module.connection_store.table_arn]
      },
      {
        # The connection's subscriptions: GSI1 CONNECTION#{id} / CHANNEL#{name}.
        sid       = "FindSubscriptions"
        actions   = ["dynamodb:Query"]
        resources = ["${module.connection_store.table_arn}/index/GSI1"]
      },
      {
        sid       = "DeleteSubscriptions"
        actions   = ["dynamodb:BatchWriteItem"]
        resources = [module.connection_store.table_arn]
      },
    ], local.table_key_statements)
  })

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

  function_name                  = "${var.name}-message"
  description                    = "Handles WebSocket messages: $default and the custom routes (${var.auth_mode} mode)."
  artifact_path                  = local.artifact_packages["message"].path
  artifact_s3                    = local.artifact_packages["message"].s3
  source_code_hash               = local.artifact_packages["message"].source_code_hash
  architecture                   = var.lambda_architecture
  memory_size                    = var.lambda_memory_size
  timeout                        = var.lambda_timeout
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = lookup(var.reserved_concurrency, "message", null)
  tracing_enabled                = var.tracing_enabled
  log_kms_key_arn                = var.kms_key_arn

  environment_variables = merge(
    local.common_environment,
    {
      AUTH_MODE                   = var.auth_mode
      MESSAGE_RATE_LIMIT          = tostring(var.message_rate_limit.messages)
      MESSAGE_RATE_WINDOW_SECONDS = tostring(var.message_rate_limit.window_seconds)
      # Checks a message's size before enqueueing it; only the fanout function writes channel logs.
      MAX_PAYLOAD_BYTES = tostring(var.max_payload_bytes)
    },
    {
      # publish and broadcast frames are enqueued as publish records for the fanout function.
      FANOUT_QUEUE_URL                 = module.fanout_queue.queue_url
      MAX_SUBSCRIPTIONS_PER_CONNECTION = tostring(var.max_subscriptions_per_connection)
      # A two-phase connection counts against its user's cap when it authenticates.
      MAX_CONNECTIONS_PER_USER = tostring(var.max_connections_per_user)
      # A subscription expires with its connection; an auth frame also renews the connection's TTL.
      CONNECTION_TTL_SECONDS = tostring(local.connection_ttl_seconds)
    },
    length(var.action_permissions) == 0 ? {} : { ACTION_PERMISSIONS = jsonencode(var.action_permissions) },
    var.management_endpoint_override == null ? {} : { MANAGEMENT_ENDPOINT = var.management_endpoint_override },
    local.session_environment,
    local.session_expiry_environment,
    local.session_key.env,
    { SESSION_RESUME = var.session.resume, SESSION_HEARTBEAT_SECONDS = tostring(var.session.heartbeat_seconds) },
    local.auth.message_environment,
  )

  policies = merge(local.auth.message_policies, local.session_expiry_cancel_policies, { session-key = concat(local.session_key_policies.session-key, local.session_key_kms_statements) }, {
    table = concat([
      {
        # UpdateItem counts each message against the connection's budget, on the connection's item.
        # Replays read a channel's log in the fanout function, so the table itself is not queried here.
        sid       = "ReadAndDeleteItems"
        actions   = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:UpdateItem"]
        resources = [module.connection_store.table_arn]
      },
      {
        # A connection's subscriptions: GSI1 CONNECTION#{id} / CHANNEL#{name}.
        sid       = "FindSubscriptions"
        actions   = ["dynamodb:Query"]
        resources = ["${module.connection_store.table_arn}/index/GSI1"]
      },
      {
        # subscribe puts the subscription item CHANNEL#{name} / CONNECTION#{id} (in a
        # TransactWriteItems with the UpdateItem counting it on the connection); a connection found
        # gone (410) loses its subscriptions in BatchWriteItem deletes.
        sid       = "WriteSubscriptions"
        actions   = ["dynamodb:BatchWriteItem", "dynamodb:PutItem"]
        resources = [module.connection_store.table_arn]
      },
    ], local.table_key_statements)
    manage-connections = [{
      # DELETE closes a connection that keeps exceeding its message budget.
      sid       = "PostToAndCloseConnections"
      actions   = ["execute-api:ManageConnections"]
      resources = ["${local.stage_execution_arn}/POST/@connections/*", "${local.stage_execution_arn}/DELETE/@connections/*"]
    }]
    # What a backend publisher gets to send (publisher_policy_json, which also grants its reads).
    fanout-queue = module.fanout_queue.publisher_policy_statements
  })

  allowed_triggers = {
    ApiGatewayMessageRoutes = {
      principal  = "apigateway.amazonaws.com"
      source_arn = "${local.stage_execution_arn}/*"
    }
  }

  tags = var.tags
}

module "sweeper" {
  source = "./modules/lambda-function"

  function_name                  = local.sweeper_function_name
  description                    = "Closes and deletes stale connections, on a schedule."
  artifact_path                  = local.artifact_packages["sweeper"].path
  artifact_s3                    = local.artifact_packages["sweeper"].s3
  source_code_hash               = local.artifact_packages["sweeper"].source_code_hash
  architecture                   = var.lambda_architecture
  memory_size                    = var.lambda_memory_size
  timeout                        = var.lambda_timeout
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = lookup(var.reserved_concurrency, "sweeper", null)
  tracing_enabled                = var.tracing_enabled
  log_kms_key_arn                = var.kms_key_arn

  environment_variables = merge(local.common_environment, local.auth.sweeper_environment, {
    MANAGEMENT_ENDPOINT = local.management_endpoint
    # The sweeper expires sessions (invoked by their one-time expire-<session id> schedules with
    # {"task":"expire","sessionId":…}) and sweeps any a missed schedule left behind.
    SESSION_RESUME_WINDOW_SECONDS = tostring(var.session.resume_window_seconds)
    # It also sends goaway to connections this long before API Gateway's 2-hour cut.
    SESSION_GOAWAY_BEFORE_SECONDS = tostring(var.session.goaway_before_seconds)
  })

  # Created in every auth mode: it closes two-phase connections past their auth deadline and
  # will sweep other stale state.
  policies = merge({
    table = concat([
      {
        # GSI1: pending two-phase connections; GSI3: expired sessions and connections near the 2-hour cut.
        sid       = "FindStaleConnections"
        actions   = ["dynamodb:Query"]
        resources = ["${module.connection_store.table_arn}/index/GSI1", "${module.connection_store.table_arn}/index/GSI3"]
      },
      {
        # BatchWriteItem deletes a removed connection's subscriptions; DeleteItem stale connections
        # (after a GetItem, in a TransactWriteItems with the UpdateItem counting them out of their
        # users' counters) and expired sessions; UpdateItem marks a connection told goaway and repairs a
        # drifted connection counter; GetItem reads the token expiry of a connection whose deadline
        # record is due, and PutItem moves the record when the token was refreshed.
        sid       = "DeleteStaleConnections"
        actions   = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
        resources = [module.connection_store.table_arn]
      },
    ], local.table_key_statements)
    manage-connections = [{
      # POST tells a late client why it is closed; DELETE closes it.
      sid       = "NotifyAndCloseStaleConnections"
      actions   = ["execute-api:ManageConnections"]
      resources = ["${local.stage_execution_arn}/POST/@connections/*", "${local.stage_execution_arn}/DELETE/@connections/*"]
    }]
  })

  # No resource-based permission: EventBridge Scheduler invokes the function with the
  # scheduler module's execution role, whose identity policy allows lambda:InvokeFunction.

  tags = var.tags
}

module "fanout_queue" {
  source = "./modules/fanout-queue"

  name = var.name

  consumer_function_name   = module.fanout.function_name
  consumer_timeout_seconds = var.fanout.timeout_seconds
  batch_size               = var.fanout.batch_size
  maximum_concurrency      = var.fanout.maximum_concurrency

  max_receive_count         = var.fanout.max_receive_count
  message_retention_seconds = var.fanout.message_retention_seconds
  kms_key_arn               = local.fanout_kms_key_arn
  connection_table_arn      = module.connection_store.table_arn

  alarms_enabled               = var.alarms_enabled
  alarm_actions                = var.alarm_actions
  oldest_message_alarm_seconds = var.fanout.oldest_message_alarm_seconds

  tags = var.tags
}

module "fanout" {
  source = "./modules/lambda-function"

  function_name                  = "${var.name}-fanout"
  description                    = "Consumes the fan-out queue: plans publish records into deliver records and posts them to connections."
  artifact_path                  = local.artifact_packages["fanout"].path
  artifact_s3                    = local.artifact_packages["fanout"].s3
  source_code_hash               = local.artifact_packages["fanout"].source_code_hash
  architecture                   = var.lambda_architecture
  memory_size                    = var.lambda_memory_size
  timeout                        = var.fanout.timeout_seconds
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = lookup(var.reserved_concurrency, "fanout", null)
  tracing_enabled                = var.tracing_enabled
  log_kms_key_arn                = var.kms_key_arn

  environment_variables = merge(local.common_environment, {
    CHANNEL_LOG_RETENTION_SECONDS = tostring(var.channel_log_retention_seconds)
    MAX_PAYLOAD_BYTES             = tostring(var.max_payload_bytes)
    MANAGEMENT_ENDPOINT           = local.management_endpoint
    FANOUT_QUEUE_URL              = module.fanout_queue.queue_url
    FANOUT_DLQ_URL                = module.fanout_queue.dlq_url
    FANOUT_CONCURRENCY            = tostring(var.fanout.concurrency)
    FANOUT_CHUNK_SIZE             = tostring(var.fanout.chunk_size)
    FANOUT_ONE_HOP_MAX            = tostring(var.fanout.one_hop_max)
    FANOUT_PARTITIONS             = tostring(var.fanout.partitions)
    FANOUT_RETRY_ATTEMPTS         = tostring(var.fanout.retry_attempts)
    DELIVERY_LEDGER_TTL_SECONDS   = tostring(module.fanout_queue.queue_message_retention_seconds)
    # A connection found gone (410) on a post makes its resumable session inactive for the window;
    # the sweeper purges it at the window's end (no one-time schedule from here).
    SESSION_RESUME_WINDOW_SECONDS = tostring(var.session.resume_window_seconds)
  })

  policies = merge({
    table = concat([
      {
        # Channel heads and logs: a TransactWriteItems of an Update and Puts, which IAM authorizes
        # as UpdateItem and PutItem (there is no TransactWriteItems action; a ConditionCheck in it
        # would need dynamodb:ConditionCheckItem, and none is used). Delivery ledgers (BatchGetItem
        # for an invocation's records, GetItem, UpdateItem), subscribers (Query on CHANNEL#{name}), a gone connection's items (GetItem,
        # DeleteItem, BatchWriteItem) and its session made inactive (UpdateItem).
        sid       = "ReadAndWriteItems"
        actions   = ["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]
        resources = [module.connection_store.table_arn]
      },
      {
        # Audiences: a user's (GSI1), a tenant's (GSI2) and everyone's (GSI3) connections.
        sid       = "QueryAudiences"
        actions   = ["dynamodb:Query"]
        resources = [for index in ["GSI1", "GSI2", "GSI3"] : "${module.connection_store.table_arn}/index/${index}"]
      },
    ], local.table_key_statements)
    manage-connections = [{
      # Posts, and closes the connections a disconnect record names (a gone one, 410, is only removed).
      sid       = "PostToAndCloseConnections"
      actions   = ["execute-api:ManageConnections"]
      resources = ["${local.stage_execution_arn}/POST/@connections/*", "${local.stage_execution_arn}/DELETE/@connections/*"]
    }]
    fanout-queue = module.fanout_queue.consumer_policy_statements
  })

  # No resource-based permission: the event source mapping polls the queue with the function's
  # own role and invokes it synchronously.

  tags = var.tags
}

module "scheduler" {
  source = "./modules/scheduler"

  name = var.name

  schedules = {
    sweeper = {
      description         = "Runs ${var.name}-sweeper."
      schedule_expression = var.sweeper_schedule_expression
      function_arn        = module.sweeper.function_arn
      # The sandbox invokes the sweeper with the same event (sandbox/project.ts, SWEEPER_INPUT).
      input = { task = "sweep" }
    }
  }

  # One-time session expiry schedules (created by the disconnect function, see session_expiry_*)
  # target the sweeper too; listing it keeps the role's invoke permission if the recurring
  # schedule ever goes.
  one_time_schedule_target_arns = [module.sweeper.function_arn]

  tags = var.tags
}

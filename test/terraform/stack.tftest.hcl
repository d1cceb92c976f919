# Unit tests of the stack, offline: every AWS resource is mocked. Computed attributes that
# the assertions depend on get realistic values below; the rest are random.
#
# The first runs apply the root module and assert its outputs and its submodules' outputs
# (the wiring). The last runs apply one submodule each, to assert attributes of its resources
# that no output shows. The functions' packages are read from dist/ (run `npm run build`).

mock_provider "aws" {
  mock_resource "aws_apigatewayv2_api" {
    defaults = {
      id            = "a1b2c3d4e5"
      arn           = "arn:aws:apigateway:us-east-1::/apis/a1b2c3d4e5"
      api_endpoint  = "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
      execution_arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5"
    }
  }

  mock_resource "aws_apigatewayv2_authorizer" {
    defaults = {
      id = "auth123"
    }
  }

  mock_resource "aws_dynamodb_table" {
    defaults = {
      arn = "arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table"
    }
  }

  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:us-east-1:123456789012:log-group:mocked"
    }
  }

  mock_resource "aws_lambda_function" {
    defaults = {
      arn        = "arn:aws:lambda:us-east-1:123456789012:function:mocked"
      invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mocked/invocations"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/mocked"
    }
  }

  mock_resource "aws_scheduler_schedule_group" {
    defaults = {
      arn = "arn:aws:scheduler:us-east-1:123456789012:schedule-group/websocket-sessions"
    }
  }

  mock_resource "aws_scheduler_schedule" {
    defaults = {
      arn = "arn:aws:scheduler:us-east-1:123456789012:schedule/websocket-sessions/websocket-sessions-sweeper"
    }
  }

  mock_resource "aws_sqs_queue" {
    defaults = {
      id                      = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo"
      url                     = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo"
      arn                     = "arn:aws:sqs:us-east-1:123456789012:websocket-sessions-fanout.fifo"
      sqs_managed_sse_enabled = false
    }
  }

  mock_resource "aws_iam_policy" {
    defaults = {
      arn = "arn:aws:iam::123456789012:policy/websocket-sessions-publisher"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
}

# Every function and role shares the mocked ARNs above; the sweeper and the scheduler's role get
# their own so that the schedule's target and role can be told apart, and the dead-letter queue its
# own so that it differs from the fan-out queue. File level: each run of
# the root module shares one state, so a run-level override would come after the resources exist.
override_resource {
  target = module.sweeper.aws_lambda_function.this
  values = {
    arn = "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
  }
}

override_resource {
  target = module.scheduler.aws_iam_role.execution
  values = {
    arn = "arn:aws:iam::123456789012:role/websocket-sessions-scheduler"
  }
}

override_resource {
  target = module.fanout_queue.aws_sqs_queue.dlq
  values = {
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout-dlq.fifo"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout-dlq.fifo"
    arn = "arn:aws:sqs:us-east-1:123456789012:websocket-sessions-fanout-dlq.fifo"
  }
}

run "routes_target_the_right_functions" {
  command = apply

  assert {
    condition     = output.route_keys == tolist(["$connect", "$default", "$disconnect"])
    error_message = "The API must have exactly the $connect, $disconnect and $default routes by default."
  }

  assert {
    condition     = module.websocket_api.routes["$connect"].authorization_type == "CUSTOM" && module.websocket_api.routes["$connect"].authorizer_id == "auth123"
    error_message = "$connect must be guarded by the REQUEST authorizer (authorization_type CUSTOM)."
  }

  assert {
    condition     = module.websocket_api.routes["$disconnect"].authorization_type == "NONE" && module.websocket_api.routes["$default"].authorization_type == "NONE"
    error_message = "Only $connect may use the authorizer."
  }

  assert {
    condition     = module.websocket_api.authorizer_identity_sources == tolist(["route.request.header.Sec-WebSocket-Protocol"])
    error_message = "In anonymous mode the authorizer's identity source must be the Sec-WebSocket-Protocol header."
  }

  assert {
    condition     = output.websocket_url == "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev"
    error_message = "websocket_url must be the API endpoint followed by the stage."
  }

  assert {
    condition     = output.management_endpoint == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev"
    error_message = "management_endpoint must be https://<api_id>.execute-api.<region>.amazonaws.com/<stage>."
  }

  assert {
    condition     = output.api_id == "a1b2c3d4e5" && output.stage_name == "dev"
    error_message = "api_id and stage_name must come from the API and its stage."
  }

  assert {
    condition     = output.function_names == tomap({ authorizer = "websocket-sessions-authorizer", connect = "websocket-sessions-connect", disconnect = "websocket-sessions-disconnect", fanout = "websocket-sessions-fanout", message = "websocket-sessions-message", sweeper = "websocket-sessions-sweeper" })
    error_message = "Functions must be named <name>-<role>."
  }
}

run "additional_route_keys_reach_the_message_function" {
  command = apply

  variables {
    additional_route_keys = ["ping", "channel.subscribe"]
  }

  assert {
    condition     = output.route_keys == tolist(["$connect", "$default", "$disconnect", "channel.subscribe", "ping"])
    error_message = "Each additional route key must become a route."
  }

  assert {
    condition     = alltrue([for key in ["ping", "channel.subscribe"] : module.websocket_api.routes[key].authorization_type == "NONE"])
    error_message = "Custom routes must not use the authorizer."
  }
}

run "table_follows_schema_json" {
  command = apply

  assert {
    condition     = module.connection_store.table_hash_key == "PK" && module.connection_store.table_range_key == "SK"
    error_message = "The table's keys must be PK and SK, as in schema.json."
  }

  assert {
    condition     = module.connection_store.table_global_secondary_index_names == tolist(["GSI1", "GSI2", "GSI3"])
    error_message = "The table must have the GSI1 (user), GSI2 (tenant) and GSI3 (everyone) indexes of schema.json."
  }

  assert {
    condition     = output.table_ttl_attribute == "ttl"
    error_message = "The TTL attribute must be \"ttl\", as in schema.json."
  }

  assert {
    condition     = output.table_name == "websocket-sessions-table"
    error_message = "The table must be named after var.name."
  }
}

run "functions_get_their_environment" {
  command = apply

  variables {
    allowed_origins = ["https://app.example.com", "http://localhost:3000"]
  }

  assert {
    condition = output.function_environment_variables.authorizer == tomap({
      TABLE_NAME           = "websocket-sessions-table"
      LOG_LEVEL            = "info"
      METRICS_NAMESPACE    = "WebSocketSessions"
      NODE_OPTIONS         = "--enable-source-maps"
      AUTH_MODE            = "anonymous"
      ALLOWED_ORIGINS      = "https://app.example.com,http://localhost:3000"
      ALLOW_MISSING_ORIGIN = "true"
    })
    error_message = "The authorizer's environment does not match the contract."
  }

  assert {
    condition = output.function_environment_variables.connect == tomap({
      TABLE_NAME               = "websocket-sessions-table"
      LOG_LEVEL                = "info"
      METRICS_NAMESPACE        = "WebSocketSessions"
      NODE_OPTIONS             = "--enable-source-maps"
      AUTH_MODE                = "anonymous"
      CONNECTION_TTL_SECONDS   = "7800"
      MAX_CONNECTIONS_PER_USER = "10"
      HANDSHAKES_PER_IP        = "0"
      HANDSHAKE_WINDOW_SECONDS = "60"
    })
    error_message = "The connect function's environment does not match the contract (CONNECTION_TTL_SECONDS = 7200 + 600 by default)."
  }

  assert {
    condition = output.function_environment_variables.disconnect == tomap({
      TABLE_NAME                    = "websocket-sessions-table"
      LOG_LEVEL                     = "info"
      METRICS_NAMESPACE             = "WebSocketSessions"
      NODE_OPTIONS                  = "--enable-source-maps"
      SESSION_RESUME_WINDOW_SECONDS = "120"
      SESSION_SCHEDULE_GROUP        = "websocket-sessions"
      SESSION_SCHEDULER_ROLE_ARN    = "arn:aws:iam::123456789012:role/websocket-sessions-scheduler"
      SESSION_EXPIRY_TARGET_ARN     = "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
    })
    error_message = "The disconnect function's environment does not match the contract (common settings, session settings and expiry schedule wiring)."
  }

  assert {
    condition = output.function_environment_variables.message == tomap({
      TABLE_NAME                       = "websocket-sessions-table"
      LOG_LEVEL                        = "info"
      METRICS_NAMESPACE                = "WebSocketSessions"
      NODE_OPTIONS                     = "--enable-source-maps"
      AUTH_MODE                        = "anonymous"
      MESSAGE_RATE_LIMIT               = "100"
      MESSAGE_RATE_WINDOW_SECONDS      = "10"
      CONNECTION_TTL_SECONDS           = "7800"
      ACTION_PERMISSIONS               = "{\"broadcast\":[\"admin\"]}"
      FANOUT_QUEUE_URL                 = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo"
      MAX_PAYLOAD_BYTES                = "32768"
      MAX_SUBSCRIPTIONS_PER_CONNECTION = "50"
      MAX_CONNECTIONS_PER_USER         = "10"
      SESSION_RESUME_WINDOW_SECONDS    = "120"
      SESSION_HEARTBEAT_SECONDS        = "60"
      SESSION_SCHEDULE_GROUP           = "websocket-sessions"
      SESSION_SCHEDULER_ROLE_ARN       = "arn:aws:iam::123456789012:role/websocket-sessions-scheduler"
      SESSION_EXPIRY_TARGET_ARN        = "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
      SESSION_KEY_SSM_PARAMETER        = "/websocket-sessions/session-resume-key"
      SESSION_RESUME                   = "token"
    })
    error_message = "The message function must get the default message budget, broadcast reserved to admins, the fan-out queue, the payload size cap, the session settings and expiry schedule wiring, the module's resume token key parameter and the default resume mode (token), and no MANAGEMENT_ENDPOINT unless it is set."
  }

  assert {
    condition = output.function_environment_variables.sweeper == tomap({
      TABLE_NAME          = "websocket-sessions-table"
      LOG_LEVEL           = "info"
      METRICS_NAMESPACE   = "WebSocketSessions"
      NODE_OPTIONS        = "--enable-source-maps"
      MANAGEMENT_ENDPOINT = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev"
      # The sweeper expires sessions and tells connections near the 2-hour cut to go away; it
      # creates no schedule and reads no resume token key.
      SESSION_RESUME_WINDOW_SECONDS = "120"
      SESSION_GOAWAY_BEFORE_SECONDS = "300"
    })
    error_message = "The sweeper must get the common settings, the stage's own Management API endpoint (no event tells it), the resume window and the goaway lead."
  }

  assert {
    condition = output.function_environment_variables.fanout == tomap({
      TABLE_NAME                    = "websocket-sessions-table"
      LOG_LEVEL                     = "info"
      METRICS_NAMESPACE             = "WebSocketSessions"
      NODE_OPTIONS                  = "--enable-source-maps"
      MANAGEMENT_ENDPOINT           = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev"
      FANOUT_QUEUE_URL              = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo"
      FANOUT_DLQ_URL                = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout-dlq.fifo"
      FANOUT_CONCURRENCY            = "16"
      FANOUT_CHUNK_SIZE             = "100"
      FANOUT_PARTITIONS             = "8"
      FANOUT_RETRY_ATTEMPTS         = "3"
      CHANNEL_LOG_RETENTION_SECONDS = "3600"
      DELIVERY_LEDGER_TTL_SECONDS   = "345600"
      MAX_PAYLOAD_BYTES             = "32768"
      SESSION_RESUME_WINDOW_SECONDS = "120"
    })
    error_message = "The fanout function must get the common settings, the stage's Management API endpoint (no event tells it), both queues, the default fan-out settings, the channel settings, the queue's retention as its ledger TTL and the resume window (a connection found gone detaches its session)."
  }
}

run "settings_reach_the_functions" {
  command = apply

  variables {
    stage_name                   = "prod"
    allow_missing_origin         = false
    allowed_origins              = ["*"]
    connection_ttl_grace_seconds = 0
    log_level                    = "debug"
    metrics_namespace            = "Acme/WebSockets"
    management_endpoint_override = "https://ws.example.com/v1"
  }

  assert {
    condition     = output.function_environment_variables.authorizer.ALLOW_MISSING_ORIGIN == "false" && output.function_environment_variables.authorizer.ALLOWED_ORIGINS == "*"
    error_message = "allow_missing_origin and allowed_origins must reach the authorizer."
  }

  assert {
    condition     = output.function_environment_variables.connect.CONNECTION_TTL_SECONDS == "7200"
    error_message = "CONNECTION_TTL_SECONDS must be 7200 + connection_ttl_grace_seconds."
  }

  assert {
    condition     = output.function_environment_variables.message.MANAGEMENT_ENDPOINT == "https://ws.example.com/v1"
    error_message = "management_endpoint_override must reach the message function as MANAGEMENT_ENDPOINT."
  }

  assert {
    condition     = output.function_environment_variables.sweeper.MANAGEMENT_ENDPOINT == "https://ws.example.com/v1"
    error_message = "management_endpoint_override must replace the stage's endpoint in the sweeper's MANAGEMENT_ENDPOINT."
  }

  assert {
    condition     = alltrue([for env in values(output.function_environment_variables) : env.LOG_LEVEL == "debug" && env.METRICS_NAMESPACE == "Acme/WebSockets"])
    error_message = "log_level and metrics_namespace must reach every function."
  }

  assert {
    condition     = output.websocket_url == "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod"
    error_message = "websocket_url must end with the stage name."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.message["manage-connections"]).Statement[0].Resource == ["arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/@connections/*", "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/DELETE/@connections/*"]
    error_message = "ManageConnections must be scoped to the deployed stage."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.sweeper["manage-connections"]).Statement[0].Resource == ["arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/@connections/*", "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/DELETE/@connections/*"]
    error_message = "The sweeper's ManageConnections must be scoped to the deployed stage."
  }

  assert {
    condition     = output.function_environment_variables.fanout.MANAGEMENT_ENDPOINT == "https://ws.example.com/v1"
    error_message = "management_endpoint_override must replace the stage's endpoint in the fanout function's MANAGEMENT_ENDPOINT."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.fanout["manage-connections"]).Statement[0].Resource == ["arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/@connections/*"]
    error_message = "The fanout function's ManageConnections must be scoped to POST on the deployed stage."
  }
}

run "functions_run_node_22_on_arm64_by_default" {
  command = apply

  assert {
    condition     = alltrue([for fn in [module.authorizer, module.connect, module.disconnect, module.message, module.sweeper, module.fanout] : fn.function_runtime == "nodejs22.x"])
    error_message = "Every function must run nodejs22.x."
  }

  assert {
    condition     = alltrue([for fn in [module.authorizer, module.connect, module.disconnect, module.message, module.sweeper, module.fanout] : fn.function_architectures == tolist(["arm64"])])
    error_message = "Every function must run on arm64 by default."
  }

  assert {
    condition     = alltrue([for fn in [module.authorizer, module.connect, module.disconnect, module.message, module.sweeper, module.fanout] : fn.log_group_name == "/aws/lambda/${fn.function_name}"])
    error_message = "Every function must log to its own /aws/lambda/<name> group."
  }

  assert {
    condition     = output.function_source_code_hashes.connect == filebase64sha256("dist/connect.zip")
    error_message = "source_code_hash must be the hash of the built zip."
  }
}

run "functions_may_run_on_x86_64" {
  command = apply

  variables {
    lambda_architecture = "x86_64"
  }

  assert {
    condition     = alltrue([for fn in [module.authorizer, module.connect, module.disconnect, module.message, module.sweeper, module.fanout] : fn.function_architectures == tolist(["x86_64"])])
    error_message = "lambda_architecture must reach every function."
  }
}

# Unreserved by default; a reservation reaches exactly the function it names.
run "functions_are_unreserved_by_default" {
  command = plan

  assert {
    condition     = alltrue([for fn in [module.authorizer, module.connect, module.disconnect, module.message, module.sweeper, module.fanout] : coalesce(fn.function_reserved_concurrent_executions, -1) == -1])
    error_message = "No function may reserve concurrency unless reserved_concurrency names it."
  }
}

run "reserved_concurrency_reaches_the_functions_it_names" {
  command = plan

  variables {
    reserved_concurrency = { message = 200, fanout = 20 }
  }

  assert {
    condition     = module.message.function_reserved_concurrent_executions == 200 && module.fanout.function_reserved_concurrent_executions == 20
    error_message = "reserved_concurrency must reach the message and fanout functions' reserved_concurrent_executions."
  }

  assert {
    condition     = alltrue([for fn in [module.authorizer, module.connect, module.disconnect, module.sweeper] : coalesce(fn.function_reserved_concurrent_executions, -1) == -1])
    error_message = "Functions reserved_concurrency does not name must stay unreserved."
  }
}

run "policies_grant_only_what_each_function_needs" {
  command = apply

  # Every role: one inline policy per concern.
  assert {
    condition = { for fn, documents in output.function_role_policy_documents : fn => sort(keys(documents)) } == {
      authorizer = tolist(["logs"])
      connect    = tolist(["logs", "table"])
      disconnect = tolist(["logs", "session-expiry", "table"])
      fanout     = tolist(["fanout-queue", "logs", "manage-connections", "table"])
      message    = tolist(["fanout-queue", "logs", "manage-connections", "session-expiry", "session-key", "table"])
      sweeper    = tolist(["logs", "manage-connections", "table"])
    }
    error_message = "Each role must hold exactly its concerns' policies."
  }

  assert {
    condition = alltrue([for documents in values(output.function_role_policy_documents) : jsondecode(documents.logs) == {
      Version = "2012-10-17"
      Statement = [{
        Sid      = "WriteOwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["arn:aws:logs:us-east-1:123456789012:log-group:mocked:*"]
      }]
    }])
    error_message = "Each function may only write to its own log group."
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.connect.table) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "PutConnection"
          Effect   = "Allow"
          Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
          Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table"]
        },
        {
          Sid      = "CountUserConnections"
          Effect   = "Allow"
          Action   = ["dynamodb:Query"]
          Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table/index/GSI1"]
        },
      ]
    }
    error_message = "The connect function may only put items in the table and query the user index."
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.disconnect.table) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ReadAndDeleteConnection"
          Effect   = "Allow"
          Action   = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:UpdateItem"]
          Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table"]
        },
        {
          Sid      = "FindSubscriptions"
          Effect   = "Allow"
          Action   = ["dynamodb:Query"]
          Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table/index/GSI1"]
        },
        {
          Sid      = "DeleteSubscriptions"
          Effect   = "Allow"
          Action   = ["dynamodb:BatchWriteItem"]
          Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table"]
        },
      ]
    }
    error_message = "The disconnect function may only delete and update (marking its session inactive) items of the table, find the connection's subscriptions on GSI1 and batch-delete them."
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.message.table) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ReadAndDeleteItems"
          Effect   = "Allow"
          Action   = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:UpdateItem"]
          Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table"]
        },
        {
          Sid      = "FindSubscriptions"
          Effect   = "Allow"
          Action   = ["dynamodb:Query"]
          Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table/index/GSI1"]
        },
        {
          Sid      = "WriteSubscriptions"
          Effect   = "Allow"
          Action   = ["dynamodb:BatchWriteItem", "dynamodb:PutItem"]
          Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table"]
        },
      ]
    }
    error_message = "The message function may only get, query, update and delete items of the table, query GSI1 (a connection's subscriptions), and put (subscribe) and batch-delete (a gone connection's) subscriptions."
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.message["manage-connections"]) == {
      Version = "2012-10-17"
      Statement = [{
        Sid      = "PostToAndCloseConnections"
        Effect   = "Allow"
        Action   = ["execute-api:ManageConnections"]
        Resource = ["arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev/POST/@connections/*", "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev/DELETE/@connections/*"]
      }]
    }
    error_message = "The message function may only post to and close connections of this API's stage."
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.sweeper.table) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid    = "FindStaleConnections"
          Effect = "Allow"
          Action = ["dynamodb:Query"]
          Resource = [
            "arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table/index/GSI1",
            "arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table/index/GSI3",
          ]
        },
        {
          Sid      = "DeleteStaleConnections"
          Effect   = "Allow"
          Action   = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
          Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table"]
        },
      ]
    }
    error_message = "The sweeper may only query GSI1 (pending connections, token deadlines) and GSI3 (expired sessions, connections near the 2-hour cut), delete, get, put (a moved token deadline) and update items of the table and batch-delete a removed connection's subscriptions."
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.sweeper["manage-connections"]) == {
      Version = "2012-10-17"
      Statement = [{
        Sid      = "NotifyAndCloseStaleConnections"
        Effect   = "Allow"
        Action   = ["execute-api:ManageConnections"]
        Resource = ["arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev/POST/@connections/*", "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev/DELETE/@connections/*"]
      }]
    }
    error_message = "The sweeper may only post to and close connections of this API's stage."
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.fanout.table) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ReadAndWriteItems"
          Effect   = "Allow"
          Action   = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]
          Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table"]
        },
        {
          Sid    = "QueryAudiences"
          Effect = "Allow"
          Action = ["dynamodb:Query"]
          Resource = [
            "arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table/index/GSI1",
            "arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table/index/GSI2",
            "arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table/index/GSI3",
          ]
        },
      ]
    }
    error_message = "The fanout function may only read and write items of the table (no Scan, no table management) and query its audience indexes GSI1, GSI2 and GSI3."
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.fanout["manage-connections"]) == {
      Version = "2012-10-17"
      Statement = [{
        Sid      = "PostToConnections"
        Effect   = "Allow"
        Action   = ["execute-api:ManageConnections"]
        Resource = ["arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev/POST/@connections/*"]
      }]
    }
    error_message = "The fanout function may only post to connections of this API's stage: no DELETE, no GET."
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.fanout["fanout-queue"]) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ConsumeFanoutQueue"
          Effect   = "Allow"
          Action   = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
          Resource = ["arn:aws:sqs:us-east-1:123456789012:websocket-sessions-fanout.fifo"]
        },
        {
          Sid      = "EnqueueDeliveriesAndDeadLetters"
          Effect   = "Allow"
          Action   = ["sqs:SendMessage"]
          Resource = ["arn:aws:sqs:us-east-1:123456789012:websocket-sessions-fanout.fifo", "arn:aws:sqs:us-east-1:123456789012:websocket-sessions-fanout-dlq.fifo"]
        },
      ]
    }
    error_message = "The fanout function may only consume the fan-out queue and send to it and to its dead-letter queue (no KMS grant without fanout.kms_key_arn)."
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.message["fanout-queue"]) == {
      Version = "2012-10-17"
      Statement = [{
        Sid      = "SendToFanoutQueue"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = ["arn:aws:sqs:us-east-1:123456789012:websocket-sessions-fanout.fifo"]
      }]
    }
    error_message = "The message function may only send to the fan-out queue (not receive from it, not send to its dead-letter queue)."
  }

  # Belt and braces over every document: no wildcard resource, no service-wide action, Allow only.
  assert {
    condition = alltrue(flatten([
      for documents in values(output.function_role_policy_documents) : [
        for document in values(documents) : [
          for statement in jsondecode(document).Statement : [
            statement.Effect == "Allow",
            alltrue([for resource in statement.Resource : resource != "*" && startswith(resource, "arn:")]),
            alltrue([for action in statement.Action : !strcontains(action, "*")]),
          ]
        ]
      ]
    ]))
    error_message = "No policy may grant a \"*\" resource or a wildcard action."
  }

  assert {
    condition = jsondecode(module.connect.role_assume_role_policy) == {
      Version = "2012-10-17"
      Statement = [{
        Sid       = "LambdaAssumeRole"
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { Service = "lambda.amazonaws.com" }
      }]
    }
    error_message = "Function roles must only be assumable by Lambda."
  }
}

run "invoke_permissions_are_scoped_to_the_api" {
  command = apply

  assert {
    condition     = module.authorizer.permission_source_arns == { ApiGatewayAuthorizer = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/authorizers/auth123" }
    error_message = "Only this API's authorizer may invoke the authorizer function."
  }

  assert {
    condition     = module.connect.permission_source_arns == { ApiGatewayConnectRoute = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev/$connect" }
    error_message = "Only the $connect route of this stage may invoke the connect function."
  }

  assert {
    condition     = module.disconnect.permission_source_arns == { ApiGatewayDisconnectRoute = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev/$disconnect" }
    error_message = "Only the $disconnect route of this stage may invoke the disconnect function."
  }

  assert {
    condition     = module.message.permission_source_arns == { ApiGatewayMessageRoutes = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev/*" }
    error_message = "Only routes of this stage may invoke the message function."
  }

  assert {
    condition     = module.sweeper.permission_source_arns == {}
    error_message = "No service may invoke the sweeper through a resource-based permission: Scheduler uses its execution role."
  }

  assert {
    condition     = module.fanout.permission_source_arns == {}
    error_message = "No service may invoke the fanout function through a resource-based permission: the event source mapping polls with its role."
  }
}

# --- jwt auth mode -------------------------------------------------------------------

run "jwt_mode_with_jwks_configures_the_authorizer" {
  command = apply

  variables {
    auth_mode       = "jwt"
    allowed_origins = ["https://app.example.com"]
    jwt = {
      algorithms = ["RS256", "ES256"]
      issuer     = "https://id.example.com/"
      audience   = ["websocket-sessions", "chat"]
      jwks_url   = "https://id.example.com/.well-known/jwks.json"
    }
  }

  assert {
    condition     = module.websocket_api.authorizer_identity_sources == tolist(["route.request.header.Sec-WebSocket-Protocol"])
    error_message = "In jwt mode the authorizer's identity source must stay the Sec-WebSocket-Protocol header (clients always offer ws-sessions.v1)."
  }

  assert {
    condition = output.function_environment_variables.authorizer == tomap({
      TABLE_NAME                  = "websocket-sessions-table"
      LOG_LEVEL                   = "info"
      METRICS_NAMESPACE           = "WebSocketSessions"
      NODE_OPTIONS                = "--enable-source-maps"
      AUTH_MODE                   = "jwt"
      ALLOWED_ORIGINS             = "https://app.example.com"
      ALLOW_MISSING_ORIGIN        = "true"
      JWT_ALGORITHMS              = "RS256,ES256"
      JWT_ISSUER                  = "https://id.example.com/"
      JWT_AUDIENCE                = "websocket-sessions,chat"
      JWT_CLOCK_TOLERANCE_SECONDS = "5"
      JWT_MAX_LIFETIME_SECONDS    = "86400"
      JWT_JWKS_URL                = "https://id.example.com/.well-known/jwks.json"
      JWT_TOKEN_SOURCES           = "subprotocol"
      JWT_COOKIE_NAME             = "ws_token"
      JWT_QUERY_PARAMETER         = "token"
      JWT_USER_ID_CLAIM           = "sub"
      JWT_TENANT_ID_CLAIM         = "tenant_id"
      JWT_ROLES_CLAIM             = "roles"
      JWT_SESSION_ID_CLAIM        = "sid"
    })
    error_message = "The authorizer's jwt environment does not match the contract (unset optional settings must be omitted)."
  }

  assert {
    condition     = output.function_environment_variables.connect.AUTH_MODE == "jwt"
    error_message = "The connect function's AUTH_MODE must follow auth_mode."
  }

  assert {
    condition = output.function_environment_variables.message == tomap({
      TABLE_NAME                       = "websocket-sessions-table"
      LOG_LEVEL                        = "info"
      METRICS_NAMESPACE                = "WebSocketSessions"
      NODE_OPTIONS                     = "--enable-source-maps"
      MESSAGE_RATE_LIMIT               = "100"
      MESSAGE_RATE_WINDOW_SECONDS      = "10"
      AUTH_MODE                        = "jwt"
      AUTH_EXPIRY_GRACE_SECONDS        = "30"
      CONNECTION_TTL_SECONDS           = "7800"
      ACTION_PERMISSIONS               = "{\"broadcast\":[\"admin\"]}"
      FANOUT_QUEUE_URL                 = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo"
      MAX_PAYLOAD_BYTES                = "32768"
      MAX_SUBSCRIPTIONS_PER_CONNECTION = "50"
      MAX_CONNECTIONS_PER_USER         = "10"
      SESSION_RESUME_WINDOW_SECONDS    = "120"
      SESSION_HEARTBEAT_SECONDS        = "60"
      SESSION_SCHEDULE_GROUP           = "websocket-sessions"
      SESSION_SCHEDULER_ROLE_ARN       = "arn:aws:iam::123456789012:role/websocket-sessions-scheduler"
      SESSION_EXPIRY_TARGET_ARN        = "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
      SESSION_KEY_SSM_PARAMETER        = "/websocket-sessions/session-resume-key"
      SESSION_RESUME                   = "token"
      JWT_ALGORITHMS                   = "RS256,ES256"
      JWT_ISSUER                       = "https://id.example.com/"
      JWT_AUDIENCE                     = "websocket-sessions,chat"
      JWT_CLOCK_TOLERANCE_SECONDS      = "5"
      JWT_MAX_LIFETIME_SECONDS         = "86400"
      JWT_JWKS_URL                     = "https://id.example.com/.well-known/jwks.json"
      JWT_TOKEN_SOURCES                = "subprotocol"
      JWT_COOKIE_NAME                  = "ws_token"
      JWT_QUERY_PARAMETER              = "token"
      JWT_USER_ID_CLAIM                = "sub"
      JWT_TENANT_ID_CLAIM              = "tenant_id"
      JWT_ROLES_CLAIM                  = "roles"
      JWT_SESSION_ID_CLAIM             = "sid"
    })
    error_message = "In jwt mode the message function verifies refreshed tokens: it must get AUTH_MODE and the authorizer's JWT_* settings."
  }

  assert {
    condition     = alltrue([for fn in ["connect", "disconnect", "fanout", "sweeper"] : length([for key in keys(output.function_environment_variables[fn]) : key if startswith(key, "JWT_")]) == 0])
    error_message = "Only the authorizer and the message function may receive JWT_* settings."
  }

  assert {
    condition     = sort(keys(output.function_role_policy_documents.authorizer)) == tolist(["logs"]) && sort(keys(output.function_role_policy_documents.message)) == tolist(["fanout-queue", "logs", "manage-connections", "session-expiry", "session-key", "table"])
    error_message = "A JWKS URL needs no IAM: neither the authorizer nor the message function may get a key-material policy."
  }
}

run "jwt_mode_with_an_ssm_parameter_reads_exactly_that_parameter" {
  command = apply

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms              = ["HS256"]
      key_ssm_parameter_arn   = "arn:aws:ssm:eu-west-1:123456789012:parameter/websocket-sessions/jwt-secret"
      key_id                  = "2024-06"
      clock_tolerance_seconds = 0
      max_lifetime_seconds    = 3600
      max_age_seconds         = 900
      token_sources           = ["subprotocol", "cookie", "query"]
      cookie_name             = "session"
      query_parameter         = "access_token"
      claims = {
        user_id   = "uid"
        tenant_id = "org"
      }
    }
  }

  assert {
    condition     = module.websocket_api.authorizer_identity_sources == tolist(["route.request.header.Sec-WebSocket-Protocol"])
    error_message = "In jwt mode the authorizer's identity source must stay the Sec-WebSocket-Protocol header, whichever token sources are enabled."
  }

  assert {
    condition = output.function_environment_variables.authorizer == tomap({
      TABLE_NAME                  = "websocket-sessions-table"
      LOG_LEVEL                   = "info"
      METRICS_NAMESPACE           = "WebSocketSessions"
      NODE_OPTIONS                = "--enable-source-maps"
      AUTH_MODE                   = "jwt"
      ALLOWED_ORIGINS             = ""
      ALLOW_MISSING_ORIGIN        = "true"
      JWT_ALGORITHMS              = "HS256"
      JWT_CLOCK_TOLERANCE_SECONDS = "0"
      JWT_MAX_LIFETIME_SECONDS    = "3600"
      JWT_MAX_AGE_SECONDS         = "900"
      JWT_KEY_SSM_PARAMETER       = "arn:aws:ssm:eu-west-1:123456789012:parameter/websocket-sessions/jwt-secret"
      JWT_KEY_ID                  = "2024-06"
      JWT_TOKEN_SOURCES           = "subprotocol,cookie,query"
      JWT_COOKIE_NAME             = "session"
      JWT_QUERY_PARAMETER         = "access_token"
      JWT_USER_ID_CLAIM           = "uid"
      JWT_TENANT_ID_CLAIM         = "org"
      JWT_ROLES_CLAIM             = "roles"
      JWT_SESSION_ID_CLAIM        = "sid"
    })
    error_message = "The authorizer's environment does not match the contract for an SSM key (no JWT_ISSUER, JWT_AUDIENCE, JWT_JWKS_URL or JWT_KEY_SECRET_ARN when unset)."
  }

  assert {
    condition     = sort(keys(output.function_role_policy_documents.authorizer)) == tolist(["key-material", "logs"])
    error_message = "A static key must add exactly one key-material policy to the authorizer."
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.authorizer["key-material"]) == {
      Version = "2012-10-17"
      Statement = [{
        Sid      = "ReadKeyParameter"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter"]
        Resource = ["arn:aws:ssm:eu-west-1:123456789012:parameter/websocket-sessions/jwt-secret"]
      }]
    }
    error_message = "The authorizer may only read the key's parameter (no kms:Decrypt without key_kms_key_arn)."
  }

  assert {
    condition = output.function_environment_variables.message == tomap(merge(
      { for key, value in output.function_environment_variables.authorizer : key => value if startswith(key, "JWT_") },
      {
        TABLE_NAME                       = "websocket-sessions-table"
        LOG_LEVEL                        = "info"
        METRICS_NAMESPACE                = "WebSocketSessions"
        NODE_OPTIONS                     = "--enable-source-maps"
        MESSAGE_RATE_LIMIT               = "100"
        MESSAGE_RATE_WINDOW_SECONDS      = "10"
        AUTH_MODE                        = "jwt"
        AUTH_EXPIRY_GRACE_SECONDS        = "30"
        CONNECTION_TTL_SECONDS           = "7800"
        ACTION_PERMISSIONS               = "{\"broadcast\":[\"admin\"]}"
        FANOUT_QUEUE_URL                 = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo"
        MAX_PAYLOAD_BYTES                = "32768"
        MAX_SUBSCRIPTIONS_PER_CONNECTION = "50"
        MAX_CONNECTIONS_PER_USER         = "10"
        SESSION_RESUME_WINDOW_SECONDS    = "120"
        SESSION_HEARTBEAT_SECONDS        = "60"
        SESSION_SCHEDULE_GROUP           = "websocket-sessions"
        SESSION_SCHEDULER_ROLE_ARN       = "arn:aws:iam::123456789012:role/websocket-sessions-scheduler"
        SESSION_EXPIRY_TARGET_ARN        = "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
        SESSION_KEY_SSM_PARAMETER        = "/websocket-sessions/session-resume-key"
        SESSION_RESUME                   = "token"
      },
    ))
    error_message = "In jwt mode the message function must get exactly the authorizer's JWT_* settings (SSM key, key id, token sources, claims) beside its own."
  }

  assert {
    condition     = sort(keys(output.function_role_policy_documents.message)) == tolist(["fanout-queue", "key-material", "logs", "manage-connections", "session-expiry", "session-key", "table"]) && output.function_role_policy_documents.message["key-material"] == output.function_role_policy_documents.authorizer["key-material"]
    error_message = "In jwt mode the message function verifies tokens too: it must get the authorizer's key-material policy, exactly."
  }

  assert {
    condition     = alltrue([for fn in ["connect", "disconnect", "fanout", "sweeper"] : !contains(keys(output.function_role_policy_documents[fn]), "key-material")])
    error_message = "Only the authorizer and the message function may read the key material."
  }
}

run "jwt_mode_with_a_secret_and_kms_key_decrypts_only_through_secrets_manager" {
  command = apply

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms      = ["ES256"]
      issuer          = "https://id.example.com/"
      key_secret_arn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:websocket-sessions/jwt-public-key-AbC123"
      key_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }

  assert {
    condition = output.function_environment_variables.authorizer == tomap({
      TABLE_NAME                  = "websocket-sessions-table"
      LOG_LEVEL                   = "info"
      METRICS_NAMESPACE           = "WebSocketSessions"
      NODE_OPTIONS                = "--enable-source-maps"
      AUTH_MODE                   = "jwt"
      ALLOWED_ORIGINS             = ""
      ALLOW_MISSING_ORIGIN        = "true"
      JWT_ALGORITHMS              = "ES256"
      JWT_ISSUER                  = "https://id.example.com/"
      JWT_CLOCK_TOLERANCE_SECONDS = "5"
      JWT_MAX_LIFETIME_SECONDS    = "86400"
      JWT_KEY_SECRET_ARN          = "arn:aws:secretsmanager:us-east-1:123456789012:secret:websocket-sessions/jwt-public-key-AbC123"
      JWT_TOKEN_SOURCES           = "subprotocol"
      JWT_COOKIE_NAME             = "ws_token"
      JWT_QUERY_PARAMETER         = "token"
      JWT_USER_ID_CLAIM           = "sub"
      JWT_TENANT_ID_CLAIM         = "tenant_id"
      JWT_ROLES_CLAIM             = "roles"
      JWT_SESSION_ID_CLAIM        = "sid"
    })
    error_message = "The authorizer's environment does not match the contract for a Secrets Manager key (the KMS key is IAM only, not configuration)."
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.authorizer["key-material"]) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ReadKeySecret"
          Effect   = "Allow"
          Action   = ["secretsmanager:GetSecretValue"]
          Resource = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:websocket-sessions/jwt-public-key-AbC123"]
        },
        {
          Sid       = "DecryptKeyMaterial"
          Effect    = "Allow"
          Action    = ["kms:Decrypt"]
          Resource  = ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
          Condition = { StringEquals = { "kms:ViaService" = ["secretsmanager.us-east-1.amazonaws.com"] } }
        },
      ]
    }
    error_message = "The authorizer may only read the key's secret and decrypt with its KMS key through Secrets Manager."
  }

  assert {
    condition     = sort(keys(output.function_role_policy_documents.authorizer)) == tolist(["key-material", "logs"])
    error_message = "The KMS grant must live in the key-material policy, not in a policy of its own."
  }

  assert {
    condition     = output.function_role_policy_documents.message["key-material"] == output.function_role_policy_documents.authorizer["key-material"]
    error_message = "In jwt mode the message function must read the secret and decrypt it exactly as the authorizer does."
  }
}

run "jwt_mode_with_an_ssm_parameter_and_kms_key_decrypts_only_through_ssm" {
  command = apply

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms            = ["RS256"]
      key_ssm_parameter_arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/jwt-public-key"
      key_kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.authorizer["key-material"]).Statement[1] == {
      Sid       = "DecryptKeyMaterial"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
      Condition = { StringEquals = { "kms:ViaService" = ["ssm.eu-west-1.amazonaws.com"] } }
    }
    error_message = "kms:Decrypt must be limited to calls through SSM in the parameter's Region."
  }
}

run "anonymous_mode_gets_no_jwt_settings_or_key_policy" {
  command = apply

  assert {
    condition     = alltrue([for env in values(output.function_environment_variables) : length([for key in keys(env) : key if startswith(key, "JWT_")]) == 0])
    error_message = "In anonymous mode no function may receive JWT_* settings."
  }

  assert {
    condition     = alltrue([for documents in values(output.function_role_policy_documents) : !contains(keys(documents), "key-material")])
    error_message = "In anonymous mode no function may read key material."
  }

  assert {
    condition     = output.function_environment_variables.message.AUTH_MODE == "anonymous" && length([for key in keys(output.function_environment_variables.message) : key if startswith(key, "JWT_") || key == "AUTH_EXPIRY_GRACE_SECONDS"]) == 0
    error_message = "In anonymous mode the message function gets AUTH_MODE (it reads it in every mode) and no JWT_* or AUTH_EXPIRY_GRACE_SECONDS."
  }
}

# --- two-phase auth mode -------------------------------------------------------------

run "two_phase_mode_verifies_tokens_in_the_message_function_only" {
  command = apply

  variables {
    auth_mode       = "two-phase"
    allowed_origins = ["https://app.example.com"]
    jwt = {
      algorithms = ["RS256"]
      issuer     = "https://id.example.com/"
      audience   = ["chat"]
      jwks_url   = "https://id.example.com/.well-known/jwks.json"
    }
  }

  assert {
    condition     = module.websocket_api.authorizer_identity_sources == tolist(["route.request.header.Sec-WebSocket-Protocol"])
    error_message = "In two-phase mode the authorizer's identity source must stay the Sec-WebSocket-Protocol header (clients offer ws-sessions.v1)."
  }

  assert {
    condition = output.function_environment_variables.authorizer == tomap({
      TABLE_NAME           = "websocket-sessions-table"
      LOG_LEVEL            = "info"
      METRICS_NAMESPACE    = "WebSocketSessions"
      NODE_OPTIONS         = "--enable-source-maps"
      AUTH_MODE            = "two-phase"
      ALLOWED_ORIGINS      = "https://app.example.com"
      ALLOW_MISSING_ORIGIN = "true"
    })
    error_message = "In two-phase mode the authorizer verifies nothing: it must get AUTH_MODE and the origin settings, no JWT_*."
  }

  assert {
    condition = output.function_environment_variables.connect == tomap({
      TABLE_NAME               = "websocket-sessions-table"
      LOG_LEVEL                = "info"
      METRICS_NAMESPACE        = "WebSocketSessions"
      NODE_OPTIONS             = "--enable-source-maps"
      AUTH_MODE                = "two-phase"
      AUTH_DEADLINE_SECONDS    = "30"
      CONNECTION_TTL_SECONDS   = "7800"
      MAX_CONNECTIONS_PER_USER = "10"
      HANDSHAKES_PER_IP        = "0"
      HANDSHAKE_WINDOW_SECONDS = "60"
    })
    error_message = "In two-phase mode the connect function must get AUTH_DEADLINE_SECONDS (default 30)."
  }

  assert {
    condition = output.function_environment_variables.message == tomap({
      TABLE_NAME                       = "websocket-sessions-table"
      LOG_LEVEL                        = "info"
      METRICS_NAMESPACE                = "WebSocketSessions"
      NODE_OPTIONS                     = "--enable-source-maps"
      MESSAGE_RATE_LIMIT               = "100"
      MESSAGE_RATE_WINDOW_SECONDS      = "10"
      AUTH_MODE                        = "two-phase"
      AUTH_EXPIRY_GRACE_SECONDS        = "30"
      CONNECTION_TTL_SECONDS           = "7800"
      ACTION_PERMISSIONS               = "{\"broadcast\":[\"admin\"]}"
      FANOUT_QUEUE_URL                 = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo"
      MAX_PAYLOAD_BYTES                = "32768"
      MAX_SUBSCRIPTIONS_PER_CONNECTION = "50"
      MAX_CONNECTIONS_PER_USER         = "10"
      SESSION_RESUME_WINDOW_SECONDS    = "120"
      SESSION_HEARTBEAT_SECONDS        = "60"
      SESSION_SCHEDULE_GROUP           = "websocket-sessions"
      SESSION_SCHEDULER_ROLE_ARN       = "arn:aws:iam::123456789012:role/websocket-sessions-scheduler"
      SESSION_EXPIRY_TARGET_ARN        = "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
      SESSION_KEY_SSM_PARAMETER        = "/websocket-sessions/session-resume-key"
      SESSION_RESUME                   = "token"
      JWT_ALGORITHMS                   = "RS256"
      JWT_ISSUER                       = "https://id.example.com/"
      JWT_AUDIENCE                     = "chat"
      JWT_CLOCK_TOLERANCE_SECONDS      = "5"
      JWT_MAX_LIFETIME_SECONDS         = "86400"
      JWT_JWKS_URL                     = "https://id.example.com/.well-known/jwks.json"
      JWT_TOKEN_SOURCES                = "subprotocol"
      JWT_COOKIE_NAME                  = "ws_token"
      JWT_QUERY_PARAMETER              = "token"
      JWT_USER_ID_CLAIM                = "sub"
      JWT_TENANT_ID_CLAIM              = "tenant_id"
      JWT_ROLES_CLAIM                  = "roles"
      JWT_SESSION_ID_CLAIM             = "sid"
    })
    error_message = "In two-phase mode the message function verifies the auth frames: it must get AUTH_MODE and the JWT_* settings."
  }

  assert {
    condition = output.function_environment_variables.disconnect == tomap({
      TABLE_NAME                    = "websocket-sessions-table"
      LOG_LEVEL                     = "info"
      METRICS_NAMESPACE             = "WebSocketSessions"
      NODE_OPTIONS                  = "--enable-source-maps"
      SESSION_RESUME_WINDOW_SECONDS = "120"
      SESSION_SCHEDULE_GROUP        = "websocket-sessions"
      SESSION_SCHEDULER_ROLE_ARN    = "arn:aws:iam::123456789012:role/websocket-sessions-scheduler"
      SESSION_EXPIRY_TARGET_ARN     = "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
    })
    error_message = "The disconnect function's environment must not depend on the auth mode."
  }

  assert {
    condition = output.function_environment_variables.sweeper == tomap({
      TABLE_NAME          = "websocket-sessions-table"
      LOG_LEVEL           = "info"
      METRICS_NAMESPACE   = "WebSocketSessions"
      NODE_OPTIONS        = "--enable-source-maps"
      MANAGEMENT_ENDPOINT = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev"
      # The sweeper expires sessions and tells connections near the 2-hour cut to go away; it
      # creates no schedule and reads no resume token key.
      SESSION_RESUME_WINDOW_SECONDS = "120"
      SESSION_GOAWAY_BEFORE_SECONDS = "300"
      # It closes connections whose token expired this long ago.
      AUTH_EXPIRY_GRACE_SECONDS = "30"
    })
    error_message = "The sweeper's environment must depend on the auth mode only through AUTH_EXPIRY_GRACE_SECONDS (tokens expire)."
  }

  assert {
    condition = { for fn, documents in output.function_role_policy_documents : fn => sort(keys(documents)) } == {
      authorizer = tolist(["logs"])
      connect    = tolist(["logs", "table"])
      disconnect = tolist(["logs", "session-expiry", "table"])
      fanout     = tolist(["fanout-queue", "logs", "manage-connections", "table"])
      message    = tolist(["fanout-queue", "logs", "manage-connections", "session-expiry", "session-key", "table"])
      sweeper    = tolist(["logs", "manage-connections", "table"])
    }
    error_message = "With a JWKS no role may get a key-material policy, in two-phase mode either."
  }
}

run "two_phase_mode_with_a_secret_gives_the_key_to_the_message_function" {
  command = apply

  variables {
    auth_mode                 = "two-phase"
    auth_deadline_seconds     = 120
    auth_expiry_grace_seconds = 0
    jwt = {
      algorithms      = ["HS256"]
      key_secret_arn  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:websocket-sessions/jwt-secret-AbC123"
      key_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      key_id          = "2024-06"
    }
  }

  assert {
    condition     = output.function_environment_variables.connect.AUTH_DEADLINE_SECONDS == "120"
    error_message = "auth_deadline_seconds must reach the connect function as AUTH_DEADLINE_SECONDS."
  }

  assert {
    condition     = output.function_environment_variables.message.AUTH_EXPIRY_GRACE_SECONDS == "0" && output.function_environment_variables.sweeper.AUTH_EXPIRY_GRACE_SECONDS == "0"
    error_message = "auth_expiry_grace_seconds must reach the message function and the sweeper as AUTH_EXPIRY_GRACE_SECONDS."
  }

  assert {
    condition = { for key, value in output.function_environment_variables.message : key => value if startswith(key, "JWT_") || key == "AUTH_MODE" } == {
      AUTH_MODE                   = "two-phase"
      JWT_ALGORITHMS              = "HS256"
      JWT_CLOCK_TOLERANCE_SECONDS = "5"
      JWT_MAX_LIFETIME_SECONDS    = "86400"
      JWT_KEY_SECRET_ARN          = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:websocket-sessions/jwt-secret-AbC123"
      JWT_KEY_ID                  = "2024-06"
      JWT_TOKEN_SOURCES           = "subprotocol"
      JWT_COOKIE_NAME             = "ws_token"
      JWT_QUERY_PARAMETER         = "token"
      JWT_USER_ID_CLAIM           = "sub"
      JWT_TENANT_ID_CLAIM         = "tenant_id"
      JWT_ROLES_CLAIM             = "roles"
      JWT_SESSION_ID_CLAIM        = "sid"
    }
    error_message = "The message function must get the Secrets Manager key's settings (the KMS key is IAM only, not configuration)."
  }

  assert {
    condition = jsondecode(output.function_role_policy_documents.message["key-material"]) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ReadKeySecret"
          Effect   = "Allow"
          Action   = ["secretsmanager:GetSecretValue"]
          Resource = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:websocket-sessions/jwt-secret-AbC123"]
        },
        {
          Sid       = "DecryptKeyMaterial"
          Effect    = "Allow"
          Action    = ["kms:Decrypt"]
          Resource  = ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
          Condition = { StringEquals = { "kms:ViaService" = ["secretsmanager.eu-west-1.amazonaws.com"] } }
        },
      ]
    }
    error_message = "In two-phase mode the message function may only read the key's secret and decrypt it through Secrets Manager."
  }

  assert {
    condition     = alltrue([for fn in ["authorizer", "connect", "disconnect", "fanout", "sweeper"] : !contains(keys(output.function_role_policy_documents[fn]), "key-material")])
    error_message = "In two-phase mode only the message function may read the key material: the authorizer verifies nothing."
  }

  assert {
    condition     = length([for key in keys(output.function_environment_variables.authorizer) : key if startswith(key, "JWT_")]) == 0
    error_message = "In two-phase mode the authorizer must get no JWT_* settings."
  }
}

# --- sweeper and scheduler ----------------------------------------------------------

run "sweeper_runs_every_minute_with_a_role_that_may_only_invoke_it" {
  command = apply

  assert {
    condition     = output.schedule_group_name == "websocket-sessions" && output.schedule_group_arn == "arn:aws:scheduler:us-east-1:123456789012:schedule-group/websocket-sessions"
    error_message = "The module must own a schedule group named after var.name."
  }

  assert {
    condition     = output.scheduler_role_arn == "arn:aws:iam::123456789012:role/websocket-sessions-scheduler" && module.scheduler.role_name == "websocket-sessions-scheduler"
    error_message = "scheduler_role_arn must be the scheduler's execution role, named <name>-scheduler."
  }

  assert {
    condition = module.scheduler.schedules == {
      sweeper = {
        name                      = "websocket-sessions-sweeper"
        arn                       = "arn:aws:scheduler:us-east-1:123456789012:schedule/websocket-sessions/websocket-sessions-sweeper"
        group_name                = "websocket-sessions"
        schedule_expression       = "rate(1 minute)"
        flexible_time_window_mode = "OFF"
        target_arn                = "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
        target_role_arn           = "arn:aws:iam::123456789012:role/websocket-sessions-scheduler"
      }
    }
    error_message = "Exactly one schedule, <name>-sweeper in the group, must invoke the sweeper function every minute on time with the scheduler's role."
  }

  assert {
    condition = jsondecode(module.scheduler.role_assume_role_policy) == {
      Version = "2012-10-17"
      Statement = [{
        Sid       = "SchedulerAssumeRole"
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { Service = "scheduler.amazonaws.com" }
        Condition = {
          StringEquals = { "aws:SourceAccount" = "123456789012" }
          ArnEquals    = { "aws:SourceArn" = "arn:aws:scheduler:us-east-1:123456789012:schedule-group/websocket-sessions" }
        }
      }]
    }
    error_message = "The scheduler's role must only be assumable by EventBridge Scheduler for schedules of this group and account."
  }

  assert {
    condition = jsondecode(module.scheduler.role_policy_document) == {
      Version = "2012-10-17"
      Statement = [{
        Sid      = "InvokeTargetFunctions"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = ["arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper", "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper:*"]
      }]
    }
    error_message = "The scheduler's role may only invoke the sweeper function (and its versions and aliases)."
  }

  assert {
    condition     = output.function_arns.sweeper == "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
    error_message = "function_arns must include the sweeper."
  }

  assert {
    condition     = output.function_source_code_hashes.sweeper == filebase64sha256("dist/sweeper.zip")
    error_message = "The sweeper must be deployed from dist/sweeper.zip."
  }
}

run "sweeper_schedule_expression_reaches_the_schedule" {
  command = apply

  variables {
    name                        = "chat"
    sweeper_schedule_expression = "cron(0/5 * * * ? *)"
  }

  assert {
    condition     = module.scheduler.schedules.sweeper.schedule_expression == "cron(0/5 * * * ? *)" && module.scheduler.schedules.sweeper.name == "chat-sweeper"
    error_message = "sweeper_schedule_expression must reach the <name>-sweeper schedule."
  }

  assert {
    condition     = output.schedule_group_name == "chat" && module.scheduler.schedules.sweeper.group_name == "chat"
    error_message = "The schedule must live in the group named after var.name."
  }
}

run "api_is_a_websocket_api_with_a_request_authorizer" {
  command = apply

  module {
    source = "./modules/websocket-api"
  }

  variables {
    name = "ws"
    authorizer = {
      invoke_arn       = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ws-authorizer/invocations"
      identity_sources = ["route.request.header.Sec-WebSocket-Protocol"]
    }
    routes = {
      "$connect"    = { invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ws-connect/invocations", authorize = true }
      "$disconnect" = { invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ws-disconnect/invocations" }
      "$default"    = { invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ws-message/invocations" }
    }
  }

  assert {
    condition     = aws_apigatewayv2_api.this.protocol_type == "WEBSOCKET" && aws_apigatewayv2_api.this.route_selection_expression == "$request.body.action"
    error_message = "The API must be a WebSocket API routing on $request.body.action."
  }

  assert {
    condition     = aws_apigatewayv2_authorizer.this.authorizer_type == "REQUEST" && aws_apigatewayv2_authorizer.this.authorizer_uri == var.authorizer.invoke_arn
    error_message = "The authorizer must be a REQUEST authorizer invoking the authorizer function."
  }

  assert {
    condition     = aws_apigatewayv2_route.this["$connect"].authorization_type == "CUSTOM" && aws_apigatewayv2_route.this["$connect"].authorizer_id == aws_apigatewayv2_authorizer.this.id
    error_message = "$connect must use the authorizer."
  }

  assert {
    condition = alltrue([
      for key, integration in aws_apigatewayv2_integration.this :
      integration.integration_type == "AWS_PROXY" && integration.integration_uri == var.routes[key].invoke_arn
      && aws_apigatewayv2_route.this[key].target == "integrations/${integration.id}"
    ])
    error_message = "Every route must target a Lambda proxy integration of its own function."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.name == "dev" && aws_apigatewayv2_stage.this.auto_deploy
    error_message = "The stage must be named dev by default and deploy automatically."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.default_route_settings[0].throttling_burst_limit == 500 && aws_apigatewayv2_stage.this.default_route_settings[0].throttling_rate_limit == 1000
    error_message = "The stage must throttle at 500 burst and 1000 requests per second by default."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.access_log_settings[0].destination_arn == aws_cloudwatch_log_group.access.arn && aws_cloudwatch_log_group.access.retention_in_days == 30
    error_message = "The stage must log to its access log group, kept 30 days by default."
  }

  assert {
    condition = alltrue([
      for field in ["requestId", "connectionId", "routeKey", "eventType", "status", "errorMessage", "integrationError", "authorizerError"] :
      contains(keys(jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format)), field)
    ])
    error_message = "The access log format must be JSON with the request, connection, route, event, status and error fields."
  }

  assert {
    condition     = jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format).connectionId == "$context.connectionId"
    error_message = "The access log must record the connection id."
  }

  assert {
    condition = alltrue([
      for field, value in jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format) :
      !startswith(value, "$context.authorizer.") || contains(["$context.authorizer.error", "$context.authorizer.status", "$context.authorizer.latency"], value)
    ]) && !strcontains(aws_apigatewayv2_stage.this.access_log_settings[0].format, "principalId")
    error_message = "The access log must not record what the authorizer returns about the caller (principalId, context): an anonymous id is a credential."
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 0 && length(aws_iam_role.api_gateway_cloudwatch) == 0
    error_message = "The account-level API Gateway role must not be managed unless asked for."
  }
}

run "api_gateway_account_role_is_managed_when_asked" {
  command = apply

  module {
    source = "./modules/websocket-api"
  }

  variables {
    name                            = "ws"
    create_api_gateway_account_role = true
    authorizer = {
      invoke_arn       = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ws-authorizer/invocations"
      identity_sources = ["route.request.header.Sec-WebSocket-Protocol"]
    }
    routes = {
      "$connect" = { invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ws-connect/invocations", authorize = true }
    }
  }

  assert {
    condition     = aws_api_gateway_account.this[0].cloudwatch_role_arn == aws_iam_role.api_gateway_cloudwatch[0].arn
    error_message = "The account's API Gateway CloudWatch role must be the created role."
  }

  assert {
    condition     = aws_iam_role_policy_attachment.api_gateway_cloudwatch[0].policy_arn == "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    error_message = "The role must carry AWS's managed policy for API Gateway logging."
  }

  assert {
    condition     = jsondecode(aws_iam_role.api_gateway_cloudwatch[0].assume_role_policy).Statement[0].Principal.Service == "apigateway.amazonaws.com"
    error_message = "The role must only be assumable by API Gateway."
  }
}

run "table_is_protected_and_expires_items_by_default" {
  command = apply

  module {
    source = "./modules/connection-store"
  }

  variables {
    name = "ws-table"
  }

  assert {
    condition     = aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    error_message = "The table must be on-demand."
  }

  assert {
    condition     = aws_dynamodb_table.this.ttl[0].enabled && aws_dynamodb_table.this.ttl[0].attribute_name == "ttl"
    error_message = "TTL must be enabled on the \"ttl\" attribute."
  }

  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled
    error_message = "Point-in-time recovery must be enabled by default."
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "Deletion protection must be enabled by default."
  }

  assert {
    condition     = aws_dynamodb_table.this.server_side_encryption[0].enabled
    error_message = "The table must be encrypted at rest."
  }

  assert {
    condition     = tomap({ for attribute in aws_dynamodb_table.this.attribute : attribute.name => attribute.type }) == tomap({ PK = "S", SK = "S", GSI1PK = "S", GSI1SK = "S", GSI2PK = "S", GSI2SK = "S", GSI3PK = "S", GSI3SK = "S" })
    error_message = "The table must declare exactly the key attributes of schema.json."
  }

  assert {
    condition = { for index in aws_dynamodb_table.this.global_secondary_index : index.name => [index.hash_key, index.range_key, index.projection_type, join(",", sort(coalesce(index.non_key_attributes, [])))] } == {
      GSI1 = ["GSI1PK", "GSI1SK", "ALL", ""]
      GSI2 = ["GSI2PK", "GSI2SK", "INCLUDE", "ttl"]
      GSI3 = ["GSI3PK", "GSI3SK", "INCLUDE", "ttl"]
    }
    error_message = "GSI1 must map GSI1PK/GSI1SK and project all attributes; GSI2 (tenant) and GSI3 (everyone) their own keys, projecting only ttl beside the keys."
  }
}

run "table_settings_can_be_changed" {
  command = apply

  module {
    source = "./modules/connection-store"
  }

  variables {
    name                           = "ws-table"
    point_in_time_recovery_enabled = false
    deletion_protection_enabled    = false
    kms_key_arn                    = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = !aws_dynamodb_table.this.point_in_time_recovery[0].enabled && !aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "point_in_time_recovery_enabled and deletion_protection_enabled must reach the table."
  }

  assert {
    condition     = aws_dynamodb_table.this.server_side_encryption[0].kms_key_arn == var.kms_key_arn
    error_message = "kms_key_arn must reach the table's encryption settings."
  }
}

run "limits_and_permissions_reach_the_functions" {
  command = apply

  variables {
    max_connections_per_user = 3
    handshake_rate_limit     = { handshakes = 30, window_seconds = 10 }
    message_rate_limit       = { messages = 20, window_seconds = 60 }
    action_permissions       = { broadcast = ["admin", "ops"] }
  }

  assert {
    condition     = output.function_environment_variables.connect.MAX_CONNECTIONS_PER_USER == "3" && output.function_environment_variables.message.MAX_CONNECTIONS_PER_USER == "3"
    error_message = "max_connections_per_user must reach the connect and message functions as MAX_CONNECTIONS_PER_USER."
  }

  assert {
    condition     = output.function_environment_variables.connect.HANDSHAKES_PER_IP == "30" && output.function_environment_variables.connect.HANDSHAKE_WINDOW_SECONDS == "10"
    error_message = "handshake_rate_limit must reach the connect function as HANDSHAKES_PER_IP and HANDSHAKE_WINDOW_SECONDS."
  }

  assert {
    condition     = output.function_environment_variables.message.MESSAGE_RATE_LIMIT == "20" && output.function_environment_variables.message.MESSAGE_RATE_WINDOW_SECONDS == "60"
    error_message = "message_rate_limit must reach the message function."
  }

  assert {
    condition     = jsondecode(output.function_environment_variables.message.ACTION_PERMISSIONS) == { broadcast = ["admin", "ops"] }
    error_message = "action_permissions must reach the message function as JSON."
  }
}

run "scheduler_module_creates_the_group_schedules_and_role" {
  command = apply

  module {
    source = "./modules/scheduler"
  }

  variables {
    name = "ws"
    schedules = {
      sweeper = {
        schedule_expression = "rate(5 minutes)"
        function_arn        = "arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper"
        description         = "Sweeps."
      }
      report = {
        schedule_expression = "cron(0 6 * * ? *)"
        function_arn        = "arn:aws:lambda:us-east-1:123456789012:function:ws-report"
      }
    }
  }

  assert {
    condition     = aws_scheduler_schedule_group.this.name == "ws" && aws_iam_role.execution.name == "ws-scheduler"
    error_message = "The group must be named var.name and the role <name>-scheduler."
  }

  assert {
    condition = alltrue([
      for key, schedule in aws_scheduler_schedule.recurring :
      schedule.name == "ws-${key}" && schedule.group_name == "ws" && schedule.flexible_time_window[0].mode == "OFF"
      && schedule.target[0].arn == var.schedules[key].function_arn && schedule.target[0].role_arn == aws_iam_role.execution.arn
      && schedule.schedule_expression == var.schedules[key].schedule_expression && schedule.state == "ENABLED"
    ])
    error_message = "Every schedule must be <name>-<key> in the group, enabled, on time, and invoke its function with the execution role."
  }

  assert {
    condition     = aws_scheduler_schedule.recurring["sweeper"].description == "Sweeps." && aws_scheduler_schedule.recurring["report"].description == ""
    error_message = "description must reach the schedule."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.invoke[0].policy).Statement[0].Resource == [
      "arn:aws:lambda:us-east-1:123456789012:function:ws-report",
      "arn:aws:lambda:us-east-1:123456789012:function:ws-report:*",
      "arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper",
      "arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper:*",
    ]
    error_message = "The role may invoke exactly the schedules' functions, with their qualifiers."
  }
}

run "scheduler_module_without_schedules_grants_nothing" {
  command = apply

  module {
    source = "./modules/scheduler"
  }

  variables {
    name = "ws"
  }

  assert {
    condition     = length(aws_iam_role_policy.invoke) == 0 && length(aws_scheduler_schedule.recurring) == 0 && output.role_policy_document == null
    error_message = "Without schedules the role must get no invoke policy (an empty Resource list is not a valid policy)."
  }
}

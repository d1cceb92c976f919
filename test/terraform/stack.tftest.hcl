# Unit tests of the stack's wiring, offline: every AWS resource is mocked (test/terraform/mocks).
# The runs apply the root module and assert its outputs and its submodules' outputs: routes, the
# table, each function's environment, runtime, architecture and reserved concurrency, and the
# invoke permissions. The functions' packages are read from dist/ (run `npm run build`).

mock_provider "aws" {
  source = "./test/terraform/mocks"
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
    condition = output.function_environment_variables.authorizer == tomap(merge(jsondecode(file("test/terraform/fixtures/environments/authorizer.json")), {
      ALLOWED_ORIGINS = "https://app.example.com,http://localhost:3000"
    }))
    error_message = "The authorizer's environment does not match the contract."
  }

  assert {
    condition     = output.function_environment_variables.connect == tomap(jsondecode(file("test/terraform/fixtures/environments/connect.json")))
    error_message = "The connect function's environment does not match the contract (CONNECTION_TTL_SECONDS = 7200 + 600 by default)."
  }

  assert {
    condition     = output.function_environment_variables.disconnect == tomap(jsondecode(file("test/terraform/fixtures/environments/disconnect.json")))
    error_message = "The disconnect function's environment does not match the contract (common settings, session settings and expiry schedule wiring)."
  }

  assert {
    condition     = output.function_environment_variables.message == tomap(jsondecode(file("test/terraform/fixtures/environments/message.json")))
    error_message = "The message function must get the default message budget, broadcast reserved to admins, the fan-out queue, the payload size cap, the session settings and expiry schedule wiring, the module's resume token key parameter and the default resume mode (token), and no MANAGEMENT_ENDPOINT unless it is set."
  }

  # The sweeper expires sessions and tells connections near the 2-hour cut to go away; it creates no
  # schedule and reads no resume token key.
  assert {
    condition     = output.function_environment_variables.sweeper == tomap(jsondecode(file("test/terraform/fixtures/environments/sweeper.json")))
    error_message = "The sweeper must get the common settings, the stage's own Management API endpoint (no event tells it), the resume window and the goaway lead."
  }

  assert {
    condition     = output.function_environment_variables.fanout == tomap(jsondecode(file("test/terraform/fixtures/environments/fanout.json")))
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
    condition     = jsondecode(output.function_role_policy_documents.fanout["manage-connections"]).Statement[0].Resource == ["arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/@connections/*", "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/DELETE/@connections/*"]
    error_message = "The fanout function's ManageConnections must be scoped to POST and DELETE (disconnect records) on the deployed stage."
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

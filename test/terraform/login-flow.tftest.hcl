# The login example (examples/login-flow) plans offline: its HTTP API routes are routes.json's, its
# function's role grants what the code calls (dist/manifest.json) on the stack's table only, and the
# session cookie's settings reach the function.

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

variables {
  manifest                           = jsondecode(file("dist/manifest.json"))
  access_token_key_ssm_parameter_arn = "arn:aws:ssm:us-east-1:123456789012:parameter/login/access-token-key"
}

run "login_flow_example_plans" {
  # Applied against the mocked provider, so the policies' JSON is known to the assertions.
  command = apply

  module {
    source = "./examples/login-flow"
  }

  variables {
    allowed_origins  = ["https://app.example.com"]
    cookie_domain    = "example.com"
    cookie_same_site = "Strict"
  }

  assert {
    condition     = output.http_route_keys == jsondecode(file("examples/login-flow/routes.json"))
    error_message = "The login example's HTTP API must have exactly the routes of routes.json, which the function dispatches on."
  }

  assert {
    condition     = aws_apigatewayv2_api.this.protocol_type == "HTTP" && aws_apigatewayv2_integration.login_api.payload_format_version == "2.0" && aws_apigatewayv2_integration.login_api.integration_type == "AWS_PROXY"
    error_message = "The login example must be an HTTP API with a Lambda proxy integration in payload format 2.0 (cookies in `cookies`)."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.name == "$default" && aws_apigatewayv2_stage.this.auto_deploy
    error_message = "The login example's HTTP API must deploy its $default stage automatically."
  }

  assert {
    condition = alltrue([
      output.login_api_environment_variables["TABLE_NAME"] == module.websocket_sessions.table_name,
      output.login_api_environment_variables["SESSION_COOKIE_SAME_SITE"] == "Strict",
      output.login_api_environment_variables["SESSION_COOKIE_DOMAIN"] == "example.com",
      output.login_api_environment_variables["SESSION_MAX_PER_USER"] == "5",
    ])
    error_message = "The login API must get the stack's table, the cookie's SameSite and Domain, and the user sessions' settings."
  }

  assert {
    condition     = toset(keys(output.login_api_role_policy_documents)) == toset(["logs", "user-sessions", "session-cookie-keys", "fanout"])
    error_message = "The login API's role must hold one policy per concern: its logs, the user sessions, the cookie key set and the fan-out queue."
  }

  assert {
    condition = jsondecode(output.login_api_role_policy_documents["session-cookie-keys"]).Statement == [{
      Sid = "ReadCookieKeysParameter", Effect = "Allow", Action = ["ssm:GetParameter"], Resource = ["arn:aws:ssm:us-east-1:123456789012:parameter/websocket-sessions-login/session-cookie-keys"]
    }] && contains(var.manifest["login-api"].permissions.actions, "ssm:GetParameter")
    error_message = "The login API must read the module's cookie key set (and not the access-token key), as its code does with ssm:GetParameter."
  }

  assert {
    condition     = output.login_api_environment_variables["SESSION_COOKIE_KEYS_SSM_PARAMETER"] == module.websocket_sessions.session_cookie_environment["SESSION_COOKIE_KEYS_SSM_PARAMETER"] && module.websocket_sessions.function_environment_variables["authorizer"]["SESSION_COOKIE_KEYS_SSM_PARAMETER"] == output.login_api_environment_variables["SESSION_COOKIE_KEYS_SSM_PARAMETER"]
    error_message = "The login API must seal cookies with the key set the authorizer opens them with."
  }

  assert {
    condition     = module.websocket_sessions.function_environment_variables["authorizer"]["SESSION_COOKIE_CONNECT"] == "true" && module.websocket_sessions.function_environment_variables["authorizer"]["SESSION_COOKIE_DOMAIN"] == "example.com"
    error_message = "The authorizer must accept the session cookie on $connect, read under the cookie's Domain."
  }

  assert {
    condition = jsondecode(output.login_api_role_policy_documents["fanout"]).Statement == [{
      Sid = "SendDisconnectRecords", Effect = "Allow", Action = ["sqs:SendMessage"], Resource = [module.websocket_sessions.fanout_queue_arn]
    }] && output.login_api_environment_variables["FANOUT_QUEUE_URL"] == module.websocket_sessions.fanout_queue_url
    error_message = "The login API may send to the stack's fan-out queue only (the disconnect records of ended sessions)."
  }

  assert {
    condition = alltrue([
      for statement in jsondecode(output.login_api_role_policy_documents["user-sessions"]).Statement :
      statement.Effect == "Allow" && toset(flatten([statement.Resource])) == toset([module.websocket_sessions.table_arn])
    ])
    error_message = "The login API may reach the stack's table only (no index, no other table, no wildcard)."
  }

  assert {
    condition = sort(flatten([for statement in jsondecode(output.login_api_role_policy_documents["user-sessions"]).Statement : statement.Action])) == sort([
      for action in var.manifest["login-api"].permissions.actions : action if startswith(action, "dynamodb:")
    ])
    error_message = "The login API's table actions must be exactly the DynamoDB calls its code makes (dist/manifest.json)."
  }

  assert {
    condition     = module.login_api.permission_source_arns["HttpApi"] == "${aws_apigatewayv2_api.this.execution_arn}/*/*"
    error_message = "Only the login example's HTTP API may invoke the login function."
  }
}

run "login_flow_example_refuses_any_origin" {
  command = plan

  module {
    source = "./examples/login-flow"
  }

  variables {
    allowed_origins = ["*"]
  }

  expect_failures = [var.allowed_origins]
}

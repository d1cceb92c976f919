# Every example must plan. Offline: the AWS provider is mocked, so the example's own
# provider configuration (region) is replaced and no credentials are needed.

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

run "minimal_example_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }

  assert {
    condition     = length(module.websocket_sessions.function_names) == 6
    error_message = "The minimal example must deploy the six functions (authorizer, connect, disconnect, fanout, message, sweeper)."
  }

  assert {
    condition     = module.websocket_sessions.stage_name == "dev"
    error_message = "The minimal example must deploy the dev stage."
  }

  assert {
    condition     = module.websocket_sessions.fanout_function_name == "websocket-sessions-minimal-fanout"
    error_message = "The minimal example must deploy the fan-out consumer <name>-fanout."
  }

  assert {
    condition     = length(module.websocket_sessions.alarm_names) == 0 && module.websocket_sessions.dashboard_name == null && module.websocket_sessions.custom_domain_target == null
    error_message = "The minimal example must create no alarm, dashboard or custom domain (its README lists what it creates)."
  }
}

run "complete_example_plans" {
  command = plan

  module {
    source = "./examples/complete"
  }

  variables {
    domain_name     = "ws.example.com"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
    jwt_issuer      = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI"
    jwks_url        = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI/.well-known/jwks.json"
    allowed_origins = ["https://app.example.com"]
  }

  assert {
    condition     = output.websocket_url == "wss://ws.example.com" && output.management_endpoint == "https://ws.example.com"
    error_message = "The complete example must serve the API on its custom domain."
  }

  assert {
    condition     = length(module.websocket_sessions.function_names) == 6 && length(output.alarm_names) == 18
    error_message = "The complete example must deploy the six functions and every alarm."
  }

  assert {
    condition     = output.dashboard_name == "websocket-sessions-prod"
    error_message = "The complete example must create the dashboard."
  }
}

run "jwt_example_plans" {
  command = plan

  module {
    source = "./examples/jwt"
  }

  variables {
    jwt_issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI"
    jwks_url   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI/.well-known/jwks.json"
  }

  assert {
    condition     = length(module.websocket_sessions.function_names) == 6
    error_message = "The jwt example must deploy the six functions (authorizer, connect, disconnect, fanout, message, sweeper)."
  }

  assert {
    condition     = output.authorizer_environment_variables.AUTH_MODE == "jwt" && output.authorizer_environment_variables.JWT_JWKS_URL == var.jwks_url && output.authorizer_environment_variables.JWT_ISSUER == var.jwt_issuer
    error_message = "The jwt example's authorizer must verify tokens against the given JWKS and issuer."
  }

  assert {
    condition     = !contains(keys(output.authorizer_environment_variables), "JWT_AUDIENCE")
    error_message = "The jwt example must not check the audience unless jwt_audience is set."
  }

  assert {
    condition     = keys(module.websocket_sessions.function_role_policy_documents["authorizer"]) == tolist(["logs"])
    error_message = "With a JWKS the jwt example's authorizer needs no key-material policy."
  }
}

run "anonymous_resume_example_plans" {
  command = plan

  module {
    source = "./examples/anonymous-resume"
  }

  assert {
    condition     = output.route_keys == tolist(["$connect", "$default", "$disconnect", "teleprinter"])
    error_message = "The anonymous-resume example must add the teleprinter route through custom_routes."
  }

  assert {
    condition     = length(module.websocket_sessions.function_names) == 6 && output.teleprinter_function_name == "websocket-sessions-resume-teleprinter"
    error_message = "The anonymous-resume example must deploy the stack's six functions and <name>-teleprinter beside them."
  }

  assert {
    condition     = module.websocket_sessions.function_environment_variables["authorizer"]["AUTH_MODE"] == "anonymous"
    error_message = "The anonymous-resume example must run in anonymous mode."
  }

  assert {
    condition     = module.teleprinter.function_environment_variables["TABLE_NAME"] == module.websocket_sessions.table_name && module.teleprinter.function_environment_variables["TELEPRINTER_INTERVAL_MS"] == "100" && module.teleprinter.function_environment_variables["CONNECTION_TTL_SECONDS"] == "7800"
    error_message = "The teleprinter must use the stack's table, print every 100 ms and keep sessions as long as connections."
  }

  assert {
    condition     = !contains(keys(module.teleprinter.function_environment_variables), "TELEPRINTER_TEXT")
    error_message = "Without teleprinter_text the teleprinter must print its default text."
  }
}

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

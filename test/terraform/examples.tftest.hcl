# Every example must plan. Offline: the AWS provider is mocked, so the example's own
# provider configuration (region) is replaced and no credentials are needed.

mock_provider "aws" {}

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

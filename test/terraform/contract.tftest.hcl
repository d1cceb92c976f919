# One run per validation rule of the inputs: each must reject a value that breaks it.
# Plans only; nothing is created and no AWS credentials are needed.

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

# Valid values every run starts from; a run sets only the input whose rule it breaks. The root module
# declares none of these but jwt (anonymous is its default auth mode, so each jwt run sets auth_mode
# and jwt itself, from jwks).
variables {
  # A valid jwt input: RS256 tokens verified with a JWKS.
  jwks = {
    algorithms = ["RS256"]
    jwks_url   = "https://id.example.com/.well-known/jwks.json"
  }

  # modules/lambda-function's required inputs.
  function_name = "fn"
  artifact_path = "dist/connect.zip"

  # modules/websocket-api's required inputs.
  authorizer = { invoke_arn = "arn:aws:lambda:us-east-1:123456789012:function:auth", identity_sources = ["route.request.header.Sec-WebSocket-Protocol"] }
  routes     = { "$connect" = { invoke_arn = "arn:aws:lambda:us-east-1:123456789012:function:connect", authorize = true } }

  # modules/fanout-queue's required inputs.
  consumer_function_name   = "ws-fanout"
  consumer_timeout_seconds = 60
}

# --- root module ------------------------------------------------------------------------

run "rejects_name_pattern" {
  command = plan

  variables {
    name = "Websocket_Sessions"
  }

  expect_failures = [var.name]
}

run "rejects_name_length" {
  command = plan

  variables {
    name = "a-name-that-is-much-longer-than-forty-chars"
  }

  expect_failures = [var.name]
}

run "rejects_stage_name_pattern" {
  command = plan

  variables {
    stage_name = "dev stage"
  }

  expect_failures = [var.stage_name]
}

run "rejects_additional_route_keys_dollar_prefix" {
  command = plan

  variables {
    additional_route_keys = ["$connect"]
  }

  expect_failures = [var.additional_route_keys]
}

run "rejects_additional_route_keys_pattern" {
  command = plan

  variables {
    additional_route_keys = ["send message"]
  }

  expect_failures = [var.additional_route_keys]
}

run "rejects_additional_route_keys_duplicates" {
  command = plan

  variables {
    additional_route_keys = ["ping", "ping"]
  }

  expect_failures = [var.additional_route_keys]
}

run "rejects_throttling_burst_limit_range" {
  command = plan

  variables {
    throttling_burst_limit = 5001
  }

  expect_failures = [var.throttling_burst_limit]
}

run "rejects_throttling_burst_limit_whole_number" {
  command = plan

  variables {
    throttling_burst_limit = 10.5
  }

  expect_failures = [var.throttling_burst_limit]
}

run "rejects_throttling_rate_limit_range" {
  command = plan

  variables {
    throttling_rate_limit = -1
  }

  expect_failures = [var.throttling_rate_limit]
}

run "rejects_log_retention_in_days_allowed_values" {
  command = plan

  variables {
    log_retention_in_days = 31
  }

  expect_failures = [var.log_retention_in_days]
}

run "rejects_auth_mode_allowed_values" {
  command = plan

  variables {
    auth_mode = "two_phase"
  }

  expect_failures = [var.auth_mode]
}

run "rejects_auth_deadline_seconds_minimum" {
  command = plan

  variables {
    auth_deadline_seconds = 0
  }

  expect_failures = [var.auth_deadline_seconds]
}

run "rejects_auth_deadline_seconds_maximum" {
  command = plan

  variables {
    auth_deadline_seconds = 301
  }

  expect_failures = [var.auth_deadline_seconds]
}

run "rejects_auth_deadline_seconds_whole_number" {
  command = plan

  variables {
    auth_deadline_seconds = 30.5
  }

  expect_failures = [var.auth_deadline_seconds]
}

run "rejects_auth_expiry_grace_seconds_negative" {
  command = plan

  variables {
    auth_expiry_grace_seconds = -1
  }

  expect_failures = [var.auth_expiry_grace_seconds]
}

run "rejects_auth_expiry_grace_seconds_maximum" {
  command = plan

  variables {
    auth_expiry_grace_seconds = 301
  }

  expect_failures = [var.auth_expiry_grace_seconds]
}

run "rejects_auth_expiry_grace_seconds_whole_number" {
  command = plan

  variables {
    auth_expiry_grace_seconds = 2.5
  }

  expect_failures = [var.auth_expiry_grace_seconds]
}

run "rejects_allowed_origins_path" {
  command = plan

  variables {
    allowed_origins = ["https://app.example.com/chat"]
  }

  expect_failures = [var.allowed_origins]
}

run "rejects_allowed_origins_trailing_slash" {
  command = plan

  variables {
    allowed_origins = ["https://app.example.com/"]
  }

  expect_failures = [var.allowed_origins]
}

run "rejects_allowed_origins_scheme" {
  command = plan

  variables {
    allowed_origins = ["app.example.com"]
  }

  expect_failures = [var.allowed_origins]
}

run "rejects_allowed_origins_wildcard_not_alone" {
  command = plan

  variables {
    allowed_origins = ["*", "https://app.example.com"]
  }

  expect_failures = [var.allowed_origins]
}

run "rejects_connection_ttl_grace_seconds_range" {
  command = plan

  variables {
    connection_ttl_grace_seconds = 86401
  }

  expect_failures = [var.connection_ttl_grace_seconds]
}

run "rejects_connection_ttl_grace_seconds_negative" {
  command = plan

  variables {
    connection_ttl_grace_seconds = -1
  }

  expect_failures = [var.connection_ttl_grace_seconds]
}

run "rejects_connection_ttl_grace_seconds_whole_number" {
  command = plan

  variables {
    connection_ttl_grace_seconds = 1.5
  }

  expect_failures = [var.connection_ttl_grace_seconds]
}

run "rejects_management_endpoint_override_scheme" {
  command = plan

  variables {
    management_endpoint_override = "wss://ws.example.com/v1"
  }

  expect_failures = [var.management_endpoint_override]
}

run "rejects_management_endpoint_override_trailing_slash" {
  command = plan

  variables {
    management_endpoint_override = "https://ws.example.com/"
  }

  expect_failures = [var.management_endpoint_override]
}

run "rejects_sweeper_schedule_expression_format" {
  command = plan

  variables {
    sweeper_schedule_expression = "every 1 minute"
  }

  expect_failures = [var.sweeper_schedule_expression]
}

run "rejects_sweeper_schedule_expression_days" {
  command = plan

  variables {
    sweeper_schedule_expression = "rate(1 day)"
  }

  expect_failures = [var.sweeper_schedule_expression]
}

run "rejects_sweeper_schedule_expression_zero" {
  command = plan

  variables {
    sweeper_schedule_expression = "rate(0 minutes)"
  }

  expect_failures = [var.sweeper_schedule_expression]
}

run "rejects_sweeper_schedule_expression_at" {
  command = plan

  variables {
    sweeper_schedule_expression = "at(2030-01-01T00:00:00)"
  }

  expect_failures = [var.sweeper_schedule_expression]
}

run "rejects_sweeper_schedule_expression_cron_fields" {
  command = plan

  variables {
    sweeper_schedule_expression = "cron(*/5 * * * *)"
  }

  expect_failures = [var.sweeper_schedule_expression]
}

run "rejects_sweeper_schedule_expression_plural_for_one" {
  command = plan

  variables {
    sweeper_schedule_expression = "rate(1 minutes)"
  }

  expect_failures = [var.sweeper_schedule_expression]
}

run "rejects_sweeper_schedule_expression_singular_above_one" {
  command = plan

  variables {
    sweeper_schedule_expression = "rate(5 minute)"
  }

  expect_failures = [var.sweeper_schedule_expression]
}

# Resumable sessions: each field's range and whole-number rule.

run "rejects_session_resume_window_seconds_below" {
  command = plan

  variables {
    session = { resume_window_seconds = 0 }
  }

  expect_failures = [var.session]
}

run "rejects_session_resume_window_seconds_above" {
  command = plan

  variables {
    session = { resume_window_seconds = 86401 }
  }

  expect_failures = [var.session]
}

run "rejects_session_resume_window_seconds_fraction" {
  command = plan

  variables {
    session = { resume_window_seconds = 120.5 }
  }

  expect_failures = [var.session]
}

run "rejects_session_heartbeat_seconds_below" {
  command = plan

  variables {
    session = { heartbeat_seconds = 9 }
  }

  expect_failures = [var.session]
}

run "rejects_session_heartbeat_seconds_above" {
  command = plan

  variables {
    session = { heartbeat_seconds = 541 }
  }

  expect_failures = [var.session]
}

run "rejects_session_heartbeat_seconds_fraction" {
  command = plan

  variables {
    session = { heartbeat_seconds = 60.5 }
  }

  expect_failures = [var.session]
}

run "rejects_session_goaway_before_seconds_below" {
  command = plan

  variables {
    session = { goaway_before_seconds = 0 }
  }

  expect_failures = [var.session]
}

run "rejects_session_goaway_before_seconds_above" {
  command = plan

  variables {
    session = { goaway_before_seconds = 3601 }
  }

  expect_failures = [var.session]
}

run "rejects_session_goaway_before_seconds_fraction" {
  command = plan

  variables {
    session = { goaway_before_seconds = 300.5 }
  }

  expect_failures = [var.session]
}

# The resume mode and the resume token key: each run breaks one rule only.

run "rejects_session_resume_not_token_or_id" {
  command = plan

  variables {
    session = { resume = "user" }
  }

  expect_failures = [var.session]
}

run "rejects_session_key_parameter_and_secret_both_given" {
  command = plan

  variables {
    session = {
      key_ssm_parameter_arn = "arn:aws:ssm:us-east-1:123456789012:parameter/websocket-sessions/resume-key"
      key_secret_arn        = "arn:aws:secretsmanager:us-east-1:123456789012:secret:websocket-sessions/resume-key-AbCdEf"
    }
  }

  expect_failures = [var.session]
}

# A parameter's name where its ARN is expected.
run "rejects_session_key_ssm_parameter_arn_format" {
  command = plan

  variables {
    session = { key_ssm_parameter_arn = "/websocket-sessions/resume-key" }
  }

  expect_failures = [var.session]
}

# A parameter's ARN where a secret's is expected.
run "rejects_session_key_secret_arn_format" {
  command = plan

  variables {
    session = { key_secret_arn = "arn:aws:ssm:us-east-1:123456789012:parameter/websocket-sessions/resume-key" }
  }

  expect_failures = [var.session]
}

# A secret's ARN without the suffix AWS appends: IAM could not grant exactly that secret (the
# same pattern as jwt.key_secret_arn's, modules/arn-patterns.json).
run "rejects_session_key_secret_arn_without_suffix" {
  command = plan

  variables {
    session = { key_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:websocket-sessions/resume-key" }
  }

  expect_failures = [var.session]
}

run "rejects_kms_key_arn_format" {
  command = plan

  variables {
    kms_key_arn = "alias/aws/dynamodb"
  }

  expect_failures = [var.kms_key_arn]
}

run "rejects_lambda_architecture_allowed_values" {
  command = plan

  variables {
    lambda_architecture = "arm"
  }

  expect_failures = [var.lambda_architecture]
}

run "rejects_lambda_memory_size_range" {
  command = plan

  variables {
    lambda_memory_size = 64
  }

  expect_failures = [var.lambda_memory_size]
}

run "rejects_lambda_timeout_integration_timeout" {
  command = plan

  variables {
    lambda_timeout = 30
  }

  expect_failures = [var.lambda_timeout]
}

run "rejects_lambda_timeout_range" {
  command = plan

  variables {
    lambda_timeout = 0
  }

  expect_failures = [var.lambda_timeout]
}

run "rejects_log_level_allowed_values" {
  command = plan

  variables {
    log_level = "trace"
  }

  expect_failures = [var.log_level]
}

run "rejects_metrics_namespace_pattern" {
  command = plan

  variables {
    metrics_namespace = "Web Socket Sessions"
  }

  expect_failures = [var.metrics_namespace]
}

run "rejects_metrics_namespace_reserved_prefix" {
  command = plan

  variables {
    metrics_namespace = "AWS/WebSockets"
  }

  expect_failures = [var.metrics_namespace]
}

# --- root module: jwt auth mode -------------------------------------------------------

run "rejects_jwt_required_in_jwt_mode" {
  command = plan

  variables {
    auth_mode = "jwt"
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_required_in_two_phase_mode" {
  command = plan

  variables {
    auth_mode = "two-phase"
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_set_in_anonymous_mode" {
  command = plan

  variables {
    jwt = var.jwks
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_algorithms_empty" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms = []
      jwks_url   = "https://id.example.com/.well-known/jwks.json"
    }
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_algorithms_duplicates" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms = ["RS256", "RS256"]
      jwks_url   = "https://id.example.com/.well-known/jwks.json"
    }
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_algorithms_allowed_values" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms = ["none"]
      jwks_url   = "https://id.example.com/.well-known/jwks.json"
    }
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_algorithms_case" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms = ["rs256"]
      jwks_url   = "https://id.example.com/.well-known/jwks.json"
    }
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_key_source_missing_unless_hs256_with_the_access_token_key" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms = ["RS256"]
    }
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_key_source_several" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { key_ssm_parameter_arn = "arn:aws:ssm:us-east-1:123456789012:parameter/ws/jwt-secret" })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_static_key_single_algorithm" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms            = ["RS256", "ES256"]
      key_ssm_parameter_arn = "arn:aws:ssm:us-east-1:123456789012:parameter/ws/jwt-secret"
    }
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_jwks_url_https" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms = ["RS256"]
      jwks_url   = "http://id.example.com/.well-known/jwks.json"
    }
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_key_ssm_parameter_arn_format" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms            = ["HS256"]
      key_ssm_parameter_arn = "/ws/jwt-secret"
    }
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_key_secret_arn_format" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms     = ["HS256"]
      key_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ws/jwt"
    }
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_key_kms_key_arn_format" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms            = ["HS256"]
      key_ssm_parameter_arn = "arn:aws:ssm:us-east-1:123456789012:parameter/ws/jwt-secret"
      key_kms_key_arn       = "arn:aws:kms:us-east-1:123456789012:alias/ws-jwt"
    }
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_key_kms_key_arn_without_static_key" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { key_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_key_id_without_static_key" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { key_id = "2024-06" })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_key_id_pattern" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms            = ["HS256"]
      key_ssm_parameter_arn = "arn:aws:ssm:us-east-1:123456789012:parameter/ws/jwt-secret"
      key_id                = "key 1"
    }
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_clock_tolerance_seconds_range" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { clock_tolerance_seconds = 301 })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_clock_tolerance_seconds_whole_number" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { clock_tolerance_seconds = 1.5 })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_max_lifetime_seconds_range" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { max_lifetime_seconds = 59 })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_max_lifetime_seconds_whole_number" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { max_lifetime_seconds = 3600.5 })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_max_age_seconds_range" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { max_age_seconds = 604801 })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_max_age_seconds_whole_number" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { max_age_seconds = 0.5 })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_session_check_outside_jwt_mode" {
  command = plan

  variables {
    auth_mode = "two-phase"
    jwt       = merge(var.jwks, { session_check = true })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_session_cache_seconds_range" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { session_check = true, session_cache_seconds = 6 })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_session_cache_seconds_whole_number" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { session_cache_seconds = 2.5 })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_session_cache_size_range" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { session_cache_size = 0 })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_token_sources_empty" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { token_sources = [] })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_cookie_source_with_any_origin" {
  command = plan

  variables {
    auth_mode       = "jwt"
    allowed_origins = ["*"]
    jwt             = merge(var.jwks, { token_sources = ["subprotocol", "cookie"] })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_token_sources_allowed_values" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { token_sources = ["header"] })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_token_sources_duplicates" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { token_sources = ["cookie", "cookie"] })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_cookie_name_pattern" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt = merge(var.jwks, {
      token_sources = ["cookie"]
      cookie_name   = "ws token"
    })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_query_parameter_pattern" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt = merge(var.jwks, {
      token_sources   = ["query"]
      query_parameter = "token[]"
    })
  }

  expect_failures = [var.jwt]
}

run "rejects_jwt_claims_names" {
  command = plan

  variables {
    auth_mode = "jwt"
    jwt       = merge(var.jwks, { claims = { user_id = " sub" } })
  }

  expect_failures = [var.jwt]
}

# --- modules/lambda-function -------------------------------------------------------

run "rejects_lambda_function_function_name_pattern" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    function_name = "my function"
  }

  expect_failures = [var.function_name]
}

run "rejects_lambda_function_reserved_concurrent_executions_negative" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    reserved_concurrent_executions = -1
  }

  expect_failures = [var.reserved_concurrent_executions]
}

run "rejects_lambda_function_artifact_path_zip" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    artifact_path = "dist/connect.js"
  }

  expect_failures = [var.artifact_path]
}

run "rejects_lambda_function_architecture_allowed_values" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    architecture = "arm"
  }

  expect_failures = [var.architecture]
}

run "rejects_lambda_function_memory_size_range" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    memory_size = 10241
  }

  expect_failures = [var.memory_size]
}

run "rejects_lambda_function_timeout_range" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    timeout = 901
  }

  expect_failures = [var.timeout]
}

run "rejects_lambda_function_log_retention_in_days_allowed_values" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    log_retention_in_days = 2
  }

  expect_failures = [var.log_retention_in_days]
}

run "rejects_lambda_function_policies_reserved_logs_key" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    policies = {
      logs = [{ actions = ["logs:PutLogEvents"], resources = ["arn:aws:logs:us-east-1:123456789012:log-group:other:*"] }]
    }
  }

  expect_failures = [var.policies]
}

run "rejects_lambda_function_policies_empty_statement" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    policies = {
      table = [{ actions = [], resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/ws"] }]
    }
  }

  expect_failures = [var.policies]
}

run "rejects_lambda_function_policies_wildcard_action" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    policies = {
      table = [{ actions = ["dynamodb:*"], resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/ws"] }]
    }
  }

  expect_failures = [var.policies]
}

run "rejects_lambda_function_policies_wildcard_resource" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    policies = {
      table = [{ actions = ["dynamodb:GetItem"], resources = ["*"] }]
    }
  }

  expect_failures = [var.policies]
}

run "rejects_lambda_function_policies_condition_shape" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    policies = {
      key-material = [{
        actions    = ["kms:Decrypt"]
        resources  = ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
        conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = [] }]
      }]
    }
  }

  expect_failures = [var.policies]
}

run "rejects_lambda_function_policies_condition_duplicates" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    policies = {
      key-material = [{
        actions   = ["kms:Decrypt"]
        resources = ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
        conditions = [
          { test = "StringEquals", variable = "kms:ViaService", values = ["ssm.us-east-1.amazonaws.com"] },
          { test = "StringEquals", variable = "kms:ViaService", values = ["secretsmanager.us-east-1.amazonaws.com"] },
        ]
      }]
    }
  }

  expect_failures = [var.policies]
}

run "rejects_lambda_function_allowed_triggers_statement_id" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    allowed_triggers = {
      "route $default" = { principal = "apigateway.amazonaws.com", source_arn = "arn:aws:execute-api:us-east-1:123456789012:abc/dev/$default" }
    }
  }

  expect_failures = [var.allowed_triggers]
}

# --- modules/scheduler ---------------------------------------------------------------

run "rejects_scheduler_name_pattern" {
  command = plan

  module {
    source = "./modules/scheduler"
  }

  variables {
    name = "web sockets"
  }

  expect_failures = [var.name]
}

run "rejects_scheduler_schedules_key" {
  command = plan

  module {
    source = "./modules/scheduler"
  }

  variables {
    name = "ws"
    schedules = {
      "sweep stale" = { schedule_expression = "rate(1 minute)", function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper" }
    }
  }

  expect_failures = [var.schedules]
}

run "rejects_scheduler_schedules_schedule_expression" {
  command = plan

  module {
    source = "./modules/scheduler"
  }

  variables {
    name = "ws"
    schedules = {
      sweeper = { schedule_expression = "at(2030-01-01T00:00:00)", function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper" }
    }
  }

  expect_failures = [var.schedules]
}

run "rejects_scheduler_schedules_function_arn" {
  command = plan

  module {
    source = "./modules/scheduler"
  }

  variables {
    name = "ws"
    schedules = {
      sweeper = { schedule_expression = "rate(1 minute)", function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper:live" }
    }
  }

  expect_failures = [var.schedules]
}

run "rejects_scheduler_one_time_schedule_target_arns" {
  command = plan

  module {
    source = "./modules/scheduler"
  }

  variables {
    name                          = "ws"
    one_time_schedule_target_arns = ["arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper:live"]
  }

  expect_failures = [var.one_time_schedule_target_arns]
}

# --- modules/connection-store ------------------------------------------------------

run "rejects_connection_store_name_pattern" {
  command = plan

  module {
    source = "./modules/connection-store"
  }

  variables {
    name = "ws"
  }

  expect_failures = [var.name]
}

run "rejects_connection_store_kms_key_arn_format" {
  command = plan

  module {
    source = "./modules/connection-store"
  }

  variables {
    name        = "ws-table"
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/ws"
  }

  expect_failures = [var.kms_key_arn]
}

# --- modules/websocket-api ---------------------------------------------------------

run "rejects_websocket_api_name_pattern" {
  command = plan

  module {
    source = "./modules/websocket-api"
  }

  variables {
    name = "web socket"
  }

  expect_failures = [var.name]
}

run "rejects_websocket_api_stage_name_pattern" {
  command = plan

  module {
    source = "./modules/websocket-api"
  }

  variables {
    name       = "ws"
    stage_name = "dev/1"
  }

  expect_failures = [var.stage_name]
}

run "rejects_websocket_api_log_retention_in_days_allowed_values" {
  command = plan

  module {
    source = "./modules/websocket-api"
  }

  variables {
    name                  = "ws"
    log_retention_in_days = 8
  }

  expect_failures = [var.log_retention_in_days]
}

run "rejects_websocket_api_authorizer_identity_sources" {
  command = plan

  module {
    source = "./modules/websocket-api"
  }

  variables {
    name       = "ws"
    authorizer = { invoke_arn = "arn:aws:lambda:us-east-1:123456789012:function:auth", identity_sources = ["header.Authorization"] }
  }

  expect_failures = [var.authorizer]
}

run "rejects_websocket_api_routes_route_key" {
  command = plan

  module {
    source = "./modules/websocket-api"
  }

  variables {
    name   = "ws"
    routes = { "$other" = { invoke_arn = "arn:aws:lambda:us-east-1:123456789012:function:message" } }
  }

  expect_failures = [var.routes]
}

run "rejects_websocket_api_routes_authorizer_outside_connect" {
  command = plan

  module {
    source = "./modules/websocket-api"
  }

  variables {
    name   = "ws"
    routes = { "$default" = { invoke_arn = "arn:aws:lambda:us-east-1:123456789012:function:message", authorize = true } }
  }

  expect_failures = [var.routes]
}

run "rejects_session_key_version_zero" {
  command = plan
  variables {
    session_key_version = 0
  }
  expect_failures = [var.session_key_version]
}

run "rejects_session_key_version_fraction" {
  command = plan
  variables {
    session_key_version = 1.5
  }
  expect_failures = [var.session_key_version]
}

run "rejects_reserved_concurrency_unknown_function" {
  command = plan
  variables {
    reserved_concurrency = { teleprinter = 10 }
  }
  expect_failures = [var.reserved_concurrency]
}

run "rejects_reserved_concurrency_zero" {
  command = plan
  variables {
    reserved_concurrency = { message = 0 }
  }
  expect_failures = [var.reserved_concurrency]
}

run "rejects_reserved_concurrency_fraction" {
  command = plan
  variables {
    reserved_concurrency = { connect = 2.5 }
  }
  expect_failures = [var.reserved_concurrency]
}

run "rejects_reserved_concurrency_fanout_below_maximum_concurrency" {
  command = plan
  variables {
    fanout               = { maximum_concurrency = 20 }
    reserved_concurrency = { fanout = 10 }
  }
  expect_failures = [var.reserved_concurrency]
}

run "rejects_max_connections_per_user_fraction" {
  command = plan
  variables {
    max_connections_per_user = 2.5
  }
  expect_failures = [var.max_connections_per_user]
}

run "rejects_max_connections_per_user_negative" {
  command = plan
  variables {
    max_connections_per_user = -1
  }
  expect_failures = [var.max_connections_per_user]
}

run "rejects_handshake_rate_limit_negative" {
  command = plan
  variables {
    handshake_rate_limit = { handshakes = -1 }
  }
  expect_failures = [var.handshake_rate_limit]
}

run "rejects_handshake_rate_limit_fraction" {
  command = plan
  variables {
    handshake_rate_limit = { handshakes = 2.5 }
  }
  expect_failures = [var.handshake_rate_limit]
}

run "rejects_handshake_rate_limit_zero_window" {
  command = plan
  variables {
    handshake_rate_limit = { handshakes = 10, window_seconds = 0 }
  }
  expect_failures = [var.handshake_rate_limit]
}

run "rejects_handshake_rate_limit_window_over_an_hour" {
  command = plan
  variables {
    handshake_rate_limit = { handshakes = 10, window_seconds = 3601 }
  }
  expect_failures = [var.handshake_rate_limit]
}

run "rejects_message_rate_limit_messages_out_of_range" {
  command = plan
  variables {
    message_rate_limit = { messages = 100001 }
  }
  expect_failures = [var.message_rate_limit]
}

run "rejects_message_rate_limit_window_zero" {
  command = plan
  variables {
    message_rate_limit = { window_seconds = 0 }
  }
  expect_failures = [var.message_rate_limit]
}

run "rejects_action_permissions_malformed_action" {
  command = plan
  variables {
    action_permissions = { "../broadcast" = ["admin"] }
  }
  expect_failures = [var.action_permissions]
}

run "rejects_action_permissions_empty_roles" {
  command = plan
  variables {
    action_permissions = { broadcast = [] }
  }
  expect_failures = [var.action_permissions]
}

run "rejects_action_permissions_role_with_space" {
  command = plan
  variables {
    action_permissions = { broadcast = ["super admin"] }
  }
  expect_failures = [var.action_permissions]
}

# --- channels, fan-out and alarms ---------------------------------------------------------

run "rejects_fanout_concurrency_range" {
  command = plan

  variables {
    fanout = { concurrency = 201 }
  }

  expect_failures = [var.fanout]
}

run "rejects_fanout_chunk_size_range" {
  command = plan

  variables {
    fanout = { chunk_size = 0 }
  }

  expect_failures = [var.fanout]
}

run "rejects_fanout_one_hop_max_range" {
  command = plan

  variables {
    fanout = { one_hop_max = -1 }
  }

  expect_failures = [var.fanout]
}

run "rejects_fanout_partitions_range" {
  command = plan

  variables {
    fanout = { partitions = 65 }
  }

  expect_failures = [var.fanout]
}

run "rejects_fanout_retry_attempts_range" {
  command = plan

  variables {
    fanout = { retry_attempts = 11 }
  }

  expect_failures = [var.fanout]
}

run "rejects_fanout_batch_size_fifo_maximum" {
  command = plan

  variables {
    fanout = { batch_size = 11 }
  }

  expect_failures = [var.fanout]
}

run "rejects_fanout_maximum_concurrency_range" {
  command = plan

  variables {
    fanout = { maximum_concurrency = 1 }
  }

  expect_failures = [var.fanout]
}

run "rejects_fanout_max_receive_count_range" {
  command = plan

  variables {
    fanout = { max_receive_count = 0 }
  }

  expect_failures = [var.fanout]
}

run "rejects_fanout_timeout_seconds_whole_number" {
  command = plan

  variables {
    fanout = { timeout_seconds = 30.5 }
  }

  expect_failures = [var.fanout]
}

run "rejects_fanout_kms_key_arn_alias" {
  command = plan

  variables {
    fanout = { kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/fanout" }
  }

  expect_failures = [var.fanout]
}

run "rejects_fanout_message_retention_seconds_range" {
  command = plan

  variables {
    fanout = { message_retention_seconds = 1209601 }
  }

  expect_failures = [var.fanout]
}

run "rejects_fanout_oldest_message_alarm_seconds_above_retention" {
  command = plan

  variables {
    fanout = { message_retention_seconds = 600, oldest_message_alarm_seconds = 900 }
  }

  expect_failures = [var.fanout]
}

run "rejects_channel_log_retention_seconds_range" {
  command = plan

  variables {
    channel_log_retention_seconds = 59
  }

  expect_failures = [var.channel_log_retention_seconds]
}

run "rejects_max_payload_bytes_range" {
  command = plan

  variables {
    max_payload_bytes = 120001
  }

  expect_failures = [var.max_payload_bytes]
}

run "rejects_max_subscriptions_per_connection_range" {
  command = plan

  variables {
    max_subscriptions_per_connection = -1
  }

  expect_failures = [var.max_subscriptions_per_connection]
}

run "rejects_alarm_actions_not_sns" {
  command = plan

  variables {
    alarm_actions = ["arn:aws:lambda:us-east-1:123456789012:function:pager"]
  }

  expect_failures = [var.alarm_actions]
}

# --- modules/fanout-queue ------------------------------------------------------------

run "rejects_fanout_queue_name_pattern" {
  command = plan

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name = "web sockets"
  }

  expect_failures = [var.name]
}

run "rejects_fanout_queue_consumer_function_name_pattern" {
  command = plan

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name                   = "ws"
    consumer_function_name = "arn:aws:lambda:us-east-1:123456789012:function:ws-fanout"
  }

  expect_failures = [var.consumer_function_name]
}

run "rejects_fanout_queue_consumer_timeout_seconds_range" {
  command = plan

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name                     = "ws"
    consumer_timeout_seconds = 901
  }

  expect_failures = [var.consumer_timeout_seconds]
}

run "rejects_fanout_queue_batch_size_fifo_maximum" {
  command = plan

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name       = "ws"
    batch_size = 100
  }

  expect_failures = [var.batch_size]
}

run "rejects_fanout_queue_maximum_concurrency_range" {
  command = plan

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name                = "ws"
    maximum_concurrency = 1
  }

  expect_failures = [var.maximum_concurrency]
}

run "rejects_fanout_queue_max_receive_count_range" {
  command = plan

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name              = "ws"
    max_receive_count = 1001
  }

  expect_failures = [var.max_receive_count]
}

run "rejects_fanout_queue_message_retention_seconds_range" {
  command = plan

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name                      = "ws"
    message_retention_seconds = 59
  }

  expect_failures = [var.message_retention_seconds]
}

run "rejects_fanout_queue_dlq_message_retention_seconds_range" {
  command = plan

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name                          = "ws"
    dlq_message_retention_seconds = 1209601
  }

  expect_failures = [var.dlq_message_retention_seconds]
}

run "rejects_fanout_queue_kms_key_arn_format" {
  command = plan

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name        = "ws"
    kms_key_arn = "alias/fanout"
  }

  expect_failures = [var.kms_key_arn]
}

run "rejects_fanout_queue_alarm_actions_not_sns" {
  command = plan

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name          = "ws"
    alarm_actions = ["arn:aws:sqs:us-east-1:123456789012:alerts"]
  }

  expect_failures = [var.alarm_actions]
}

run "rejects_fanout_queue_oldest_message_alarm_seconds_above_retention" {
  command = plan

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name                         = "ws"
    message_retention_seconds    = 120
    oldest_message_alarm_seconds = 300
  }

  expect_failures = [var.oldest_message_alarm_seconds]
}

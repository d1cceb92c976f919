# The auth modes, offline: applies the root module in each mode against the mocked provider
# (test/terraform/mocks) and asserts the authorizer's identity source, the JWT_* settings and the
# key-material policies of the functions that verify tokens.

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

variables {
  # The JWT_* settings of a jwt input that sets only what it must (the optional fields' defaults).
  jwt_defaults = {
    JWT_CLOCK_TOLERANCE_SECONDS = "5"
    JWT_MAX_LIFETIME_SECONDS    = "86400"
    JWT_TOKEN_SOURCES           = "subprotocol"
    JWT_COOKIE_NAME             = "ws_token"
    JWT_QUERY_PARAMETER         = "token"
    JWT_USER_ID_CLAIM           = "sub"
    JWT_TENANT_ID_CLAIM         = "tenant_id"
    JWT_ROLES_CLAIM             = "roles"
    JWT_SESSION_ID_CLAIM        = "sid"
  }

  # The authorizer's sid check (off by default); the message function never gets these.
  session_check_defaults = {
    JWT_SESSION_CHECK         = "false"
    JWT_REQUIRE_SESSION_ID    = "false"
    JWT_SESSION_CACHE_SECONDS = "5"
    JWT_SESSION_CACHE_SIZE    = "10000"
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
    condition = output.function_environment_variables.authorizer == tomap(merge(jsondecode(file("test/terraform/fixtures/environments/authorizer.json")), var.jwt_defaults, var.session_check_defaults, {
      AUTH_MODE       = "jwt"
      ALLOWED_ORIGINS = "https://app.example.com"
      JWT_ALGORITHMS  = "RS256,ES256"
      JWT_ISSUER      = "https://id.example.com/"
      JWT_AUDIENCE    = "websocket-sessions,chat"
      JWT_JWKS_URL    = "https://id.example.com/.well-known/jwks.json"
    }))
    error_message = "The authorizer's jwt environment does not match the contract (unset optional settings must be omitted)."
  }

  assert {
    condition     = output.function_environment_variables.connect.AUTH_MODE == "jwt"
    error_message = "The connect function's AUTH_MODE must follow auth_mode."
  }

  assert {
    condition = output.function_environment_variables.message == tomap(merge(jsondecode(file("test/terraform/fixtures/environments/message.json")), var.jwt_defaults, {
      AUTH_MODE                 = "jwt"
      AUTH_EXPIRY_GRACE_SECONDS = "30"
      JWT_ALGORITHMS            = "RS256,ES256"
      JWT_ISSUER                = "https://id.example.com/"
      JWT_AUDIENCE              = "websocket-sessions,chat"
      JWT_JWKS_URL              = "https://id.example.com/.well-known/jwks.json"
    }))
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
    condition = output.function_environment_variables.authorizer == tomap(merge(jsondecode(file("test/terraform/fixtures/environments/authorizer.json")), var.session_check_defaults, {
      AUTH_MODE                   = "jwt"
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
    }))
    error_message = "The authorizer's environment does not match the contract for an SSM key (no JWT_ISSUER, JWT_AUDIENCE, JWT_JWKS_URL or JWT_KEY_SECRET_ARN when unset)."
  }

  assert {
    condition     = sort(keys(output.function_role_policy_documents.authorizer)) == tolist(["key-material", "logs"])
    error_message = "A static key must add exactly one key-material policy to the authorizer."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.authorizer["key-material"]) == jsondecode(file("test/terraform/fixtures/policies/key-material.ssm-parameter.json"))
    error_message = "The authorizer may only read the key's parameter (no kms:Decrypt without key_kms_key_arn)."
  }

  assert {
    condition = output.function_environment_variables.message == tomap(merge(
      { for key, value in output.function_environment_variables.authorizer : key => value if startswith(key, "JWT_") && !contains(keys(var.session_check_defaults), key) },
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
    condition = output.function_environment_variables.authorizer == tomap(merge(jsondecode(file("test/terraform/fixtures/environments/authorizer.json")), var.jwt_defaults, var.session_check_defaults, {
      AUTH_MODE          = "jwt"
      JWT_ALGORITHMS     = "ES256"
      JWT_ISSUER         = "https://id.example.com/"
      JWT_KEY_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:websocket-sessions/jwt-public-key-AbC123"
    }))
    error_message = "The authorizer's environment does not match the contract for a Secrets Manager key (the KMS key is IAM only, not configuration)."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.authorizer["key-material"]) == jsondecode(file("test/terraform/fixtures/policies/key-material.secret-kms.json"))
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
    condition = output.function_environment_variables.authorizer == tomap(merge(jsondecode(file("test/terraform/fixtures/environments/authorizer.json")), {
      AUTH_MODE       = "two-phase"
      ALLOWED_ORIGINS = "https://app.example.com"
    }))
    error_message = "In two-phase mode the authorizer verifies nothing: it must get AUTH_MODE and the origin settings, no JWT_*."
  }

  assert {
    condition = output.function_environment_variables.connect == tomap(merge(jsondecode(file("test/terraform/fixtures/environments/connect.json")), {
      AUTH_MODE             = "two-phase"
      AUTH_DEADLINE_SECONDS = "30"
    }))
    error_message = "In two-phase mode the connect function must get AUTH_DEADLINE_SECONDS (default 30)."
  }

  assert {
    condition = output.function_environment_variables.message == tomap(merge(jsondecode(file("test/terraform/fixtures/environments/message.json")), var.jwt_defaults, {
      AUTH_MODE                 = "two-phase"
      AUTH_EXPIRY_GRACE_SECONDS = "30"
      JWT_ALGORITHMS            = "RS256"
      JWT_ISSUER                = "https://id.example.com/"
      JWT_AUDIENCE              = "chat"
      JWT_JWKS_URL              = "https://id.example.com/.well-known/jwks.json"
    }))
    error_message = "In two-phase mode the message function verifies the auth frames: it must get AUTH_MODE and the JWT_* settings."
  }

  assert {
    condition     = output.function_environment_variables.disconnect == tomap(jsondecode(file("test/terraform/fixtures/environments/disconnect.json")))
    error_message = "The disconnect function's environment must not depend on the auth mode."
  }

  assert {
    condition = output.function_environment_variables.sweeper == tomap(merge(jsondecode(file("test/terraform/fixtures/environments/sweeper.json")), {
      AUTH_EXPIRY_GRACE_SECONDS = "30"
    }))
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
    condition = { for key, value in output.function_environment_variables.message : key => value if startswith(key, "JWT_") || key == "AUTH_MODE" } == merge(var.jwt_defaults, {
      AUTH_MODE          = "two-phase"
      JWT_ALGORITHMS     = "HS256"
      JWT_KEY_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:websocket-sessions/jwt-secret-AbC123"
      JWT_KEY_ID         = "2024-06"
    })
    error_message = "The message function must get the Secrets Manager key's settings (the KMS key is IAM only, not configuration)."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.message["key-material"]) == jsondecode(file("test/terraform/fixtures/policies/key-material.secret.json"))
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

run "jwt_mode_with_the_session_check_lets_the_authorizer_read_user_sessions" {
  command = apply

  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms            = ["ES256"]
      jwks_url              = "https://id.example.com/.well-known/jwks.json"
      session_check         = true
      require_session_id    = true
      session_cache_seconds = 1
      session_cache_size    = 500
    }
  }

  assert {
    condition = { for key, value in output.function_environment_variables.authorizer : key => value if contains(keys(var.session_check_defaults), key) } == {
      JWT_SESSION_CHECK         = "true"
      JWT_REQUIRE_SESSION_ID    = "true"
      JWT_SESSION_CACHE_SECONDS = "1"
      JWT_SESSION_CACHE_SIZE    = "500"
    }
    error_message = "The authorizer must get the sid check's settings from jwt.session_check, require_session_id and session_cache_*."
  }

  assert {
    condition     = length([for key in keys(output.function_environment_variables.message) : key if contains(keys(var.session_check_defaults), key)]) == 0
    error_message = "The message function must not get the authorizer's sid check settings."
  }

  assert {
    condition     = sort(keys(output.function_role_policy_documents.authorizer)) == tolist(["logs", "session-check"]) && jsonencode(jsondecode(output.function_role_policy_documents.authorizer["session-check"]).Statement[*].Action) == jsonencode([["dynamodb:GetItem"]])
    error_message = "With the sid check the authorizer gets one policy, GetItem on the table."
  }
}

# --- guests beside signed-in users ----------------------------------------------------

run "allow_guests_reaches_the_authorizer_in_token_modes" {
  command = apply

  variables {
    auth_mode    = "two-phase"
    allow_guests = true
    jwt = {
      algorithms = ["ES256"]
      jwks_url   = "https://id.example.com/.well-known/jwks.json"
    }
  }

  assert {
    condition     = output.function_environment_variables.authorizer.ALLOW_GUESTS == "true"
    error_message = "With allow_guests the authorizer of a two-phase stage must get ALLOW_GUESTS = \"true\"."
  }

  assert {
    condition     = length([for fn, environment in output.function_environment_variables : fn if fn != "authorizer" && contains(keys(environment), "ALLOW_GUESTS")]) == 0
    error_message = "Only the authorizer reads ALLOW_GUESTS."
  }
}

run "allow_guests_is_not_passed_in_anonymous_mode" {
  command = apply

  variables {
    auth_mode    = "anonymous"
    allow_guests = true
  }

  assert {
    condition     = !contains(keys(output.function_environment_variables.authorizer), "ALLOW_GUESTS")
    error_message = "In anonymous mode everyone is a guest already: ALLOW_GUESTS must not be passed."
  }
}

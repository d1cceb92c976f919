# The key material of user sessions (session-keys.tf), offline: the session cookie's key set and the
# access-token key, created by the module or yours; the authorizer's settings and least-privilege reads
# when it accepts the cookie on $connect; the session_keys policy for your functions; the validations.

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

variables {
  origins                  = ["https://app.example.com"]
  jwks                     = { algorithms = ["ES256"], jwks_url = "https://id.example.com/.well-known/jwks.json" }
  parameter_arn            = "arn:aws:ssm:us-east-1:123456789012:parameter/websocket-sessions/session-cookie-keys"
  secret_arn               = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/cookie-keys-AbCdEf"
  key_material_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  cookie_settings = [
    "SESSION_COOKIE_CONNECT", "SESSION_COOKIE_NAME", "SESSION_COOKIE_DOMAIN", "SESSION_COOKIE_KEYS_SSM_PARAMETER", "SESSION_COOKIE_KEYS_SECRET_ARN",
  ]
}

run "nothing_by_default" {
  command = apply

  assert {
    condition     = length(aws_ssm_parameter.session_cookie_keys) + length(aws_ssm_parameter.access_token_key) + length(aws_iam_policy.session_keys) == 0
    error_message = "Without session_cookie, and without jwt, no key and no policy may be created."
  }

  assert {
    condition     = output.session_cookie_environment == null && output.access_token_key == null && output.session_keys_policy_arn == null
    error_message = "Without them, the session_cookie_environment, access_token_key and session_keys_policy_arn outputs are null."
  }

  assert {
    condition     = length([for key in keys(output.function_environment_variables.authorizer) : key if contains(var.cookie_settings, key)]) == 0
    error_message = "The authorizer gets no SESSION_COOKIE_* setting without session_cookie."
  }
}

run "cookie_connect_with_the_module_key_set" {
  command = apply

  variables {
    auth_mode       = "jwt"
    allowed_origins = var.origins
    jwt             = var.jwks
    session_cookie  = {}
  }

  assert {
    condition     = aws_ssm_parameter.session_cookie_keys[0].name == "/websocket-sessions/session-cookie-keys" && aws_ssm_parameter.session_cookie_keys[0].type == "SecureString" && aws_ssm_parameter.session_cookie_keys[0].value_wo_version == 1
    error_message = "The module creates the SecureString /<name>/session-cookie-keys, written write-only at version 1."
  }

  assert {
    condition     = { for key, value in output.function_environment_variables.authorizer : key => value if contains(var.cookie_settings, key) } == { SESSION_COOKIE_CONNECT = "true", SESSION_COOKIE_KEYS_SSM_PARAMETER = "/websocket-sessions/session-cookie-keys" }
    error_message = "The authorizer accepts the cookie and reads the module's key set by name: ${jsonencode(output.function_environment_variables.authorizer)}."
  }

  assert {
    condition     = output.session_cookie_environment == { SESSION_COOKIE_KEYS_SSM_PARAMETER = "/websocket-sessions/session-cookie-keys" }
    error_message = "Your functions get the same key set as the authorizer."
  }

  assert {
    condition     = sort(keys(output.function_role_policy_documents.authorizer)) == tolist(["logs", "session-check", "session-cookie-keys"])
    error_message = "The authorizer's role gets the session read and the key set read, and nothing else: ${jsonencode(keys(output.function_role_policy_documents.authorizer))}."
  }

  assert {
    condition = jsonencode(jsondecode(output.function_role_policy_documents.authorizer["session-cookie-keys"]).Statement) == jsonencode([{
      Sid = "ReadCookieKeysParameter", Effect = "Allow", Action = ["ssm:GetParameter"], Resource = [var.parameter_arn]
    }])
    error_message = "The authorizer may read exactly the key set's parameter: ${output.function_role_policy_documents.authorizer["session-cookie-keys"]}."
  }

  assert {
    condition = jsonencode(jsondecode(output.function_role_policy_documents.authorizer["session-check"]).Statement) == jsonencode([{
      Sid       = "ReadUserSession", Effect = "Allow", Action = ["dynamodb:GetItem"], Resource = [output.table_arn]
      Condition = { "ForAllValues:StringLike" = { "dynamodb:LeadingKeys" = ["USER#*"] } }
    }])
    error_message = "The authorizer may only GetItem user sessions' items (USER# partitions) of the table, not its indexes: ${output.function_role_policy_documents.authorizer["session-check"]}."
  }

  assert {
    condition     = length([for key in keys(output.function_environment_variables.message) : key if contains(var.cookie_settings, key)]) == 0 && !contains(keys(output.function_role_policy_documents.message), "session-cookie-keys")
    error_message = "Only the authorizer reads the cookie."
  }

  assert {
    condition     = aws_iam_policy.session_keys[0].name == "websocket-sessions-session-keys" && output.session_keys_policy_arn == aws_iam_policy.session_keys[0].arn && jsonencode(jsondecode(aws_iam_policy.session_keys[0].policy).Statement) == jsonencode([{ Sid = "ReadCookieKeysParameter", Effect = "Allow", Action = ["ssm:GetParameter"], Resource = [var.parameter_arn] }])
    error_message = "The managed policy <name>-session-keys reads the key set for your functions, and its ARN is output."
  }

  assert {
    condition     = length(aws_ssm_parameter.access_token_key) == 0 && output.access_token_key == null
    error_message = "jwt with a JWKS of its own uses no access-token key."
  }
}

run "the_cookie_settings_and_a_key_set_of_yours" {
  command = apply

  variables {
    auth_mode       = "jwt"
    allowed_origins = var.origins
    jwt             = var.jwks
    session_cookie  = { name = "__Secure-sid", domain = "example.com", keys_secret_arn = var.secret_arn, keys_kms_key_arn = var.key_material_kms_key_arn }
  }

  assert {
    condition = { for key, value in output.function_environment_variables.authorizer : key => value if contains(var.cookie_settings, key) } == {
      SESSION_COOKIE_CONNECT = "true", SESSION_COOKIE_NAME = "__Secure-sid", SESSION_COOKIE_DOMAIN = "example.com", SESSION_COOKIE_KEYS_SECRET_ARN = var.secret_arn
    }
    error_message = "The authorizer gets the name, the Domain and your secret: ${jsonencode(output.function_environment_variables.authorizer)}."
  }

  assert {
    condition     = length(aws_ssm_parameter.session_cookie_keys) == 0
    error_message = "With a key set of yours the module creates none."
  }

  assert {
    condition = jsonencode(jsondecode(output.function_role_policy_documents.authorizer["session-cookie-keys"]).Statement) == jsonencode([
      { Sid = "ReadCookieKeysSecret", Effect = "Allow", Action = ["secretsmanager:GetSecretValue"], Resource = [var.secret_arn] },
      { Sid = "DecryptCookieKeys", Effect = "Allow", Action = ["kms:Decrypt"], Resource = [var.key_material_kms_key_arn], Condition = { StringEquals = { "kms:ViaService" = ["secretsmanager.us-east-1.amazonaws.com"] } } },
    ])
    error_message = "The authorizer reads exactly your secret, and decrypts with your key through Secrets Manager only: ${output.function_role_policy_documents.authorizer["session-cookie-keys"]}."
  }
}

run "the_key_set_alone_in_anonymous_mode" {
  command = apply

  variables {
    session_cookie = { connect = false }
  }

  assert {
    condition     = length(aws_ssm_parameter.session_cookie_keys) == 1 && output.session_cookie_environment == { SESSION_COOKIE_KEYS_SSM_PARAMETER = "/websocket-sessions/session-cookie-keys" }
    error_message = "Without connect the key set is still created for your functions."
  }

  assert {
    condition     = sort(keys(output.function_role_policy_documents.authorizer)) == tolist(["logs"]) && length([for key in keys(output.function_environment_variables.authorizer) : key if contains(var.cookie_settings, key)]) == 0
    error_message = "Without connect the authorizer reads neither the key set nor the table."
  }
}

run "rotating_the_module_key_set_writes_a_new_one" {
  command = apply

  variables {
    session_cookie             = { connect = false }
    session_cookie_key_version = 2
  }

  assert {
    condition     = aws_ssm_parameter.session_cookie_keys[0].value_wo_version == 2
    error_message = "session_cookie_key_version is the parameter's value_wo_version."
  }
}

run "jwt_without_a_key_source_verifies_with_the_module_access_token_key" {
  command = apply

  variables {
    auth_mode = "jwt"
    jwt       = { algorithms = ["HS256"] }
  }

  assert {
    condition     = aws_ssm_parameter.access_token_key[0].name == "/websocket-sessions/access-token-key" && aws_ssm_parameter.access_token_key[0].type == "SecureString"
    error_message = "The module creates the SecureString /<name>/access-token-key."
  }

  assert {
    condition     = output.function_environment_variables.authorizer.JWT_KEY_SSM_PARAMETER == "/websocket-sessions/access-token-key" && output.function_environment_variables.message.JWT_KEY_SSM_PARAMETER == "/websocket-sessions/access-token-key" && output.function_environment_variables.authorizer.JWT_ALGORITHMS == "HS256"
    error_message = "The authorizer and the message function verify tokens with it."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.authorizer["key-material"]).Statement[*].Resource == [["arn:aws:ssm:us-east-1:123456789012:parameter/websocket-sessions/access-token-key"]]
    error_message = "The authorizer may read exactly that parameter."
  }

  assert {
    condition     = output.access_token_key == { source = "ssm", id = "/websocket-sessions/access-token-key", algorithm = "HS256" } && jsondecode(aws_iam_policy.session_keys[0].policy).Statement[*].Sid == ["ReadAccessTokenKeyParameter"]
    error_message = "Your functions learn where the key is and may read it through session_keys."
  }
}

run "jwt_without_a_key_source_and_an_access_token_key_of_yours" {
  command = apply

  variables {
    auth_mode        = "jwt"
    jwt              = { algorithms = ["HS256"] }
    access_token_key = { secret_arn = var.secret_arn, kms_key_arn = var.key_material_kms_key_arn }
  }

  assert {
    condition     = length(aws_ssm_parameter.access_token_key) == 0 && output.function_environment_variables.authorizer.JWT_KEY_SECRET_ARN == var.secret_arn && !contains(keys(output.function_environment_variables.authorizer), "JWT_KEY_SSM_PARAMETER")
    error_message = "With a key of yours the module creates none and the authorizer reads your secret."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.authorizer["key-material"]).Statement[*].Resource == [[var.secret_arn], [var.key_material_kms_key_arn]]
    error_message = "The authorizer reads your secret and decrypts with your key: ${output.function_role_policy_documents.authorizer["key-material"]}."
  }
}

run "rejects_cookie_connect_with_any_origin" {
  command = plan
  variables {
    auth_mode       = "jwt"
    allowed_origins = ["*"]
    jwt             = var.jwks
    session_cookie  = {}
  }
  expect_failures = [var.session_cookie]
}

run "rejects_cookie_connect_outside_jwt_mode" {
  command = plan
  variables {
    session_cookie = {}
  }
  expect_failures = [var.session_cookie]
}

run "rejects_a_cookie_name_that_is_no_token" {
  command = plan
  variables {
    session_cookie = { connect = false, name = "a b" }
  }
  expect_failures = [var.session_cookie]
}

run "rejects_a_host_cookie_with_a_domain" {
  command = plan
  variables {
    session_cookie = { connect = false, name = "__Host-sid", domain = "example.com" }
  }
  expect_failures = [var.session_cookie]
}

run "rejects_two_key_sets" {
  command = plan
  variables {
    session_cookie = { connect = false, keys_ssm_parameter_arn = var.parameter_arn, keys_secret_arn = var.secret_arn }
  }
  expect_failures = [var.session_cookie]
}

run "rejects_a_kms_key_for_the_module_key_set" {
  command = plan
  variables {
    session_cookie = { connect = false, keys_kms_key_arn = var.key_material_kms_key_arn }
  }
  expect_failures = [var.session_cookie]
}

run "rejects_an_access_token_key_jwt_does_not_use" {
  command = plan
  variables {
    auth_mode        = "jwt"
    jwt              = var.jwks
    access_token_key = { ssm_parameter_arn = var.parameter_arn }
  }
  expect_failures = [var.access_token_key]
}

run "rejects_a_fractional_key_version" {
  command = plan
  variables {
    session_cookie_key_version = 1.5
    access_token_key_version   = 0
  }
  expect_failures = [var.session_cookie_key_version, var.access_token_key_version]
}

# The stack's customer managed key (kms_key_arn) encrypts the module's own key parameters, as it does
# the resume-token key, and whoever reads them may decrypt with it through SSM only.
run "the_stack_key_encrypts_the_module_key_parameters" {
  command = apply

  variables {
    auth_mode       = "jwt"
    allowed_origins = var.origins
    jwt             = { algorithms = ["HS256"] }
    session_cookie  = {}
    kms_key_arn     = var.key_material_kms_key_arn
  }

  assert {
    condition     = aws_ssm_parameter.session_cookie_keys[0].key_id == var.key_material_kms_key_arn && aws_ssm_parameter.access_token_key[0].key_id == var.key_material_kms_key_arn
    error_message = "Both parameters the module creates are encrypted with kms_key_arn."
  }

  assert {
    condition     = [for statement in jsondecode(aws_iam_policy.session_keys[0].policy).Statement : statement.Sid if statement.Action == "kms:Decrypt" || statement.Action == ["kms:Decrypt"]] == ["DecryptCookieKeys", "DecryptAccessTokenKey"]
    error_message = "The session_keys policy decrypts both with the stack key: ${aws_iam_policy.session_keys[0].policy}."
  }

  assert {
    condition     = contains(flatten([for statement in jsondecode(output.function_role_policy_documents.authorizer["session-cookie-keys"]).Statement : statement.Resource]), var.key_material_kms_key_arn) && contains(flatten([for statement in jsondecode(output.function_role_policy_documents.authorizer["key-material"]).Statement : statement.Resource]), var.key_material_kms_key_arn)
    error_message = "The authorizer may decrypt the cookie key set and the access-token key with the stack key."
  }
}

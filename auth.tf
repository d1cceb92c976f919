locals {
  # What each auth mode needs: the identity sources API Gateway checks before invoking the
  # authorizer (a $connect request missing one is refused with 401 without running it), and
  # the mode-specific environment and extra IAM policies of the functions taking part:
  # whichever function verifies tokens gets the JWT_* settings and the key-material policy.
  # Adding a mode means adding an entry here and to the auth_mode validation.
  auth_modes = {
    anonymous = {
      # The client offers its random id as a WebSocket subprotocol: new WebSocket(url, id).
      identity_sources       = ["route.request.header.Sec-WebSocket-Protocol"]
      authorizer_environment = tomap({})
      authorizer_policies    = {}
      connect_environment    = tomap({})
      message_environment    = tomap({})
      message_policies       = {}
      sweeper_environment    = tomap({})
    }
    jwt = {
      # The client always offers the app protocol ws-sessions.v1, beside bearer.<jwt> or alone
      # when the token travels in a cookie or the query string, so the header is present
      # whichever token source it uses. The authorizer verifies the handshake's token; the
      # message function verifies the tokens of {"action":"auth"} frames refreshing it.
      identity_sources       = ["route.request.header.Sec-WebSocket-Protocol"]
      authorizer_environment = merge(local.jwt_environment, local.session_check_environment, local.session_cookie_authorizer_environment)
      authorizer_policies    = merge(local.jwt_policies, local.session_check_policies, local.session_cookie_authorizer_policies)
      connect_environment    = tomap({})
      message_environment    = merge(local.jwt_environment, local.auth_expiry_environment)
      message_policies       = local.jwt_policies
      sweeper_environment    = local.auth_expiry_environment
    }
    two-phase = {
      # The client offers the app protocol ws-sessions.v1 alone; the authorizer checks the
      # Origin and that protocol and verifies nothing. The token comes afterwards in an
      # {"action":"auth"} frame, within AUTH_DEADLINE_SECONDS, and the message function
      # verifies it (and later refreshes); the sweeper closes connections that miss the deadline.
      identity_sources       = ["route.request.header.Sec-WebSocket-Protocol"]
      authorizer_environment = tomap({})
      authorizer_policies    = {}
      connect_environment    = tomap({ AUTH_DEADLINE_SECONDS = tostring(var.auth_deadline_seconds) })
      message_environment    = merge(local.jwt_environment, local.auth_expiry_environment)
      message_policies       = local.jwt_policies
      sweeper_environment    = local.auth_expiry_environment
    }
  }
  auth = local.auth_modes[var.auth_mode]

  # With tokens, a connection whose token expired this long ago is closed: by the message
  # function on its next message, by the sweeper if it stays idle.
  auth_expiry_environment = tomap({ AUTH_EXPIRY_GRACE_SECONDS = tostring(var.auth_expiry_grace_seconds) })

  # The contract with functions/lib/auth/jwt*.ts: lists are comma-joined and settings left
  # unset are omitted rather than passed as empty strings.
  jwt_environment = var.jwt == null ? tomap({}) : tomap(merge(local.access_token_key == null ? {} : local.access_token_key.env, {
    for key, value in {
      JWT_ALGORITHMS              = join(",", var.jwt.algorithms)
      JWT_ISSUER                  = var.jwt.issuer
      JWT_AUDIENCE                = length(var.jwt.audience) > 0 ? join(",", var.jwt.audience) : null
      JWT_CLOCK_TOLERANCE_SECONDS = tostring(var.jwt.clock_tolerance_seconds)
      JWT_MAX_LIFETIME_SECONDS    = tostring(var.jwt.max_lifetime_seconds)
      JWT_MAX_AGE_SECONDS         = var.jwt.max_age_seconds == null ? null : tostring(var.jwt.max_age_seconds)
      JWT_JWKS_URL                = var.jwt.jwks_url
      JWT_KEY_SSM_PARAMETER       = var.jwt.key_ssm_parameter_arn
      JWT_KEY_SECRET_ARN          = var.jwt.key_secret_arn
      JWT_KEY_ID                  = var.jwt.key_id
      JWT_TOKEN_SOURCES           = join(",", var.jwt.token_sources)
      JWT_COOKIE_NAME             = var.jwt.cookie_name
      JWT_QUERY_PARAMETER         = var.jwt.query_parameter
      JWT_USER_ID_CLAIM           = var.jwt.claims.user_id
      JWT_TENANT_ID_CLAIM         = var.jwt.claims.tenant_id
      JWT_ROLES_CLAIM             = var.jwt.claims.roles
      JWT_SESSION_ID_CLAIM        = var.jwt.claims.session_id
    } : key => value if value != null
  }))

  # The authorizer's check of a token's sid against the user sessions (functions/lib/auth/
  # session-check.ts), and of the session cookie's session (session-keys.tf): one GetItem of
  # USER#{sub} / USERSESSION#{sid} per $connect not answered from the container's cache, so the
  # authorizer may read the table only when either is on, and user sessions' partitions only.
  session_check_environment = var.jwt == null ? tomap({}) : tomap({
    JWT_SESSION_CHECK         = tostring(var.jwt.session_check)
    JWT_REQUIRE_SESSION_ID    = tostring(var.jwt.require_session_id)
    JWT_SESSION_CACHE_SECONDS = tostring(var.jwt.session_cache_seconds)
    JWT_SESSION_CACHE_SIZE    = tostring(var.jwt.session_cache_size)
  })
  session_check_policies = try(var.jwt.session_check, false) || local.session_cookie_connect ? {
    session-check = [{
      sid       = "ReadUserSession"
      actions   = ["dynamodb:GetItem"]
      resources = [module.connection_store.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["USER#*"]
      }]
    }]
  } : {}

  # A static key (HMAC secret or PEM public key) is read from SSM Parameter Store or Secrets
  # Manager on the verifying function's first use: the "key-material" policy grants reading
  # exactly that parameter or secret and, when a customer managed key encrypts it, decrypting
  # with that key only in calls the service makes on the function's behalf. The service's Region
  # is taken from the parameter's or secret's own ARN, so no data source is read. A JWKS URL
  # is fetched over HTTPS and needs no IAM: then jwt_key is null. Without a key source of its own,
  # jwt verifies with the access-token key (session-keys.tf).
  # Which key is chosen is decided by the configuration alone (`present`), never by whether an ARN
  # is null: the module's own parameter's ARN is unknown until apply, and the policies' keys (a
  # for_each in the function module) must be known at plan time.
  jwt_key_candidates = [
    { present = try(var.jwt.key_ssm_parameter_arn, null) != null, arn = try(var.jwt.key_ssm_parameter_arn, null), sid = "ReadKeyParameter", action = "ssm:GetParameter", service = "ssm", kms_key_arn = try(var.jwt.key_kms_key_arn, null) },
    { present = try(var.jwt.key_secret_arn, null) != null, arn = try(var.jwt.key_secret_arn, null), sid = "ReadKeySecret", action = "secretsmanager:GetSecretValue", service = "secretsmanager", kms_key_arn = try(var.jwt.key_kms_key_arn, null) },
    { present = try(local.access_token_key.source, null) == "ssm", arn = try(local.access_token_key.arn, null), sid = "ReadKeyParameter", action = "ssm:GetParameter", service = "ssm", kms_key_arn = local.access_token_key_kms_key_arn },
    { present = try(local.access_token_key.source, null) == "secretsmanager", arn = try(local.access_token_key.arn, null), sid = "ReadKeySecret", action = "secretsmanager:GetSecretValue", service = "secretsmanager", kms_key_arn = local.access_token_key_kms_key_arn },
  ]
  jwt_key_present = anytrue([for key in local.jwt_key_candidates : key.present])
  jwt_key         = local.jwt_key_present ? [for key in local.jwt_key_candidates : key if key.present][0] : null
  jwt_key_arn     = !local.jwt_key_present ? [] : split(":", local.jwt_key.arn) # arn:<partition>:<service>:<region>:…
  jwt_key_via_service = try(
    "${local.jwt_key.service}.${local.jwt_key_arn[3]}.${lookup({ aws-cn = "amazonaws.com.cn" }, local.jwt_key_arn[1], "amazonaws.com")}",
    null,
  )

  jwt_policies = !local.jwt_key_present ? {} : {
    key-material = concat(
      [{
        sid        = local.jwt_key.sid
        actions    = [local.jwt_key.action]
        resources  = [local.jwt_key.arn]
        conditions = []
      }],
      local.jwt_key.kms_key_arn == null ? [] : [{
        sid       = "DecryptKeyMaterial"
        actions   = ["kms:Decrypt"]
        resources = [local.jwt_key.kms_key_arn]
        conditions = [{
          test     = "StringEquals"
          variable = "kms:ViaService"
          values   = [local.jwt_key_via_service]
        }]
      }],
    )
  }
}

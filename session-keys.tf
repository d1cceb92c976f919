locals {
  # The key material of user sessions (packages/sessions): the key set that seals the session cookie
  # (COOKIE.md) and the HS256 secret access tokens are signed with (createAccessTokens). Each is a
  # SecureString the module creates with a random value written write-only (like the resume-token key,
  # sessions.tf), or a parameter or secret of your own. The authorizer reads the cookie key set when it
  # accepts the cookie on $connect (session_cookie.connect) and the access-token key when jwt names no
  # key source of its own; your functions read both through the session_keys policy.
  session_cookie_enabled = var.session_cookie != null
  session_cookie_connect = local.session_cookie_enabled && try(var.session_cookie.connect, false) && var.auth_mode == "jwt"

  session_cookie_keys_parameter_name = "/${var.name}/session-cookie-keys"
  session_cookie_keys_created        = local.session_cookie_enabled && try(var.session_cookie.keys_ssm_parameter_arn == null && var.session_cookie.keys_secret_arn == null, false)
  session_cookie_keys = !local.session_cookie_enabled ? null : (
    var.session_cookie.keys_secret_arn != null ? { env = { SESSION_COOKIE_KEYS_SECRET_ARN = var.session_cookie.keys_secret_arn }, arn = var.session_cookie.keys_secret_arn } :
    var.session_cookie.keys_ssm_parameter_arn != null ? { env = { SESSION_COOKIE_KEYS_SSM_PARAMETER = var.session_cookie.keys_ssm_parameter_arn }, arn = var.session_cookie.keys_ssm_parameter_arn } :
    { env = { SESSION_COOKIE_KEYS_SSM_PARAMETER = local.session_cookie_keys_parameter_name }, arn = "${local.session_parameter_arn_prefix}${local.session_cookie_keys_parameter_name}" }
  )

  # The name and Domain the HTTP handlers write the cookie with, and the authorizer reads it by.
  session_cookie_environment = !local.session_cookie_enabled ? null : merge(
    { for key, value in { SESSION_COOKIE_NAME = var.session_cookie.name, SESSION_COOKIE_DOMAIN = var.session_cookie.domain } : key => value if value != null },
    local.session_cookie_keys.env,
  )

  # The authorizer's settings of the cookie (functions/authorizer.settings.ts COOKIE_CONNECT), passed
  # only while it accepts the cookie: otherwise SESSION_COOKIE_CONNECT's default, false, applies.
  session_cookie_authorizer_environment = local.session_cookie_connect ? tomap(merge(local.session_cookie_environment, { SESSION_COOKIE_CONNECT = "true" })) : tomap({})
  session_cookie_authorizer_policies = local.session_cookie_connect ? {
    session-cookie-keys = [for statement in local.session_keys_statements : { sid = statement.sid, actions = statement.actions, resources = statement.resources, conditions = statement.conditions } if statement.key == "CookieKeys"]
  } : {}

  # jwt without a key source of its own verifies the access tokens of user sessions, HS256 with the
  # access-token key (the module's /<name>/access-token-key or access_token_key's parameter or secret).
  access_token_key_used           = var.jwt == null ? false : var.jwt.jwks_url == null && var.jwt.key_ssm_parameter_arn == null && var.jwt.key_secret_arn == null
  access_token_key_created        = local.access_token_key_used && var.access_token_key.ssm_parameter_arn == null && var.access_token_key.secret_arn == null
  access_token_key_parameter_name = "/${var.name}/access-token-key"
  access_token_key = !local.access_token_key_used ? null : (
    var.access_token_key.secret_arn != null ? { env = { JWT_KEY_SECRET_ARN = var.access_token_key.secret_arn }, source = "secretsmanager", id = var.access_token_key.secret_arn, arn = var.access_token_key.secret_arn } :
    var.access_token_key.ssm_parameter_arn != null ? { env = { JWT_KEY_SSM_PARAMETER = var.access_token_key.ssm_parameter_arn }, source = "ssm", id = var.access_token_key.ssm_parameter_arn, arn = var.access_token_key.ssm_parameter_arn } :
    { env = { JWT_KEY_SSM_PARAMETER = local.access_token_key_parameter_name }, source = "ssm", id = local.access_token_key_parameter_name, arn = "${local.session_parameter_arn_prefix}${local.access_token_key_parameter_name}" }
  )

  # Built like the resume-token key's ARN (sessions.tf), from the schedule group's: known at plan time.
  session_parameter_arn_prefix = "arn:${local.schedule_group_arn[1]}:ssm:${local.schedule_group_arn[3]}:${local.schedule_group_arn[4]}:parameter"

  # The key encrypting each: yours, or for the module's own parameters the stack's kms_key_arn (null:
  # the AWS managed key, which needs no grant).
  session_cookie_keys_kms_key_arn = try(var.session_cookie.keys_kms_key_arn, null) != null ? var.session_cookie.keys_kms_key_arn : (local.session_cookie_keys_created ? var.kms_key_arn : null)
  access_token_key_kms_key_arn    = var.access_token_key.kms_key_arn != null ? var.access_token_key.kms_key_arn : (local.access_token_key_created ? var.kms_key_arn : null)

  # The keys in use, each read with one action (and kms:Decrypt, through the service that holds it
  # only, for a customer managed key of yours).
  session_keys_in_use = [
    for key in [
      # The module's own parameters are encrypted with the stack's kms_key_arn when it is set.
      local.session_cookie_keys == null ? null : { key = "CookieKeys", arn = local.session_cookie_keys.arn, kms_key_arn = local.session_cookie_keys_kms_key_arn },
      local.access_token_key == null ? null : { key = "AccessTokenKey", arn = local.access_token_key.arn, kms_key_arn = local.access_token_key_kms_key_arn },
    ] : merge(key, { arn_parts = split(":", key.arn) }) if key != null
  ]
  session_keys_statements = flatten([
    for key in local.session_keys_in_use : concat(
      [{
        key        = key.key
        sid        = "Read${key.key}${key.arn_parts[2] == "ssm" ? "Parameter" : "Secret"}"
        actions    = [key.arn_parts[2] == "ssm" ? "ssm:GetParameter" : "secretsmanager:GetSecretValue"]
        resources  = [key.arn]
        conditions = []
      }],
      key.kms_key_arn == null ? [] : [{
        key       = key.key
        sid       = "Decrypt${key.key}"
        actions   = ["kms:Decrypt"]
        resources = [key.kms_key_arn]
        conditions = [{
          test     = "StringEquals"
          variable = "kms:ViaService"
          values   = ["${key.arn_parts[2]}.${key.arn_parts[3]}.${lookup({ aws-cn = "amazonaws.com.cn" }, key.arn_parts[1], "amazonaws.com")}"]
        }]
      }],
    )
  ])

  # What your functions that write cookies or issue access tokens need: a managed policy reading the
  # keys in use, nothing else.
  session_keys_policy_json = length(local.session_keys_statements) == 0 ? null : jsonencode({
    Version = "2012-10-17"
    Statement = [
      for statement in local.session_keys_statements : merge(
        { Sid = statement.sid, Effect = "Allow", Action = statement.actions, Resource = statement.resources },
        length(statement.conditions) == 0 ? {} : { Condition = { for condition in statement.conditions : condition.test => { (condition.variable) = condition.values } } },
      )
    ]
  })
}

resource "aws_ssm_parameter" "session_cookie_keys" {
  count = local.session_cookie_keys_created ? 1 : 0

  name        = local.session_cookie_keys_parameter_name
  description = "The key set sealing ${var.name}'s session cookies (AES-256-GCM, packages/sessions COOKIE.md). Replacing it refuses the cookies sealed so far."
  type        = "SecureString"
  key_id      = var.kms_key_arn # null: the AWS managed key alias/aws/ssm
  tags        = var.tags

  # Write-only, as the resume-token key (sessions.tf): never in the plan or the state, written again
  # exactly when session_cookie_key_version changes. One key, id v<version>: base64sha256 of two
  # uuid()s is the base64 of 32 bytes carrying their 244 random bits.
  value_wo = jsonencode({
    keys    = [{ id = "v${var.session_cookie_key_version}", secret = base64sha256("${uuid()}${uuid()}") }]
    current = "v${var.session_cookie_key_version}"
  })
  value_wo_version = var.session_cookie_key_version
}

resource "aws_ssm_parameter" "access_token_key" {
  count = local.access_token_key_created ? 1 : 0

  name        = local.access_token_key_parameter_name
  description = "The HS256 secret ${var.name}'s access tokens are signed and verified with. Replacing it refuses the tokens issued so far."
  type        = "SecureString"
  key_id      = var.kms_key_arn # null: the AWS managed key alias/aws/ssm
  tags        = var.tags

  # 44 characters (the base64 of 32 random-derived bytes), above HS256's 32-byte minimum.
  value_wo         = base64sha256("${uuid()}${uuid()}")
  value_wo_version = var.access_token_key_version
}

# Attach it to the roles of your functions that write session cookies or issue access tokens.
resource "aws_iam_policy" "session_keys" {
  count = local.session_cookie_enabled || local.access_token_key_used ? 1 : 0

  name        = "${var.name}-session-keys"
  description = "Reads the ${var.name} session cookie key set and access-token key (packages/sessions)."
  policy      = local.session_keys_policy_json
  tags        = var.tags
}

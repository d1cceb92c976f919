locals {
  # The user sessions library (packages/sessions) runs in your own functions, not in the stack's: the
  # module gives them their environment, a managed policy and, if asked, a Redis. Its settings are
  # declared in packages/sessions (dist/sessions.json lists them with the attribute of
  # var.user_sessions each comes from; test/terraform/user-sessions.tftest.hcl holds this map to
  # that list). An unset attribute is not passed, so the library's own default applies.
  user_sessions_enabled = var.user_sessions != null
  user_sessions_redis   = try(var.user_sessions.redis, null)
  user_sessions_create_cache = (
    local.user_sessions_redis == null ? false : local.user_sessions_redis.create_serverless_cache
  )

  user_sessions_settings = local.user_sessions_enabled ? {
    SESSION_MAX_PER_USER               = var.user_sessions.max_per_user
    SESSION_TTL_SECONDS                = var.user_sessions.ttl_seconds
    SESSION_STAY_SIGNED_IN_TTL_SECONDS = var.user_sessions.stay_signed_in_ttl_seconds
    SESSION_REFRESH_GRACE_SECONDS      = var.user_sessions.refresh_grace_seconds
    SESSION_CACHE                      = var.user_sessions.cache
    SESSION_REDIS_URL                  = local.user_sessions_redis_url
    SESSION_REDIS_TIMEOUT_MS           = var.user_sessions.redis_timeout_ms
    SESSION_CACHE_TTL_SECONDS          = var.user_sessions.cache_ttl_seconds
    LOGIN_FLOW_TTL_SECONDS             = var.user_sessions.login_flow_ttl_seconds
    LOGIN_MAX_FAILURES_PER_USER        = var.user_sessions.login_max_failures_per_user
    LOGIN_MAX_FAILURES_PER_IP          = var.user_sessions.login_max_failures_per_ip
    LOGIN_FAILURE_WINDOW_SECONDS       = var.user_sessions.login_failure_window_seconds
    LOGIN_LOCKOUT_SECONDS              = var.user_sessions.login_lockout_seconds
    TOTP_WINDOW_STEPS                  = var.user_sessions.totp_window_steps
  } : {}
  user_sessions_environment = local.user_sessions_enabled ? tomap({
    for name, value in local.user_sessions_settings : name => tostring(value) if value != null
  }) : null

  # ElastiCache Serverless takes TLS connections only, on this port (the reader endpoint's 6380 is
  # not used: the library reads through the primary endpoint).
  user_sessions_cache_port = 6379
  user_sessions_redis_url = (
    local.user_sessions_redis == null ? null :
    local.user_sessions_redis.endpoint != null ? local.user_sessions_redis.endpoint :
    "rediss://${aws_elasticache_serverless_cache.user_sessions[0].endpoint[0].address}:${aws_elasticache_serverless_cache.user_sessions[0].endpoint[0].port}"
  )

  # What the service and the login coordinator call (dist/sessions.json `permissions`, derived from
  # their code by scripts/sdk-actions.ts): items of the table only, Query on the table's partitions
  # (a user's sessions), no index, no Scan. TransactWriteItems is authorized per item as Put, Update
  # and Delete. With a customer managed key on the table, DynamoDB uses it on the caller's behalf.
  user_sessions_policy_statements = concat(
    [{
      sid        = "UserSessionItems"
      actions    = ["dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]
      resources  = [module.connection_store.table_arn]
      conditions = {}
    }],
    var.kms_key_arn == null ? [] : [{
      sid        = "UseTableKeyThroughDynamoDB"
      actions    = local.table_key_actions
      resources  = [var.kms_key_arn]
      conditions = { StringEquals = { "kms:ViaService" = [local.kms_via_service.dynamodb] } }
    }],
  )
  user_sessions_policy_json = local.user_sessions_enabled ? jsonencode({
    Version = "2012-10-17"
    Statement = [
      for statement in local.user_sessions_policy_statements : merge(
        { Sid = statement.sid, Effect = "Allow", Action = statement.actions, Resource = statement.resources },
        length(statement.conditions) == 0 ? {} : { Condition = statement.conditions },
      )
    ]
  }) : null
}

# Attach it to the roles of your functions that use the library.
resource "aws_iam_policy" "user_sessions" {
  count = local.user_sessions_enabled ? 1 : 0

  name        = "${var.name}-user-sessions"
  description = "Reads and writes the user sessions in the ${var.name} table (packages/sessions)."
  policy      = local.user_sessions_policy_json
  tags        = var.tags
}

# The cache admits its port from the client group only; the client group sends to the cache only
# (your functions reach DynamoDB and the rest through their other groups). Neither opens to an address
# range, and the cache group has no egress: a security group answers its connections without one.
resource "aws_security_group" "user_sessions_cache" {
  count = local.user_sessions_create_cache ? 1 : 0

  name        = "${var.name}-user-sessions-cache"
  description = "The ${var.name} user sessions cache: its port from ${var.name}-user-sessions-client only."
  vpc_id      = local.user_sessions_redis.vpc_id
  tags        = var.tags
}

resource "aws_security_group" "user_sessions_client" {
  count = local.user_sessions_create_cache ? 1 : 0

  name        = "${var.name}-user-sessions-client"
  description = "Functions using the ${var.name} user sessions cache: to its port only."
  vpc_id      = local.user_sessions_redis.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "user_sessions_cache_from_client" {
  count = local.user_sessions_create_cache ? 1 : 0

  security_group_id            = aws_security_group.user_sessions_cache[0].id
  description                  = "Redis from the user sessions clients"
  ip_protocol                  = "tcp"
  from_port                    = local.user_sessions_cache_port
  to_port                      = local.user_sessions_cache_port
  referenced_security_group_id = aws_security_group.user_sessions_client[0].id
  tags                         = var.tags
}

resource "aws_vpc_security_group_egress_rule" "user_sessions_client_to_cache" {
  count = local.user_sessions_create_cache ? 1 : 0

  security_group_id            = aws_security_group.user_sessions_client[0].id
  description                  = "Redis of the user sessions cache"
  ip_protocol                  = "tcp"
  from_port                    = local.user_sessions_cache_port
  to_port                      = local.user_sessions_cache_port
  referenced_security_group_id = aws_security_group.user_sessions_cache[0].id
  tags                         = var.tags
}

resource "aws_elasticache_serverless_cache" "user_sessions" {
  count = local.user_sessions_create_cache ? 1 : 0

  # Kept to 40 characters, as ElastiCache cache ids are (var.name alone may take 40).
  name               = trimsuffix(substr("${var.name}-sessions", 0, 40), "-")
  description        = "User sessions cache of ${var.name} (packages/sessions, SESSION_CACHE=redis)."
  engine             = local.user_sessions_redis.engine
  subnet_ids         = local.user_sessions_redis.subnet_ids
  security_group_ids = [aws_security_group.user_sessions_cache[0].id]
  tags               = var.tags
}

# The user sessions library's Terraform (user-sessions.tf): off by default, DynamoDB only, with a
# Redis of your own or a serverless cache the module creates. Its settings and the calls its code
# makes come from dist/sessions.json (written by `npm run build` from packages/sessions): the
# environment may hold only declared settings, each from the attribute its declaration names; the
# policy grants exactly the declared calls; and every integer attribute takes its declared bounds and
# rejects one past each (so the validations' bounds equal the declarations').

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

variables {
  sessions = jsondecode(file("dist/sessions.json"))
  # The integer settings by name: their bounds, and the user_sessions attribute each comes from.
  bounds        = { for setting in jsondecode(file("dist/sessions.json")).settings : setting.name => setting if setting.type == "integer" }
  table_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

run "user_sessions_are_off_by_default" {
  command = apply

  assert {
    condition     = output.user_sessions_environment == null && output.user_sessions_policy_json == null && output.user_sessions_policy_arn == null && output.user_sessions_redis_url == null && output.user_sessions_client_security_group_id == null
    error_message = "Without user_sessions every user_sessions_* output must be null."
  }

  assert {
    condition     = length(aws_iam_policy.user_sessions) + length(aws_security_group.user_sessions_cache) + length(aws_security_group.user_sessions_client) + length(aws_elasticache_serverless_cache.user_sessions) == 0
    error_message = "Without user_sessions nothing may be created for them."
  }
}

run "dynamodb_only_passes_what_is_set_and_grants_the_declared_calls" {
  command = apply

  variables {
    user_sessions = { max_per_user = 3 }
  }

  assert {
    condition     = output.user_sessions_environment == tomap({ SESSION_MAX_PER_USER = "3" })
    error_message = "Only the settings given are passed (the library's defaults apply to the rest): ${jsonencode(output.user_sessions_environment)}."
  }

  assert {
    condition     = jsondecode(output.user_sessions_policy_json) == jsondecode(file("test/terraform/fixtures/policies/user-sessions.json"))
    error_message = "The user sessions policy may only get, batch-get, query (the table, no index), put, update and delete items of the table."
  }

  assert {
    condition     = sort(distinct(flatten([for statement in jsondecode(output.user_sessions_policy_json).Statement : statement.Action]))) == sort(distinct(flatten([for part in values(var.sessions.permissions) : part.actions])))
    error_message = "The policy must grant exactly the calls the service and the login coordinator make (dist/sessions.json `permissions`): ${jsonencode(sort(distinct(flatten([for part in values(var.sessions.permissions) : part.actions]))))}."
  }

  assert {
    condition     = toset(flatten([for part in values(var.sessions.permissions) : part.queryIndexes])) == toset(["table"])
    error_message = "The library queries the table only; a query on an index needs its ARN in the policy."
  }

  assert {
    condition     = aws_iam_policy.user_sessions[0].name == "websocket-sessions-user-sessions" && output.user_sessions_policy_arn == aws_iam_policy.user_sessions[0].arn
    error_message = "The managed policy <name>-user-sessions holds the document and its ARN is output."
  }

  assert {
    condition     = length(aws_security_group.user_sessions_cache) + length(aws_security_group.user_sessions_client) + length(aws_elasticache_serverless_cache.user_sessions) == 0 && output.user_sessions_redis_url == null
    error_message = "DynamoDB only creates no cache and no security group."
  }
}

run "a_table_key_is_granted_through_dynamodb_only" {
  command = apply

  variables {
    user_sessions = {}
    kms_key_arn   = var.table_key_arn
  }

  assert {
    condition     = jsondecode(output.user_sessions_policy_json) == jsondecode(file("test/terraform/fixtures/policies/user-sessions.kms.json"))
    error_message = "With the table's customer managed key, the policy also grants its use, through DynamoDB in the key's Region only."
  }

  assert {
    condition     = output.user_sessions_environment == tomap({})
    error_message = "user_sessions = {} passes no setting: the library's defaults apply."
  }
}

# Each setting's value is distinct from the others' (offset by its position), so a setting fed from
# another's attribute is caught even where two share their bounds.
run "each_setting_comes_from_the_attribute_its_declaration_names" {
  command = apply

  variables {
    user_sessions = merge(
      { for index, setting in values(var.bounds) : trimprefix(setting.variable, "user_sessions.") => setting.min + index % (setting.max - setting.min + 1) },
      { cache = "redis", redis = { endpoint = "rediss://sessions.example.internal:6379" } },
    )
  }

  assert {
    condition     = alltrue([for index, setting in values(var.bounds) : output.user_sessions_environment[setting.name] == tostring(setting.min + index % (setting.max - setting.min + 1))])
    error_message = "A setting is fed from another attribute than its declaration's `variable`: ${jsonencode(output.user_sessions_environment)}."
  }

  assert {
    condition     = sort(keys(output.user_sessions_environment)) == sort([for setting in var.sessions.settings : setting.name if setting.terraform])
    error_message = "With every attribute set, the environment holds exactly the declared settings Terraform passes: ${jsonencode(keys(output.user_sessions_environment))}."
  }

  assert {
    condition     = output.user_sessions_environment.SESSION_CACHE == "redis" && output.user_sessions_environment.SESSION_REDIS_URL == "rediss://sessions.example.internal:6379" && output.user_sessions_redis_url == "rediss://sessions.example.internal:6379"
    error_message = "A Redis of your own is passed as SESSION_REDIS_URL as given."
  }

  assert {
    condition     = length(aws_security_group.user_sessions_cache) + length(aws_security_group.user_sessions_client) + length(aws_elasticache_serverless_cache.user_sessions) == 0 && output.user_sessions_client_security_group_id == null && output.user_sessions_cache_arn == null
    error_message = "A Redis of your own creates no cache and no security group."
  }
}

run "accepts_every_setting_at_its_declared_minimum" {
  command = plan

  variables {
    user_sessions = { for setting in values(var.bounds) : trimprefix(setting.variable, "user_sessions.") => setting.min }
  }
}

run "accepts_every_setting_at_its_declared_maximum" {
  command = plan

  variables {
    user_sessions = { for setting in values(var.bounds) : trimprefix(setting.variable, "user_sessions.") => setting.max }
  }
}

run "creates_a_serverless_cache_reachable_from_the_client_group_only" {
  command = apply

  variables {
    user_sessions = {
      cache = "redis"
      redis = {
        create_serverless_cache = true
        vpc_id                  = "vpc-0a1b2c3d4e5f60718"
        subnet_ids              = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
      }
    }
  }

  assert {
    condition     = aws_elasticache_serverless_cache.user_sessions[0].engine == "valkey" && aws_elasticache_serverless_cache.user_sessions[0].name == "websocket-sessions-sessions" && aws_elasticache_serverless_cache.user_sessions[0].subnet_ids == toset(["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"])
    error_message = "The cache is a valkey serverless cache <name>-sessions in the given subnets."
  }

  assert {
    condition     = aws_elasticache_serverless_cache.user_sessions[0].security_group_ids == toset([aws_security_group.user_sessions_cache[0].id])
    error_message = "The cache is in its own security group only."
  }

  assert {
    condition     = aws_security_group.user_sessions_cache[0].vpc_id == "vpc-0a1b2c3d4e5f60718" && aws_security_group.user_sessions_client[0].vpc_id == "vpc-0a1b2c3d4e5f60718"
    error_message = "Both security groups are in the given VPC."
  }

  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.user_sessions_cache_from_client[0].security_group_id == aws_security_group.user_sessions_cache[0].id &&
      aws_vpc_security_group_ingress_rule.user_sessions_cache_from_client[0].referenced_security_group_id == aws_security_group.user_sessions_client[0].id &&
      aws_vpc_security_group_ingress_rule.user_sessions_cache_from_client[0].ip_protocol == "tcp" &&
      aws_vpc_security_group_ingress_rule.user_sessions_cache_from_client[0].from_port == 6379 &&
      aws_vpc_security_group_ingress_rule.user_sessions_cache_from_client[0].to_port == 6379 &&
      aws_vpc_security_group_ingress_rule.user_sessions_cache_from_client[0].cidr_ipv4 == null &&
      aws_vpc_security_group_ingress_rule.user_sessions_cache_from_client[0].cidr_ipv6 == null
    )
    error_message = "The cache admits TCP 6379 from the client group only, from no address range."
  }

  assert {
    condition = (
      aws_vpc_security_group_egress_rule.user_sessions_client_to_cache[0].security_group_id == aws_security_group.user_sessions_client[0].id &&
      aws_vpc_security_group_egress_rule.user_sessions_client_to_cache[0].referenced_security_group_id == aws_security_group.user_sessions_cache[0].id &&
      aws_vpc_security_group_egress_rule.user_sessions_client_to_cache[0].ip_protocol == "tcp" &&
      aws_vpc_security_group_egress_rule.user_sessions_client_to_cache[0].from_port == 6379 &&
      aws_vpc_security_group_egress_rule.user_sessions_client_to_cache[0].to_port == 6379 &&
      aws_vpc_security_group_egress_rule.user_sessions_client_to_cache[0].cidr_ipv4 == null &&
      aws_vpc_security_group_egress_rule.user_sessions_client_to_cache[0].cidr_ipv6 == null
    )
    error_message = "The client group sends TCP 6379 to the cache group only."
  }

  # Inline rules would replace the separate rules above (and the provider's default egress is removed).
  assert {
    condition     = length(aws_security_group.user_sessions_cache[0].ingress) + length(aws_security_group.user_sessions_cache[0].egress) + length(aws_security_group.user_sessions_client[0].ingress) + length(aws_security_group.user_sessions_client[0].egress) == 0
    error_message = "The security groups hold no inline rule: the cache group has no egress, the client group no ingress."
  }

  assert {
    condition     = output.user_sessions_redis_url == "rediss://websocket-sessions-sessions-abc123.serverless.use1.cache.amazonaws.com:6379" && output.user_sessions_environment.SESSION_REDIS_URL == output.user_sessions_redis_url && output.user_sessions_environment.SESSION_CACHE == "redis"
    error_message = "The created cache's endpoint is passed as a TLS URL (rediss://address:port)."
  }

  assert {
    condition     = output.user_sessions_client_security_group_id == aws_security_group.user_sessions_client[0].id && output.user_sessions_cache_arn == aws_elasticache_serverless_cache.user_sessions[0].arn
    error_message = "The client group (for the functions) and the cache are output."
  }
}

# --- rejected inputs: one past each declared bound ---------------------------------------

run "rejects_max_per_user_below_its_minimum" {
  command = plan

  variables {
    user_sessions = { max_per_user = var.bounds.SESSION_MAX_PER_USER.min - 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_max_per_user_above_its_maximum" {
  command = plan

  variables {
    user_sessions = { max_per_user = var.bounds.SESSION_MAX_PER_USER.max + 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_ttl_seconds_below_its_minimum" {
  command = plan

  variables {
    user_sessions = { ttl_seconds = var.bounds.SESSION_TTL_SECONDS.min - 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_ttl_seconds_above_its_maximum" {
  command = plan

  variables {
    user_sessions = { ttl_seconds = var.bounds.SESSION_TTL_SECONDS.max + 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_stay_signed_in_ttl_seconds_below_its_minimum" {
  command = plan

  variables {
    user_sessions = { stay_signed_in_ttl_seconds = var.bounds.SESSION_STAY_SIGNED_IN_TTL_SECONDS.min - 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_stay_signed_in_ttl_seconds_above_its_maximum" {
  command = plan

  variables {
    user_sessions = { stay_signed_in_ttl_seconds = var.bounds.SESSION_STAY_SIGNED_IN_TTL_SECONDS.max + 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_refresh_grace_seconds_below_its_minimum" {
  command = plan

  variables {
    user_sessions = { refresh_grace_seconds = var.bounds.SESSION_REFRESH_GRACE_SECONDS.min - 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_refresh_grace_seconds_above_its_maximum" {
  command = plan

  variables {
    user_sessions = { refresh_grace_seconds = var.bounds.SESSION_REFRESH_GRACE_SECONDS.max + 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_redis_timeout_ms_below_its_minimum" {
  command = plan

  variables {
    user_sessions = { redis_timeout_ms = var.bounds.SESSION_REDIS_TIMEOUT_MS.min - 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_redis_timeout_ms_above_its_maximum" {
  command = plan

  variables {
    user_sessions = { redis_timeout_ms = var.bounds.SESSION_REDIS_TIMEOUT_MS.max + 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_cache_ttl_seconds_below_its_minimum" {
  command = plan

  variables {
    user_sessions = { cache_ttl_seconds = var.bounds.SESSION_CACHE_TTL_SECONDS.min - 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_cache_ttl_seconds_above_its_maximum" {
  command = plan

  variables {
    user_sessions = { cache_ttl_seconds = var.bounds.SESSION_CACHE_TTL_SECONDS.max + 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_login_flow_ttl_seconds_below_its_minimum" {
  command = plan

  variables {
    user_sessions = { login_flow_ttl_seconds = var.bounds.LOGIN_FLOW_TTL_SECONDS.min - 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_login_flow_ttl_seconds_above_its_maximum" {
  command = plan

  variables {
    user_sessions = { login_flow_ttl_seconds = var.bounds.LOGIN_FLOW_TTL_SECONDS.max + 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_login_max_failures_per_user_below_its_minimum" {
  command = plan

  variables {
    user_sessions = { login_max_failures_per_user = var.bounds.LOGIN_MAX_FAILURES_PER_USER.min - 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_login_max_failures_per_user_above_its_maximum" {
  command = plan

  variables {
    user_sessions = { login_max_failures_per_user = var.bounds.LOGIN_MAX_FAILURES_PER_USER.max + 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_login_max_failures_per_ip_below_its_minimum" {
  command = plan

  variables {
    user_sessions = { login_max_failures_per_ip = var.bounds.LOGIN_MAX_FAILURES_PER_IP.min - 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_login_max_failures_per_ip_above_its_maximum" {
  command = plan

  variables {
    user_sessions = { login_max_failures_per_ip = var.bounds.LOGIN_MAX_FAILURES_PER_IP.max + 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_login_failure_window_seconds_below_its_minimum" {
  command = plan

  variables {
    user_sessions = { login_failure_window_seconds = var.bounds.LOGIN_FAILURE_WINDOW_SECONDS.min - 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_login_failure_window_seconds_above_its_maximum" {
  command = plan

  variables {
    user_sessions = { login_failure_window_seconds = var.bounds.LOGIN_FAILURE_WINDOW_SECONDS.max + 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_login_lockout_seconds_below_its_minimum" {
  command = plan

  variables {
    user_sessions = { login_lockout_seconds = var.bounds.LOGIN_LOCKOUT_SECONDS.min - 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_login_lockout_seconds_above_its_maximum" {
  command = plan

  variables {
    user_sessions = { login_lockout_seconds = var.bounds.LOGIN_LOCKOUT_SECONDS.max + 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_totp_window_steps_below_its_minimum" {
  command = plan

  variables {
    user_sessions = { totp_window_steps = var.bounds.TOTP_WINDOW_STEPS.min - 1 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_totp_window_steps_above_its_maximum" {
  command = plan

  variables {
    user_sessions = { totp_window_steps = var.bounds.TOTP_WINDOW_STEPS.max + 1 }
  }

  expect_failures = [var.user_sessions]
}

# --- rejected inputs: the cache ----------------------------------------------------------

run "rejects_a_fraction" {
  command = plan

  variables {
    user_sessions = { ttl_seconds = 3600.5 }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_an_unknown_cache" {
  command = plan

  variables {
    user_sessions = { cache = "memcached" }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_redis_cache_without_redis" {
  command = plan

  variables {
    user_sessions = { cache = "redis" }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_redis_without_redis_cache" {
  command = plan

  variables {
    user_sessions = { redis = { endpoint = "redis://cache.example.internal:6379" } }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_redis_with_neither_endpoint_nor_cache" {
  command = plan

  variables {
    user_sessions = { cache = "redis", redis = {} }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_redis_with_both_endpoint_and_cache" {
  command = plan

  variables {
    user_sessions = { cache = "redis", redis = { endpoint = "redis://cache.example.internal:6379", create_serverless_cache = true, vpc_id = "vpc-0a1b2c3d4e5f60718", subnet_ids = ["subnet-0a1b2c3d4e5f60718"] } }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_an_endpoint_that_is_not_a_redis_url" {
  command = plan

  variables {
    user_sessions = { cache = "redis", redis = { endpoint = "https://cache.example.internal:6379" } }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_an_unknown_engine" {
  command = plan

  variables {
    user_sessions = { cache = "redis", redis = { create_serverless_cache = true, engine = "memcached", vpc_id = "vpc-0a1b2c3d4e5f60718", subnet_ids = ["subnet-0a1b2c3d4e5f60718"] } }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_a_created_cache_without_subnets" {
  command = plan

  variables {
    user_sessions = { cache = "redis", redis = { create_serverless_cache = true, vpc_id = "vpc-0a1b2c3d4e5f60718" } }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_a_created_cache_without_a_vpc" {
  command = plan

  variables {
    user_sessions = { cache = "redis", redis = { create_serverless_cache = true, subnet_ids = ["subnet-0a1b2c3d4e5f60718"] } }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_subnets_with_an_endpoint_of_your_own" {
  command = plan

  variables {
    user_sessions = { cache = "redis", redis = { endpoint = "redis://cache.example.internal:6379", subnet_ids = ["subnet-0a1b2c3d4e5f60718"] } }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_a_vpc_id_that_is_not_one" {
  command = plan

  variables {
    user_sessions = { cache = "redis", redis = { create_serverless_cache = true, vpc_id = "my-vpc", subnet_ids = ["subnet-0a1b2c3d4e5f60718"] } }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_a_subnet_id_that_is_not_one" {
  command = plan

  variables {
    user_sessions = { cache = "redis", redis = { create_serverless_cache = true, vpc_id = "vpc-0a1b2c3d4e5f60718", subnet_ids = ["10.0.1.0/24"] } }
  }

  expect_failures = [var.user_sessions]
}

run "rejects_a_repeated_subnet" {
  command = plan

  variables {
    user_sessions = { cache = "redis", redis = { create_serverless_cache = true, vpc_id = "vpc-0a1b2c3d4e5f60718", subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60718"] } }
  }

  expect_failures = [var.user_sessions]
}

# The production features, each off by default and on by its variable: the custom domain, per-route
# throttling, X-Ray tracing, the stack's KMS key, the alarms and the dashboard. Offline: the AWS
# provider is mocked (test/terraform/mocks).

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

override_resource {
  target = module.websocket_api.aws_apigatewayv2_domain_name.this
  values = {
    domain_name_configuration = {
      target_domain_name = "d-abc123def4.execute-api.us-east-1.amazonaws.com"
      hosted_zone_id     = "Z1UJRXOUMOOFQ8"
    }
  }
}

variables {
  key       = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  queue_key = "arn:aws:kms:us-east-1:123456789012:key/9999abcd-12ab-34cd-56ef-1234567890ab"
  domain = {
    domain_name     = "ws.example.com"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }
  metrics = keys(jsondecode(file("./modules/metrics.json")).metrics)
}

run "defaults_add_no_production_feature" {
  command = apply

  assert {
    condition     = output.websocket_url == "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev" && output.management_endpoint == output.execute_api_management_endpoint
    error_message = "Without a custom domain the URLs must be the execute-api ones."
  }

  assert {
    condition     = output.custom_domain_target == null && module.websocket_api.custom_domain_name == null && module.websocket_api.custom_domain_record_fqdn == null
    error_message = "Without a custom domain no domain, mapping or record may be created."
  }

  assert {
    condition     = length(module.websocket_api.stage_route_throttling) == 0
    error_message = "Without route_throttling every route must keep the stage's limits."
  }

  assert {
    condition     = alltrue([for fn in values(local.functions) : fn.function_tracing_mode == null && fn.log_group_kms_key_id == null])
    error_message = "By default no function traces and no log group has a customer managed key."
  }

  assert {
    condition     = module.websocket_api.access_log_group_kms_key_id == null
    error_message = "By default the access log uses CloudWatch Logs' own encryption."
  }

  assert {
    condition     = alltrue(flatten([for policies in values(output.function_role_policy_documents) : [for document in values(policies) : [for statement in jsondecode(document).Statement : !startswith(statement.Action[0], "kms:")]]]))
    error_message = "Without kms_key_arn no role may be granted a KMS key."
  }

  assert {
    condition     = output.dashboard_name == null
    error_message = "The dashboard must be off by default."
  }

  assert {
    condition = toset(keys(output.alarm_names)) == toset([
      "dlq_depth", "oldest_message_age", "consumer_errors",
      "authorizer_errors", "connect_errors", "disconnect_errors", "message_errors", "sweeper_errors",
      "authorizer_throttles", "connect_throttles", "disconnect_throttles", "fanout_throttles", "message_throttles", "sweeper_throttles",
      "internal_errors", "authorizer_denials", "resume_gaps", "stale_connection_rate",
    ])
    error_message = "alarms_enabled (default true) must create the fan-out alarms, every function's errors (fanout's is consumer_errors) and throttles, internal errors, authorizer denials, resume gaps and the 410 rate."
  }
}

run "custom_domain_moves_the_urls_and_adds_the_record" {
  command = apply

  variables {
    custom_domain = var.domain
  }

  assert {
    condition     = output.websocket_url == "wss://ws.example.com" && output.management_endpoint == "https://ws.example.com"
    error_message = "websocket_url and management_endpoint must follow the custom domain."
  }

  assert {
    condition     = output.execute_api_management_endpoint == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev"
    error_message = "execute_api_management_endpoint must stay the stage's execute-api endpoint."
  }

  assert {
    condition     = module.fanout.function_environment_variables.MANAGEMENT_ENDPOINT == output.execute_api_management_endpoint && module.sweeper.function_environment_variables.MANAGEMENT_ENDPOINT == output.execute_api_management_endpoint
    error_message = "The functions must keep posting through the execute-api endpoint, which works before the domain's DNS does."
  }

  assert {
    condition     = output.custom_domain_target == { target_domain_name = "d-abc123def4.execute-api.us-east-1.amazonaws.com", hosted_zone_id = "Z1UJRXOUMOOFQ8" }
    error_message = "custom_domain_target must name the domain's Regional target and its hosted zone."
  }

  assert {
    condition     = module.websocket_api.custom_domain_name == "ws.example.com" && module.websocket_api.custom_domain_record_fqdn != null
    error_message = "With route53_zone_id the domain must get its alias record."
  }
}

run "custom_domain_without_zone_creates_no_record" {
  command = apply

  variables {
    custom_domain = { domain_name = "ws.example.com", certificate_arn = var.domain.certificate_arn }
  }

  assert {
    condition     = module.websocket_api.custom_domain_name == "ws.example.com" && module.websocket_api.custom_domain_record_fqdn == null
    error_message = "Without route53_zone_id no record may be created (the DNS is the user's)."
  }
}

run "route_throttling_sets_single_routes" {
  command = apply

  variables {
    additional_route_keys = ["publish"]
    route_throttling = {
      "$connect" = { burst_limit = 50, rate_limit = 20 }
      publish    = { burst_limit = 200, rate_limit = 100.5 }
    }
  }

  assert {
    condition = module.websocket_api.stage_route_throttling == {
      "$connect" = { burst_limit = 50, rate_limit = 20 }
      publish    = { burst_limit = 200, rate_limit = 100.5 }
    }
    error_message = "Each route of route_throttling must get its own limits on the stage."
  }
}

run "tracing_turns_on_active_tracing_for_every_function" {
  command = apply

  variables {
    tracing_enabled = true
  }

  assert {
    condition     = alltrue([for fn in values(local.functions) : fn.function_tracing_mode == "Active"])
    error_message = "tracing_enabled must give every function tracing_config mode Active."
  }
}

run "kms_key_encrypts_table_queues_logs_and_parameter" {
  command = apply

  variables {
    kms_key_arn = var.key
  }

  assert {
    condition     = alltrue([for fn in values(local.functions) : fn.log_group_kms_key_id == var.key]) && module.websocket_api.access_log_group_kms_key_id == var.key
    error_message = "Every log group (the functions' and the access log) must be encrypted with kms_key_arn."
  }

  assert {
    condition     = aws_ssm_parameter.session_key[0].key_id == var.key
    error_message = "The resume-token key's parameter must be encrypted with kms_key_arn."
  }

  assert {
    condition = alltrue([for key in ["connect", "disconnect", "fanout", "message", "sweeper"] :
      [for statement in jsondecode(output.function_role_policy_documents[key]["table"]).Statement : statement if statement.Sid == "UseTableKeyThroughDynamoDB"] == [{
        Sid       = "UseTableKeyThroughDynamoDB"
        Effect    = "Allow"
        Action    = ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"]
        Resource  = [var.key]
        Condition = { StringEquals = { "kms:ViaService" = ["dynamodb.us-east-1.amazonaws.com"] } }
      }]
    ])
    error_message = "Every function using the table must use its key through DynamoDB only."
  }

  assert {
    condition     = keys(output.function_role_policy_documents["authorizer"]) == tolist(["logs"])
    error_message = "The authorizer does not read the table without jwt.session_check: it must not get the table's key."
  }

  assert {
    condition = [for statement in jsondecode(output.function_role_policy_documents["message"]["session-key"]).Statement : statement if statement.Sid == "DecryptResumeTokenKey"] == [{
      Sid       = "DecryptResumeTokenKey"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = [var.key]
      Condition = { StringEquals = { "kms:ViaService" = ["ssm.us-east-1.amazonaws.com"] } }
    }]
    error_message = "The message function must decrypt the resume-token key's parameter through SSM only."
  }

  assert {
    condition     = anytrue([for statement in jsondecode(output.publisher_policy_json).Statement : statement.Resource == var.key || statement.Resource == [var.key]])
    error_message = "The fan-out queues must be encrypted with kms_key_arn when fanout.kms_key_arn is not set (publishers get the key through SQS)."
  }
}

run "kms_key_reaches_the_authorizer_only_with_the_session_check" {
  command = apply

  variables {
    kms_key_arn = var.key
    auth_mode   = "jwt"
    jwt         = { algorithms = ["RS256"], jwks_url = "https://issuer.example.com/.well-known/jwks.json", session_check = true }
  }

  assert {
    condition     = [for statement in jsondecode(output.function_role_policy_documents["authorizer"]["session-check"]).Statement : statement.Sid] == ["ReadUserSession", "UseTableKeyThroughDynamoDB"]
    error_message = "With jwt.session_check the authorizer reads the table: its session-check policy must add the table's key through DynamoDB."
  }
}

run "fanout_kms_key_overrides_the_stack_key_for_the_queues" {
  command = apply

  variables {
    kms_key_arn = var.key
    fanout      = { kms_key_arn = var.queue_key }
  }

  assert {
    condition = (
      anytrue([for statement in jsondecode(output.publisher_policy_json).Statement : statement.Resource == var.queue_key || statement.Resource == [var.queue_key]]) &&
      !anytrue([for statement in jsondecode(output.publisher_policy_json).Statement : statement.Resource == var.key || statement.Resource == [var.key]])
    )
    error_message = "fanout.kms_key_arn must encrypt the queues instead of kms_key_arn."
  }
}

run "alarms_off_creates_none" {
  command = apply

  variables {
    alarms_enabled = false
  }

  assert {
    condition     = length(output.alarm_names) == 0
    error_message = "alarms_enabled = false must create no alarm."
  }
}

run "alarms_watch_the_functions_metrics_and_notify_the_topic" {
  command = apply

  variables {
    alarm_actions    = ["arn:aws:sns:us-east-1:123456789012:oncall"]
    alarm_thresholds = { authorizer_denials = 250, stale_connection_percent = 5 }
  }

  assert {
    condition     = alltrue([for alarm in values(aws_cloudwatch_metric_alarm.metric) : alarm.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:oncall"])]) && aws_cloudwatch_metric_alarm.stale_connections[0].alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:oncall"])
    error_message = "Every alarm must notify alarm_actions."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["authorizer_denials"].metric_name == "AuthorizerDenials" && aws_cloudwatch_metric_alarm.metric["authorizer_denials"].namespace == "WebSocketSessions" && aws_cloudwatch_metric_alarm.metric["authorizer_denials"].threshold == 250 && aws_cloudwatch_metric_alarm.metric["authorizer_denials"].dimensions == null
    error_message = "The denials alarm must watch the total of AuthorizerDenials (no Reason dimension) against its threshold."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["resume_gaps"].threshold == 10 && aws_cloudwatch_metric_alarm.metric["connect_throttles"].dimensions == tomap({ FunctionName = "websocket-sessions-connect" })
    error_message = "Unset thresholds keep their defaults and each function's alarms name it."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.stale_connections[0].threshold == 5 && toset([for query in aws_cloudwatch_metric_alarm.stale_connections[0].metric_query : try(query.metric[0].metric_name, query.expression)]) == toset(["StaleConnections", "Delivered", "IF(gone + sent > 0, 100 * gone / (gone + sent), 0)"])
    error_message = "The 410 alarm must be StaleConnections over StaleConnections + Delivered, in percent."
  }

  assert {
    condition     = alltrue([for alarm in values(aws_cloudwatch_metric_alarm.metric) : alarm.namespace != "WebSocketSessions" || contains(var.metrics, alarm.metric_name)])
    error_message = "Every alarm on the functions' metrics must name a metric of modules/metrics.json."
  }
}

run "dashboard_shows_only_emitted_metrics" {
  command = apply

  variables {
    dashboard_enabled = true
    metrics_namespace = "Chat/Prod"
  }

  assert {
    condition     = output.dashboard_name == "websocket-sessions"
    error_message = "dashboard_enabled must create the dashboard <name>."
  }

  assert {
    condition = toset([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : widget.properties.title]) == toset([
      "Connections", "Rejects by reason", "Authorizer denials by reason", "Messages", "Deliveries",
      "Fan-out lag (ms, worst record of an invocation)", "Fan-out queue (oldest record, s)", "Resumes and gaps", "Sessions",
      "Function errors", "Function throttles",
    ])
    error_message = "The dashboard must show connections, rejects and denials by reason, messages, deliveries, fan-out lag and queue, resumes and gaps, sessions, errors and throttles."
  }

  assert {
    condition = alltrue(flatten([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : [
      for row in widget.properties.metrics : can(row.expression) ? contains(var.metrics, regex("MetricName=\"([A-Za-z]+)\"", row.expression)[0]) && strcontains(row.expression, "{Chat/Prod,Reason}") : (row[0] != "Chat/Prod" || contains(var.metrics, row[1]))
    ]]))
    error_message = "Every metric of the functions on the dashboard must be in modules/metrics.json, in the configured namespace."
  }

  assert {
    condition     = length([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : widget if widget.properties.region == "us-east-1"]) == 11
    error_message = "Every widget must show the stack's Region."
  }
}

# --- validation --------------------------------------------------------------------------

run "rejects_custom_domain_certificate_not_acm" {
  command = plan

  variables {
    custom_domain = merge(var.domain, { certificate_arn = "arn:aws:iam::123456789012:server-certificate/ws" })
  }

  expect_failures = [var.custom_domain]
}

run "rejects_custom_domain_with_scheme" {
  command = plan

  variables {
    custom_domain = merge(var.domain, { domain_name = "https://ws.example.com" })
  }

  expect_failures = [var.custom_domain]
}

run "rejects_custom_domain_zone_given_as_name" {
  command = plan

  variables {
    custom_domain = merge(var.domain, { route53_zone_id = "example.com" })
  }

  expect_failures = [var.custom_domain]
}

run "rejects_route_throttling_of_an_unknown_route" {
  command = plan

  variables {
    route_throttling = { publish = { burst_limit = 10, rate_limit = 10 } }
  }

  expect_failures = [var.route_throttling]
}

run "rejects_route_throttling_above_the_account_quota" {
  command = plan

  variables {
    route_throttling = { "$default" = { burst_limit = 5001, rate_limit = 10 } }
  }

  expect_failures = [var.route_throttling]
}

run "rejects_alarm_threshold_out_of_range" {
  command = plan

  variables {
    alarm_thresholds = { stale_connection_percent = 0 }
  }

  expect_failures = [var.alarm_thresholds]
}

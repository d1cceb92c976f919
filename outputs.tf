output "websocket_url" {
  description = "URL clients connect to: wss://<custom_domain.domain_name> with a custom domain, else wss://<api_id>.execute-api.<region>.amazonaws.com/<stage>."
  value       = module.websocket_api.websocket_url
}

output "management_endpoint" {
  description = "Endpoint of the API Gateway Management API for backend services that post to connections: https://<custom_domain.domain_name> with a custom domain, else https://<api_id>.execute-api.<region>.amazonaws.com/<stage> (execute_api_management_endpoint)."
  value       = module.websocket_api.management_endpoint
}

output "execute_api_management_endpoint" {
  description = "The stage's execute-api Management API endpoint (https://<api_id>.execute-api.<region>.amazonaws.com/<stage>), which the functions post through whether or not a custom domain is set."
  value       = module.websocket_api.stage_management_endpoint
}

output "custom_domain_target" {
  description = "With custom_domain: the Regional target_domain_name and hosted_zone_id its DNS record must point at (the module creates the alias when custom_domain.route53_zone_id is set). null without a custom domain."
  value       = module.websocket_api.custom_domain_target
}

output "api_id" {
  description = "ID of the WebSocket API."
  value       = module.websocket_api.api_id
}

output "api_execution_arn" {
  description = "Execution ARN of the API; grant execute-api:ManageConnections on <api_execution_arn>/<stage>/POST/@connections/* to other stacks' publishers."
  value       = module.websocket_api.api_execution_arn
}

output "stage_name" {
  description = "Name of the API stage."
  value       = module.websocket_api.stage_name
}

output "route_keys" {
  description = "Route keys of the API, sorted (custom_routes included)."
  value       = sort(concat(keys(module.websocket_api.routes), keys(aws_apigatewayv2_route.custom)))
}

output "access_log_group_name" {
  description = "CloudWatch log group of the stage's access logs."
  value       = module.websocket_api.access_log_group_name
}

output "table_name" {
  description = "Name of the DynamoDB table holding connections, sessions and channels."
  value       = module.connection_store.table_name
}

output "table_arn" {
  description = "ARN of the DynamoDB table; grant other stacks' readers access to it and to <table_arn>/index/*."
  value       = module.connection_store.table_arn
}

output "table_ttl_attribute" {
  description = "Attribute of the table holding each item's expiry in epoch seconds."
  value       = module.connection_store.table_ttl_attribute
}

output "function_names" {
  description = "Names of the Lambda functions, keyed by role (authorizer, connect, disconnect, fanout, message, sweeper)."
  value       = tomap({ for key, function in local.functions : key => function.function_name })
}

output "function_arns" {
  description = "ARNs of the Lambda functions, keyed by role (authorizer, connect, disconnect, fanout, message, sweeper)."
  value       = tomap({ for key, function in local.functions : key => function.function_arn })
}

output "function_environment_variables" {
  description = "Environment variables of each function, keyed by role (authorizer, connect, disconnect, fanout, message, sweeper); the configuration contract with the TypeScript handlers."
  value       = tomap({ for key, function in local.functions : key => function.function_environment_variables })
}

output "function_role_policy_documents" {
  description = "Inline IAM policies (JSON) of each function's role, keyed by role (authorizer, connect, disconnect, fanout, message, sweeper) then by concern (logs, table, manage-connections, fanout-queue, key-material, session-expiry, session-key)."
  value       = tomap({ for key, function in local.functions : key => function.role_policy_documents })
}

output "function_source_code_hashes" {
  description = "Base64 SHA-256 of each function's package, keyed by role; equal across environments deployed from the same build."
  value       = tomap({ for key, function in local.functions : key => function.function_source_code_hash })
}

output "schedule_group_name" {
  description = "Name of the EventBridge Scheduler schedule group holding the sweeper's schedule and the one-time session expiry schedules (expire-<session id>) the disconnect function creates."
  value       = module.scheduler.schedule_group_name
}

output "schedule_group_arn" {
  description = "ARN of the schedule group (arn:<partition>:scheduler:<region>:<account>:schedule-group/<name>); its schedules are arn:<partition>:scheduler:<region>:<account>:schedule/<name>/<schedule>, the resource to grant scheduler:CreateSchedule on."
  value       = module.scheduler.schedule_group_arn
}

output "scheduler_role_arn" {
  description = "ARN of the role EventBridge Scheduler invokes the group's targets with (the sweeper, for its recurring schedule and the session expiry schedules); the RoleArn of new schedules in the group, which the disconnect function may iam:PassRole to scheduler.amazonaws.com only."
  value       = module.scheduler.role_arn
}

output "fanout_queue_url" {
  description = "URL of the FIFO fan-out queue <name>-fanout.fifo; backend services publish to it (docs/fanout.md: the message schema, MessageGroupId and MessageDeduplicationId)."
  value       = module.fanout_queue.queue_url
}

output "fanout_queue_arn" {
  description = "ARN of the FIFO fan-out queue; the resource of sqs:SendMessage grants (publisher_policy_arn holds one)."
  value       = module.fanout_queue.queue_arn
}

output "fanout_dlq_url" {
  description = "URL of the FIFO dead-letter queue <name>-fanout-dlq.fifo, holding the records the fan-out gave up on; inspect and redrive from it."
  value       = module.fanout_queue.dlq_url
}

output "fanout_dlq_arn" {
  description = "ARN of the FIFO dead-letter queue; the source of a redrive back to the fan-out queue."
  value       = module.fanout_queue.dlq_arn
}

output "fanout_function_name" {
  description = "Name of the function consuming the fan-out queue (<name>-fanout)."
  value       = module.fanout.function_name
}

output "publisher_policy_json" {
  description = "IAM policy document (JSON) letting a principal publish to the fan-out queue and read who is connected: sqs:SendMessage on it, plus kms:GenerateDataKey and kms:Decrypt on fanout.kms_key_arn through SQS when set; dynamodb:GetItem and BatchGetItem on the table and dynamodb:Query on its GSI1 and GSI2. For roles of other accounts or stacks that build their own policy."
  value       = module.fanout_queue.publisher_policy_json
}

output "publisher_policy_arn" {
  description = "ARN of the managed policy <name>-publisher holding publisher_policy_json; attach it to the roles of backend services that publish."
  value       = module.fanout_queue.publisher_policy_arn
}

output "fanout_alarm_names" {
  description = "Names of the fan-out's CloudWatch alarms, keyed dlq_depth, oldest_message_age and consumer_errors; empty when alarms_enabled is false."
  value       = module.fanout_queue.alarm_names
}

output "fanout_alarm_arns" {
  description = "ARNs of the fan-out's CloudWatch alarms, keyed like fanout_alarm_names; empty when alarms_enabled is false."
  value       = module.fanout_queue.alarm_arns
}

output "custom_routes" {
  description = "The custom routes, keyed by route key: the route and integration ids, the integration URI and the source ARN the function's invoke permission is limited to."
  value = {
    for key, route in aws_apigatewayv2_route.custom : key => {
      route_id        = route.id
      integration_id  = aws_apigatewayv2_integration.custom[key].id
      integration_uri = aws_apigatewayv2_integration.custom[key].integration_uri
      source_arn      = aws_lambda_permission.custom[key].source_arn
    }
  }
}

output "user_sessions_environment" {
  description = "The environment your functions using the user sessions library set (setting name => value; TABLE_NAME is table_name): the user_sessions settings you gave, and SESSION_REDIS_URL with cache = \"redis\". null without user_sessions."
  value       = local.user_sessions_environment
}

output "user_sessions_policy_json" {
  description = "The policy the user sessions library needs: the DynamoDB calls of its service and login coordinator on the table (and the table's KMS key through DynamoDB with kms_key_arn). null without user_sessions."
  value       = local.user_sessions_policy_json
}

output "user_sessions_policy_arn" {
  description = "ARN of the managed policy <name>-user-sessions holding user_sessions_policy_json; attach it to the roles of your functions using the library. null without user_sessions."
  value       = one(aws_iam_policy.user_sessions[*].arn)
}

output "user_sessions_redis_url" {
  description = "The Redis the library caches sessions in (SESSION_REDIS_URL): user_sessions.redis.endpoint, or rediss://<address>:<port> of the serverless cache the module created. null without a Redis."
  value       = local.user_sessions_redis_url
}

output "user_sessions_cache_arn" {
  description = "ARN of the ElastiCache Serverless cache the module created (user_sessions.redis.create_serverless_cache), or null."
  value       = one(aws_elasticache_serverless_cache.user_sessions[*].arn)
}

output "user_sessions_client_security_group_id" {
  description = "The security group your functions join (vpc_config) to reach the serverless cache the module created: it is the only source the cache admits. null without a created cache."
  value       = one(aws_security_group.user_sessions_client[*].id)
}

output "session_cookie_environment" {
  description = "The environment your functions writing the session cookie set (setting name => value, packages/sessions/COOKIE.md): the key set's SESSION_COOKIE_KEYS_SSM_PARAMETER or SESSION_COOKIE_KEYS_SECRET_ARN, and SESSION_COOKIE_NAME / SESSION_COOKIE_DOMAIN when given; the authorizer reads the cookie with the same. null without session_cookie."
  value       = local.session_cookie_environment
}

output "access_token_key" {
  description = "Where the HS256 access-token key is (jwt without a key source of its own): { source = \"ssm\" or \"secretsmanager\", id = the parameter's name or ARN, or the secret's ARN, algorithm = \"HS256\" }, the arguments of loadSigningKey. null otherwise."
  value       = local.access_token_key == null ? null : { source = local.access_token_key.source, id = local.access_token_key.id, algorithm = "HS256" }
}

output "session_keys_policy_arn" {
  description = "ARN of the managed policy <name>-session-keys reading the session cookie key set and the access-token key in use (and decrypting them with your KMS key, through SSM or Secrets Manager only); attach it to the roles of your functions that write the cookie or issue access tokens. null when neither is in use."
  value       = one(aws_iam_policy.session_keys[*].arn)
}

output "alarm_names" {
  description = "Names of every CloudWatch alarm of the stack: the fan-out's (dlq_depth, oldest_message_age, consumer_errors), <function>_errors (fanout's is consumer_errors), <function>_throttles, internal_errors, authorizer_denials, resume_gaps and stale_connection_rate. Empty when alarms_enabled is false."
  value = merge(
    module.fanout_queue.alarm_names,
    { for key, alarm in aws_cloudwatch_metric_alarm.metric : key => alarm.alarm_name },
    { for alarm in aws_cloudwatch_metric_alarm.stale_connections : "stale_connection_rate" => alarm.alarm_name },
  )
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard when dashboard_enabled is true, else null."
  value       = one(aws_cloudwatch_dashboard.this[*].dashboard_name)
}

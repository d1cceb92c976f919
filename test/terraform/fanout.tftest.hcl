# The fan-out path, offline: the FIFO queue and its dead-letter queue, the event source mapping to
# the fanout function, the functions' queue permissions and environment, the publisher policy and
# the alarms. The first runs apply the root module and assert the wiring through outputs; the last
# apply modules/fanout-queue alone to assert attributes of its resources that no output shows.

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

run "fanout_queue_feeds_the_fanout_function" {
  command = apply

  assert {
    condition = [output.fanout_queue_url, output.fanout_queue_arn, output.fanout_dlq_url, output.fanout_dlq_arn] == [
      "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo",
      "arn:aws:sqs:us-east-1:123456789012:websocket-sessions-fanout.fifo",
      "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout-dlq.fifo",
      "arn:aws:sqs:us-east-1:123456789012:websocket-sessions-fanout-dlq.fifo",
    ]
    error_message = "The fanout_queue_* and fanout_dlq_* outputs must be the two queues'."
  }

  assert {
    condition     = module.fanout_queue.queue_name == "websocket-sessions-fanout.fifo" && module.fanout_queue.dlq_name == "websocket-sessions-fanout-dlq.fifo"
    error_message = "The queues must be <name>-fanout.fifo and <name>-fanout-dlq.fifo."
  }

  assert {
    condition     = output.fanout_function_name == "websocket-sessions-fanout" && output.function_names.fanout == "websocket-sessions-fanout"
    error_message = "The consumer must be the <name>-fanout function."
  }

  assert {
    condition = module.fanout_queue.event_source_mapping == {
      uuid                    = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
      function_name           = "websocket-sessions-fanout"
      event_source_arn        = "arn:aws:sqs:us-east-1:123456789012:websocket-sessions-fanout.fifo"
      batch_size              = 10
      maximum_concurrency     = 10
      function_response_types = toset(["ReportBatchItemFailures"])
    }
    error_message = "The fan-out queue (not its DLQ) must feed the fanout function 10 records at a time, at most 10 invocations at once, with partial batch responses."
  }

  assert {
    condition     = module.fanout_queue.queue_redrive_policy == { dead_letter_target_arn = "arn:aws:sqs:us-east-1:123456789012:websocket-sessions-fanout-dlq.fifo", max_receive_count = 5 }
    error_message = "After 5 receives a record must move to the fan-out dead-letter queue."
  }

  assert {
    condition     = module.fanout_queue.queue_visibility_timeout_seconds == 360 && module.fanout_queue.queue_message_retention_seconds == 345600
    error_message = "The queue's visibility timeout must be 6 x the fanout function's default 60 s timeout, and its retention 4 days."
  }

  assert {
    condition     = output.function_environment_variables.fanout.DELIVERY_LEDGER_TTL_SECONDS == tostring(module.fanout_queue.queue_message_retention_seconds)
    error_message = "DELIVERY_LEDGER_TTL_SECONDS must be the queue's retention: a record redelivered at the end of it must still find its ledger."
  }

  assert {
    condition     = module.fanout.function_runtime == "nodejs22.x" && output.function_source_code_hashes.fanout == filebase64sha256("dist/fanout.zip")
    error_message = "The fanout function must run nodejs22.x from dist/fanout.zip."
  }
}

run "message_function_publishes_through_the_queue" {
  command = apply

  variables {
    auth_mode                        = "jwt"
    connection_ttl_grace_seconds     = 300
    channel_log_retention_seconds    = 86400
    max_payload_bytes                = 65536
    max_subscriptions_per_connection = 0
    action_permissions               = {}
    jwt = {
      algorithms = ["RS256"]
      jwks_url   = "https://id.example.com/.well-known/jwks.json"
    }
  }

  assert {
    # The JWT_* and SESSION_* settings are asserted in auth.tftest.hcl and sessions.tftest.hcl.
    condition = { for key, value in output.function_environment_variables.message : key => value if !startswith(key, "JWT_") && !startswith(key, "SESSION_") } == {
      TABLE_NAME                       = "websocket-sessions-table"
      LOG_LEVEL                        = "info"
      METRICS_NAMESPACE                = "WebSocketSessions"
      NODE_OPTIONS                     = "--enable-source-maps"
      MESSAGE_RATE_LIMIT               = "100"
      MESSAGE_RATE_WINDOW_SECONDS      = "10"
      AUTH_MODE                        = "jwt"
      AUTH_EXPIRY_GRACE_SECONDS        = "30"
      CONNECTION_TTL_SECONDS           = "7500"
      FANOUT_QUEUE_URL                 = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo"
      MAX_PAYLOAD_BYTES                = "65536"
      MAX_SUBSCRIPTIONS_PER_CONNECTION = "0"
      MAX_CONNECTIONS_PER_USER         = "10"
    }
    error_message = "The message function must get the fan-out queue, the payload size cap, the subscription cap and the connection TTL (its subscriptions expire with it); action_permissions = {} must drop ACTION_PERMISSIONS."
  }

  assert {
    condition     = [for key in ["CHANNEL_LOG_RETENTION_SECONDS", "MAX_PAYLOAD_BYTES"] : output.function_environment_variables.fanout[key]] == ["86400", "65536"] && output.function_environment_variables.message.MAX_PAYLOAD_BYTES == "65536"
    error_message = "The fanout function must log messages with channel_log_retention_seconds and validate them with the message function's max_payload_bytes."
  }

  assert {
    condition     = !contains(keys(output.function_environment_variables.message), "FANOUT_DLQ_URL") && length([for key in keys(output.function_environment_variables.message) : key if startswith(key, "FANOUT_") && key != "FANOUT_QUEUE_URL"]) == 0
    error_message = "The message function only enqueues: no FANOUT_* setting but the queue's URL."
  }

  assert {
    condition     = sort(keys(output.function_role_policy_documents.message)) == tolist(["fanout-queue", "logs", "manage-connections", "session-expiry", "session-key", "table"])
    error_message = "A JWKS needs no key-material; the message function must hold exactly its table, manage-connections, fanout-queue, session-expiry and session-key policies."
  }
}

run "fanout_settings_reach_the_function_the_queue_and_the_mapping" {
  command = apply

  variables {
    fanout = {
      concurrency               = 50
      chunk_size                = 300
      one_hop_max               = 40
      partitions                = 16
      retry_attempts            = 5
      batch_size                = 4
      maximum_concurrency       = 40
      max_receive_count         = 8
      timeout_seconds           = 120
      message_retention_seconds = 86400
    }
  }

  assert {
    condition = { for key, value in output.function_environment_variables.fanout : key => value if startswith(key, "FANOUT_") || key == "DELIVERY_LEDGER_TTL_SECONDS" } == {
      FANOUT_QUEUE_URL            = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo"
      FANOUT_DLQ_URL              = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout-dlq.fifo"
      FANOUT_CONCURRENCY          = "50"
      FANOUT_CHUNK_SIZE           = "300"
      FANOUT_ONE_HOP_MAX          = "40"
      FANOUT_PARTITIONS           = "16"
      FANOUT_RETRY_ATTEMPTS       = "5"
      DELIVERY_LEDGER_TTL_SECONDS = "86400"
    }
    error_message = "fanout.concurrency, chunk_size, one_hop_max, partitions, retry_attempts and message_retention_seconds must reach the fanout function."
  }

  assert {
    condition     = module.fanout_queue.event_source_mapping.batch_size == 4 && module.fanout_queue.event_source_mapping.maximum_concurrency == 40
    error_message = "fanout.batch_size and fanout.maximum_concurrency must reach the event source mapping."
  }

  assert {
    condition     = module.fanout_queue.queue_redrive_policy.max_receive_count == 8
    error_message = "fanout.max_receive_count must reach the queue's redrive policy."
  }

  assert {
    condition     = module.fanout_queue.queue_visibility_timeout_seconds == 720 && module.fanout_queue.queue_message_retention_seconds == 86400
    error_message = "The visibility timeout must follow fanout.timeout_seconds (6 x 120 s) and the retention fanout.message_retention_seconds."
  }
}

run "publisher_policy_grants_send_on_the_queue_and_reads_of_connections" {
  command = apply

  assert {
    condition     = jsondecode(output.publisher_policy_json) == jsondecode(file("test/terraform/fixtures/policies/publisher.reads.json"))
    error_message = "A publisher may only send to the fan-out queue (SendMessage also covers SendMessageBatch) and read connections: GetItem and BatchGetItem on the table, Query on GSI1 and GSI2."
  }

  assert {
    condition     = output.publisher_policy_arn == "arn:aws:iam::123456789012:policy/websocket-sessions-publisher"
    error_message = "publisher_policy_arn must be the <name>-publisher managed policy."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.message["fanout-queue"]).Statement == [for statement in jsondecode(output.publisher_policy_json).Statement : statement if !contains(["ReadConnections", "QueryConnections"], statement.Sid)]
    error_message = "The message function publishes like a backend service: its fanout-queue policy must be the publisher policy's sending statements, exactly (it reads connections by its table policy)."
  }
}

run "a_kms_key_encrypts_the_queues_for_publishers_and_the_consumer" {
  command = apply

  variables {
    fanout = {
      kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }

  assert {
    condition     = jsondecode(output.publisher_policy_json) == jsondecode(file("test/terraform/fixtures/policies/publisher.kms.json"))
    error_message = "With a KMS key a publisher must also generate data keys and decrypt with it, through SQS in the key's Region only."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.fanout["fanout-queue"]) == jsondecode(file("test/terraform/fixtures/policies/fanout.fanout-queue.kms.json"))
    error_message = "The fanout function reads and writes the encrypted queues: it must use the key, through SQS only."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.message["fanout-queue"]).Statement == [for statement in jsondecode(output.publisher_policy_json).Statement : statement if !contains(["ReadConnections", "QueryConnections"], statement.Sid)]
    error_message = "With a KMS key the message function must still get exactly the publisher policy's sending statements."
  }

  assert {
    condition     = alltrue([for fn in ["authorizer", "connect", "disconnect", "sweeper"] : !contains(keys(output.function_role_policy_documents[fn]), "fanout-queue")])
    error_message = "Only the message and fanout functions may touch the fan-out queue."
  }
}

run "alarms_watch_the_dlq_the_backlog_and_the_consumer" {
  command = apply

  variables {
    alarm_actions = ["arn:aws:sns:us-east-1:123456789012:ops-alerts"]
    fanout = {
      oldest_message_alarm_seconds = 900
    }
  }

  assert {
    condition = output.fanout_alarm_names == {
      dlq_depth          = "websocket-sessions-fanout-dlq-depth"
      oldest_message_age = "websocket-sessions-fanout-oldest-message-age"
      consumer_errors    = "websocket-sessions-fanout-consumer-errors"
    }
    error_message = "There must be exactly three alarms, named <name>-fanout-<what>."
  }

  assert {
    condition = { for key, alarm in module.fanout_queue.alarms : key => [alarm.namespace, alarm.metric_name, alarm.dimensions, alarm.statistic, alarm.comparison_operator, alarm.threshold] } == {
      dlq_depth          = ["AWS/SQS", "ApproximateNumberOfMessagesVisible", tomap({ QueueName = "websocket-sessions-fanout-dlq.fifo" }), "Maximum", "GreaterThanThreshold", 0]
      oldest_message_age = ["AWS/SQS", "ApproximateAgeOfOldestMessage", tomap({ QueueName = "websocket-sessions-fanout.fifo" }), "Maximum", "GreaterThanThreshold", 900]
      consumer_errors    = ["AWS/Lambda", "Errors", tomap({ FunctionName = "websocket-sessions-fanout" }), "Sum", "GreaterThanThreshold", 0]
    }
    error_message = "The alarms must fire on any message in the DLQ, on a record older than fanout.oldest_message_alarm_seconds, and on any error of the fanout function."
  }

  assert {
    condition     = alltrue([for alarm in values(module.fanout_queue.alarms) : alarm.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:ops-alerts"])])
    error_message = "alarm_actions must reach every alarm."
  }

  assert {
    condition     = length(output.fanout_alarm_arns) == 3
    error_message = "fanout_alarm_arns must list the three alarms."
  }
}

run "alarms_default_to_a_300_second_backlog_and_no_actions" {
  command = apply

  assert {
    condition     = module.fanout_queue.alarms.oldest_message_age.threshold == 300
    error_message = "The backlog alarm must fire past 300 s by default."
  }

  assert {
    condition     = alltrue([for alarm in values(module.fanout_queue.alarms) : length(alarm.alarm_actions) == 0])
    error_message = "By default the alarms must notify nobody."
  }
}

run "alarms_can_be_turned_off" {
  command = apply

  variables {
    alarms_enabled = false
    alarm_actions  = ["arn:aws:sns:us-east-1:123456789012:ops-alerts"]
  }

  assert {
    condition     = output.fanout_alarm_names == {} && output.fanout_alarm_arns == {} && module.fanout_queue.alarms == {}
    error_message = "alarms_enabled = false must create no alarm."
  }
}

# --- modules/fanout-queue alone ------------------------------------------------------------
# These runs share one state: the key's run comes first, so that the mock reports
# sqs_managed_sse_enabled = false for queues created with a customer managed key, as SQS does.

run "fanout_queue_module_uses_a_kms_key_and_the_given_limits" {
  command = apply

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name                          = "ws"
    consumer_function_name        = "ws-fanout"
    consumer_timeout_seconds      = 900
    batch_size                    = 1
    maximum_concurrency           = 1000
    max_receive_count             = 1000
    message_retention_seconds     = 60
    dlq_message_retention_seconds = 3600
    oldest_message_alarm_seconds  = 60
    kms_key_arn                   = "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = aws_sqs_queue.this.kms_master_key_id == var.kms_key_arn && aws_sqs_queue.dlq.kms_master_key_id == var.kms_key_arn && !aws_sqs_queue.this.sqs_managed_sse_enabled && !aws_sqs_queue.dlq.sqs_managed_sse_enabled
    error_message = "kms_key_arn must encrypt both queues instead of SQS managed keys."
  }

  assert {
    condition     = aws_sqs_queue.this.visibility_timeout_seconds == 5400
    error_message = "The visibility timeout must be 6 x 900 s for a 900 s consumer."
  }

  assert {
    condition     = aws_sqs_queue.this.message_retention_seconds == 60 && aws_sqs_queue.dlq.message_retention_seconds == 3600 && jsondecode(aws_sqs_queue.this.redrive_policy).maxReceiveCount == 1000
    error_message = "message_retention_seconds, dlq_message_retention_seconds and max_receive_count must reach the queues."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.consumer.batch_size == 1 && aws_lambda_event_source_mapping.consumer.scaling_config[0].maximum_concurrency == 1000
    error_message = "batch_size and maximum_concurrency must reach the event source mapping."
  }

  assert {
    condition     = jsondecode(output.publisher_policy_json).Statement[1].Condition == { StringEquals = { "kms:ViaService" = ["sqs.cn-north-1.amazonaws.com.cn"] } }
    error_message = "In the China partition the key must be usable through sqs.<region>.amazonaws.com.cn only."
  }

  assert {
    condition     = [for statement in output.consumer_policy_statements : statement.sid] == ["ConsumeFanoutQueue", "EnqueueDeliveriesAndDeadLetters", "UseQueueKey"]
    error_message = "The consumer's statements must end with the key's."
  }
}

run "fanout_queue_module_creates_high_throughput_fifo_queues" {
  command = apply

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name                     = "ws"
    consumer_function_name   = "ws-fanout"
    consumer_timeout_seconds = 45
  }

  assert {
    condition     = aws_sqs_queue.this.name == "ws-fanout.fifo" && aws_sqs_queue.dlq.name == "ws-fanout-dlq.fifo"
    error_message = "The queues must be named <name>-fanout.fifo and <name>-fanout-dlq.fifo."
  }

  assert {
    condition = alltrue([
      for queue in [aws_sqs_queue.this, aws_sqs_queue.dlq] :
      queue.fifo_queue && !queue.content_based_deduplication && queue.deduplication_scope == "messageGroup" && queue.fifo_throughput_limit == "perMessageGroupId"
    ])
    error_message = "Both queues must be high-throughput FIFO queues (deduplication and throughput per message group) without content-based deduplication."
  }

  assert {
    condition     = aws_sqs_queue.this.sqs_managed_sse_enabled && aws_sqs_queue.dlq.sqs_managed_sse_enabled && aws_sqs_queue.this.kms_master_key_id == null && aws_sqs_queue.dlq.kms_master_key_id == null
    error_message = "Without a KMS key both queues must be encrypted with SQS managed keys."
  }

  assert {
    condition     = aws_sqs_queue.this.visibility_timeout_seconds == 270
    error_message = "The visibility timeout must be 6 x the consumer's timeout."
  }

  assert {
    condition     = aws_sqs_queue.this.message_retention_seconds == 345600 && aws_sqs_queue.dlq.message_retention_seconds == 1209600
    error_message = "The queue must keep messages 4 days and the dead-letter queue 14 days by default."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.this.redrive_policy) == { deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 5 }
    error_message = "The queue must move a message to its dead-letter queue after 5 receives by default."
  }

  assert {
    condition     = aws_sqs_queue_redrive_allow_policy.dlq.queue_url == aws_sqs_queue.dlq.id && jsondecode(aws_sqs_queue_redrive_allow_policy.dlq.redrive_allow_policy) == { redrivePermission = "byQueue", sourceQueueArns = [aws_sqs_queue.this.arn] }
    error_message = "Only the fan-out queue may use the dead-letter queue."
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.consumer.event_source_arn == aws_sqs_queue.this.arn
      && aws_lambda_event_source_mapping.consumer.function_name == "ws-fanout"
      && aws_lambda_event_source_mapping.consumer.function_response_types == toset(["ReportBatchItemFailures"])
      && aws_lambda_event_source_mapping.consumer.batch_size == 10
      && aws_lambda_event_source_mapping.consumer.scaling_config[0].maximum_concurrency == 10
      && aws_lambda_event_source_mapping.consumer.enabled
    )
    error_message = "The event source mapping must feed the queue to the consumer, 10 records at a time, at most 10 invocations at once, with partial batch responses."
  }

  assert {
    condition     = aws_iam_policy.publisher.name == "ws-publisher" && aws_iam_policy.publisher.policy == output.publisher_policy_json
    error_message = "The managed policy <name>-publisher must hold the publisher policy."
  }

  assert {
    condition = {
      for key, alarm in aws_cloudwatch_metric_alarm.alarms : key => [alarm.alarm_name, alarm.period, alarm.evaluation_periods, alarm.treat_missing_data]
      } == {
      dlq_depth          = ["ws-fanout-dlq-depth", 60, 1, "notBreaching"]
      oldest_message_age = ["ws-fanout-oldest-message-age", 60, 1, "notBreaching"]
      consumer_errors    = ["ws-fanout-consumer-errors", 60, 1, "notBreaching"]
    }
    error_message = "Each alarm must judge one minute, and treat missing data as fine."
  }
}

run "fanout_queue_module_without_alarms" {
  command = apply

  module {
    source = "./modules/fanout-queue"
  }

  variables {
    name                     = "ws"
    consumer_function_name   = "ws-fanout"
    consumer_timeout_seconds = 60
    alarms_enabled           = false
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.alarms) == 0 && output.alarm_names == {} && output.alarm_arns == {}
    error_message = "alarms_enabled = false must create no alarm."
  }
}

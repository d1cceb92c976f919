output "queue_url" {
  description = "URL of the FIFO fan-out queue; publishers send to it (FANOUT_QUEUE_URL)."
  value       = aws_sqs_queue.this.url
}

output "queue_arn" {
  description = "ARN of the FIFO fan-out queue; the resource of sqs:SendMessage grants."
  value       = aws_sqs_queue.this.arn
}

output "queue_name" {
  description = "Name of the FIFO fan-out queue (<name>-fanout.fifo)."
  value       = aws_sqs_queue.this.name
}

output "queue_message_retention_seconds" {
  description = "Seconds the queue keeps a message; how long the consumer must remember the messages it served (DELIVERY_LEDGER_TTL_SECONDS)."
  value       = aws_sqs_queue.this.message_retention_seconds
}

output "queue_visibility_timeout_seconds" {
  description = "Visibility timeout of the queue: six times the consumer's timeout, capped at 43200."
  value       = aws_sqs_queue.this.visibility_timeout_seconds
}

output "dlq_url" {
  description = "URL of the FIFO dead-letter queue; the consumer sends the records it gives up on to it (FANOUT_DLQ_URL)."
  value       = aws_sqs_queue.dlq.url
}

output "dlq_arn" {
  description = "ARN of the FIFO dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_name" {
  description = "Name of the FIFO dead-letter queue (<name>-fanout-dlq.fifo)."
  value       = aws_sqs_queue.dlq.name
}

output "queue_redrive_policy" {
  description = "The queue's redrive policy: the dead-letter queue's ARN and the receives after which a message moves to it."
  value = {
    dead_letter_target_arn = jsondecode(aws_sqs_queue.this.redrive_policy).deadLetterTargetArn
    max_receive_count      = jsondecode(aws_sqs_queue.this.redrive_policy).maxReceiveCount
  }
}

output "event_source_mapping" {
  description = "The event source mapping from the queue to the consumer: its UUID, function, source queue ARN, batch size, maximum concurrency and response types."
  value = {
    uuid                    = aws_lambda_event_source_mapping.consumer.uuid
    function_name           = aws_lambda_event_source_mapping.consumer.function_name
    event_source_arn        = aws_lambda_event_source_mapping.consumer.event_source_arn
    batch_size              = aws_lambda_event_source_mapping.consumer.batch_size
    maximum_concurrency     = aws_lambda_event_source_mapping.consumer.scaling_config[0].maximum_concurrency
    function_response_types = aws_lambda_event_source_mapping.consumer.function_response_types
  }
}

output "publisher_policy_statements" {
  description = "The publisher policy as typed statements (sid, actions, resources, conditions), for the policies input of modules/lambda-function."
  value       = local.publisher_policy_statements
}

output "publisher_policy_json" {
  description = "IAM policy document (JSON) letting a principal publish to the queue: sqs:SendMessage on it, plus kms:GenerateDataKey and kms:Decrypt on the key through SQS when a KMS key encrypts it, and with connection_table_arn the publisher library's reads of connections."
  value       = local.publisher_policy_json
}

output "publisher_policy_arn" {
  description = "ARN of the managed policy <name>-publisher holding publisher_policy_json; attach it to the roles of services that publish."
  value       = aws_iam_policy.publisher.arn
}

output "consumer_policy_statements" {
  description = "What the consumer function's role needs, as typed statements for modules/lambda-function: receive, delete, change the visibility of and read the attributes of the queue's messages; send to the queue and to the dead-letter queue; the KMS key through SQS when one is used."
  value       = local.consumer_policy_statements
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms keyed dlq_depth, oldest_message_age and consumer_errors; empty when alarms_enabled is false."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.alarms : key => alarm.alarm_name }
}

output "alarm_arns" {
  description = "ARNs of the CloudWatch alarms, keyed like alarm_names; empty when alarms_enabled is false."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.alarms : key => alarm.arn }
}

output "alarms" {
  description = "The CloudWatch alarms keyed like alarm_names: name, ARN, namespace, metric, dimensions, statistic, comparison, threshold and actions; empty when alarms_enabled is false."
  value = {
    for key, alarm in aws_cloudwatch_metric_alarm.alarms : key => {
      name                = alarm.alarm_name
      arn                 = alarm.arn
      namespace           = alarm.namespace
      metric_name         = alarm.metric_name
      dimensions          = alarm.dimensions
      statistic           = alarm.statistic
      comparison_operator = alarm.comparison_operator
      threshold           = alarm.threshold
      alarm_actions       = alarm.alarm_actions
    }
  }
}

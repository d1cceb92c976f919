locals {
  # Each alarm fires on one minute's worst datapoint; no data (an idle queue, a function not
  # invoked) is not a breach.
  alarms = {
    dlq_depth = {
      name        = "${var.name}-fanout-dlq-depth"
      description = "Messages are waiting in ${aws_sqs_queue.dlq.name}: records the fan-out gave up on (see their reason attribute)."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = tomap({ QueueName = aws_sqs_queue.dlq.name })
      statistic   = "Maximum"
      threshold   = 0
    }
    oldest_message_age = {
      name        = "${var.name}-fanout-oldest-message-age"
      description = "The oldest message of ${aws_sqs_queue.this.name} has waited more than ${var.oldest_message_alarm_seconds} s: the fan-out falls behind."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateAgeOfOldestMessage"
      dimensions  = tomap({ QueueName = aws_sqs_queue.this.name })
      statistic   = "Maximum"
      threshold   = var.oldest_message_alarm_seconds
    }
    consumer_errors = {
      name        = "${var.name}-fanout-consumer-errors"
      description = "${var.consumer_function_name} failed invocations (errors or timeouts, not the records it reports as failed)."
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = tomap({ FunctionName = var.consumer_function_name })
      statistic   = "Sum"
      threshold   = 0
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "alarms" {
  for_each = { for key, alarm in local.alarms : key => alarm if var.alarms_enabled }

  alarm_name          = each.value.name
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = var.tags
}

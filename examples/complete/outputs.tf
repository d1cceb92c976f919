output "websocket_url" {
  description = "URL clients connect to: wss://<domain_name>."
  value       = module.websocket_sessions.websocket_url
}

output "management_endpoint" {
  description = "Management API endpoint for backends posting to connections: https://<domain_name>."
  value       = module.websocket_sessions.management_endpoint
}

output "fanout_queue_url" {
  description = "URL of the FIFO fan-out queue backend services publish to."
  value       = module.websocket_sessions.fanout_queue_url
}

output "publisher_policy_arn" {
  description = "ARN of the managed policy letting a service publish (with the stack's KMS key through SQS)."
  value       = module.websocket_sessions.publisher_policy_arn
}

output "alarm_names" {
  description = "Names of the stack's CloudWatch alarms, which notify alarm_topic_arn."
  value       = module.websocket_sessions.alarm_names
}

output "alarm_topic_arn" {
  description = "ARN of the SNS topic the alarms notify; subscribe to it."
  value       = aws_sns_topic.alarms.arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = module.websocket_sessions.dashboard_name
}

output "kms_key_arn" {
  description = "ARN of the stack's customer managed KMS key."
  value       = aws_kms_key.stack.arn
}

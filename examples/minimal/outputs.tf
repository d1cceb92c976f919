output "websocket_url" {
  description = "URL to connect to, for example with `npx wscat -c <url> -s <your-random-id>`."
  value       = module.websocket_sessions.websocket_url
}

output "management_endpoint" {
  description = "Management API endpoint for posting to connections."
  value       = module.websocket_sessions.management_endpoint
}

output "table_name" {
  description = "Name of the DynamoDB table."
  value       = module.websocket_sessions.table_name
}

output "function_names" {
  description = "Names of the Lambda functions, keyed by role."
  value       = module.websocket_sessions.function_names
}

output "fanout_queue_url" {
  description = "URL of the FIFO fan-out queue backend services publish to (docs/fanout.md: the message schema, MessageGroupId, MessageDeduplicationId)."
  value       = module.websocket_sessions.fanout_queue_url
}

output "publisher_policy_arn" {
  description = "ARN of the managed policy allowing sqs:SendMessage on the fan-out queue; attach it to the role of each service that publishes."
  value       = module.websocket_sessions.publisher_policy_arn
}

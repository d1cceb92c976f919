output "websocket_url" {
  description = "URL clients of this environment connect to."
  value       = module.websocket_sessions.websocket_url
}

output "management_endpoint" {
  description = "Management API endpoint of this environment's stage, for backend services."
  value       = module.websocket_sessions.management_endpoint
}

output "function_source_code_hashes" {
  description = "Base64 SHA-256 of each deployed package: the same in every environment deployed from one release."
  value       = module.websocket_sessions.function_source_code_hashes
}

output "fanout_queue_url" {
  description = "URL of the fan-out queue backend services publish to."
  value       = module.websocket_sessions.fanout_queue_url
}

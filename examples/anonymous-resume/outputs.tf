output "websocket_url" {
  description = "URL to connect to: open client/index.html?url=<this> or `npx wscat -c <url> -s <your-random-id>` and send {\"action\":\"teleprinter\"}."
  value       = module.websocket_sessions.websocket_url
}

output "route_keys" {
  description = "Route keys of the API: the module's and teleprinter."
  value       = module.websocket_sessions.route_keys
}

output "table_name" {
  description = "Name of the DynamoDB table holding connections and sessions (with the teleprinter's cursor)."
  value       = module.websocket_sessions.table_name
}

output "teleprinter_function_name" {
  description = "Name of the teleprinter function."
  value       = module.teleprinter.function_name
}

output "function_names" {
  description = "Names of the stack's Lambda functions, keyed by role."
  value       = module.websocket_sessions.function_names
}

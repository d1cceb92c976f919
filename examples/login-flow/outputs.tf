output "http_api_url" {
  description = "Base URL of the login HTTP API (POST <url>/auth/login); put it and the WebSocket API under the cookie's domain (cookie_domain) or one host."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "http_route_keys" {
  description = "Route keys of the login HTTP API, by route name (routes.json)."
  value       = { for name, route in aws_apigatewayv2_route.login_api : name => route.route_key }
}

output "websocket_url" {
  description = "URL the page connects to once signed in: new WebSocket(url, 'ws-sessions.v1'), the session cookie going with the handshake."
  value       = module.websocket_sessions.websocket_url
}

output "login_api_function_name" {
  description = "Name of the login API's function."
  value       = module.login_api.function_name
}

output "login_api_role_policy_documents" {
  description = "The login API role's inline policies (name => JSON), for review and for the tests."
  value       = module.login_api.role_policy_documents
}

output "login_api_environment_variables" {
  description = "The login API's environment."
  value       = module.login_api.function_environment_variables
}

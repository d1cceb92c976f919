output "api_id" {
  description = "ID of the WebSocket API."
  value       = aws_apigatewayv2_api.this.id
}

output "api_endpoint" {
  description = "Endpoint of the API without the stage (wss://<api_id>.execute-api.<region>.amazonaws.com)."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "api_execution_arn" {
  description = "Execution ARN of the API; the prefix of Lambda permission source ARNs and execute-api:ManageConnections resources."
  value       = aws_apigatewayv2_api.this.execution_arn
}

output "authorizer_id" {
  description = "ID of the REQUEST authorizer; part of the source ARN of the authorizer function's invoke permission."
  value       = aws_apigatewayv2_authorizer.this.id
}

output "authorizer_identity_sources" {
  description = "Identity sources of the authorizer; a $connect request missing one is refused with 401."
  value       = sort(aws_apigatewayv2_authorizer.this.identity_sources)
}

output "routes" {
  description = "Routes keyed by route key: their id, target integration and authorization type (CUSTOM where the authorizer guards the route)."
  value = {
    for key, route in aws_apigatewayv2_route.this : key => {
      id                 = route.id
      target             = route.target
      authorization_type = route.authorization_type
      authorizer_id      = route.authorizer_id
    }
  }
}

output "stage_name" {
  description = "Name of the stage."
  value       = aws_apigatewayv2_stage.this.name
}

output "stage_arn" {
  description = "ARN of the stage."
  value       = aws_apigatewayv2_stage.this.arn
}

output "stage_websocket_url" {
  description = "URL clients connect to (wss://<api_id>.execute-api.<region>.amazonaws.com/<stage>)."
  value       = "${aws_apigatewayv2_api.this.api_endpoint}/${aws_apigatewayv2_stage.this.name}"
}

output "stage_management_endpoint" {
  description = "Endpoint of the API Gateway Management API for the stage (https://<api_id>.execute-api.<region>.amazonaws.com/<stage>), used to post to connections."
  value       = "${replace(aws_apigatewayv2_api.this.api_endpoint, "wss://", "https://")}/${aws_apigatewayv2_stage.this.name}"
}

output "access_log_group_name" {
  description = "Name of the CloudWatch log group receiving the stage's access logs."
  value       = aws_cloudwatch_log_group.access.name
}

output "access_log_group_arn" {
  description = "ARN of the CloudWatch log group receiving the stage's access logs."
  value       = aws_cloudwatch_log_group.access.arn
}

output "api_gateway_account_role_arn" {
  description = "ARN of the API Gateway CloudWatch role when create_api_gateway_account_role is true, else null."
  value       = one(aws_iam_role.api_gateway_cloudwatch[*].arn)
}

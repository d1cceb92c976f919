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

output "custom_domain_name" {
  description = "The custom domain when custom_domain is set, else null."
  value       = one(aws_apigatewayv2_domain_name.this[*].domain_name)
}

output "custom_domain_target" {
  description = "Where the custom domain's DNS record must point when custom_domain is set (else null): the Regional target_domain_name and its hosted_zone_id, for an alias or CNAME outside Route 53."
  value = one([for domain in aws_apigatewayv2_domain_name.this : {
    target_domain_name = domain.domain_name_configuration[0].target_domain_name
    hosted_zone_id     = domain.domain_name_configuration[0].hosted_zone_id
  }])
}

output "custom_domain_record_fqdn" {
  description = "FQDN of the Route 53 alias record when custom_domain.route53_zone_id is set, else null."
  value       = one(aws_route53_record.this[*].fqdn)
}

output "websocket_url" {
  description = "URL clients connect to: wss://<custom domain> when custom_domain is set, else stage_websocket_url."
  value       = var.custom_domain == null ? "${aws_apigatewayv2_api.this.api_endpoint}/${aws_apigatewayv2_stage.this.name}" : "wss://${var.custom_domain.domain_name}"
}

output "management_endpoint" {
  description = "Endpoint of the Management API (PostToConnection) for backends: https://<custom domain> when custom_domain is set (API Gateway serves @connections on a mapped domain too), else stage_management_endpoint."
  value       = var.custom_domain == null ? "${replace(aws_apigatewayv2_api.this.api_endpoint, "wss://", "https://")}/${aws_apigatewayv2_stage.this.name}" : "https://${var.custom_domain.domain_name}"
}

output "access_log_group_kms_key_id" {
  description = "KMS key encrypting the access log group; null for CloudWatch Logs' own encryption."
  value       = aws_cloudwatch_log_group.access.kms_key_id
}

output "stage_route_throttling" {
  description = "Per-route throttling of the stage, keyed by route key: burst_limit and rate_limit."
  value       = { for settings in aws_apigatewayv2_stage.this.route_settings : settings.route_key => { burst_limit = settings.throttling_burst_limit, rate_limit = settings.throttling_rate_limit } }
}

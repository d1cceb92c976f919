locals {
  # One pattern per ARN kind, shared by every validation of the root module and the submodules.
  arn_patterns = jsondecode(file("${path.module}/../arn-patterns.json"))

  # Fields of the stage's access log (JSON, one object per request). For WebSocket APIs the
  # $context variables are documented under "WebSocket API access logging variables".
  access_log_format = jsonencode({
    requestId          = "$context.requestId"
    extendedRequestId  = "$context.extendedRequestId"
    requestTime        = "$context.requestTime"
    requestTimeEpoch   = "$context.requestTimeEpoch"
    connectionId       = "$context.connectionId"
    connectedAt        = "$context.connectedAt"
    routeKey           = "$context.routeKey"
    eventType          = "$context.eventType"
    messageDirection   = "$context.messageDirection"
    messageId          = "$context.messageId"
    status             = "$context.status"
    sourceIp           = "$context.identity.sourceIp"
    userAgent          = "$context.identity.userAgent"
    errorMessage       = "$context.error.message"
    errorResponseType  = "$context.error.responseType"
    integrationError   = "$context.integration.error"
    integrationStatus  = "$context.integration.status"
    integrationLatency = "$context.integration.latency"
    authorizerError    = "$context.authorizer.error"
    authorizerStatus   = "$context.authorizer.status"
    authorizerLatency  = "$context.authorizer.latency"
    # Nothing the authorizer returns about the caller ($context.authorizer.principalId or its
    # context): in anonymous mode the user id is a bearer credential.
  })
}

resource "aws_apigatewayv2_api" "this" {
  name                       = var.name
  description                = var.description
  protocol_type              = "WEBSOCKET"
  route_selection_expression = var.route_selection_expression
  tags                       = var.tags
}

resource "aws_apigatewayv2_authorizer" "this" {
  api_id           = aws_apigatewayv2_api.this.id
  name             = "${var.name}-authorizer"
  authorizer_type  = "REQUEST"
  authorizer_uri   = var.authorizer.invoke_arn
  identity_sources = var.authorizer.identity_sources
}

resource "aws_apigatewayv2_integration" "this" {
  for_each = var.routes

  api_id             = aws_apigatewayv2_api.this.id
  description        = "Lambda proxy integration of route ${each.key}."
  integration_type   = "AWS_PROXY"
  integration_method = "POST"
  integration_uri    = each.value.invoke_arn
}

resource "aws_apigatewayv2_route" "this" {
  for_each = var.routes

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.this[each.key].id}"
  authorization_type = each.value.authorize ? "CUSTOM" : "NONE"
  authorizer_id      = each.value.authorize ? aws_apigatewayv2_authorizer.this.id : null
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}/${var.stage_name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = var.stage_name
  description = "Stage ${var.stage_name} of ${var.name}."
  auto_deploy = true

  default_route_settings {
    throttling_burst_limit = var.throttling_burst_limit
    throttling_rate_limit  = var.throttling_rate_limit
    data_trace_enabled     = false
    logging_level          = "OFF"
  }

  # Per-route limits beside the stage's defaults; a route not listed keeps them. (API Gateway has
  # no X-Ray tracing for WebSocket APIs: only REST APIs' stages trace, so there is no setting here.)
  dynamic "route_settings" {
    for_each = var.route_throttling

    content {
      route_key              = route_settings.key
      throttling_burst_limit = route_settings.value.burst_limit
      throttling_rate_limit  = route_settings.value.rate_limit
      data_trace_enabled     = false
      logging_level          = "OFF"
    }
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format          = local.access_log_format
  }

  tags = var.tags

  # Access logging is refused until the account's API Gateway CloudWatch role is set.
  depends_on = [
    aws_api_gateway_account.this,
    aws_apigatewayv2_route.this,
  ]
}

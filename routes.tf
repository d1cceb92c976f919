# Custom routes backed by Lambda functions the caller brings (for example examples/anonymous-resume's
# teleprinter): for each route key, an AWS_PROXY integration of the function, the route, and a
# resource-based permission letting this API invoke the function on that route of this stage only.
# The functions' own roles, environment and packages are the caller's.

variable "custom_routes" {
  description = <<-EOT
    Custom routes backed by Lambda functions you deploy yourself, keyed by route key (the value of a
    message's "action" field, ^[A-Za-z][A-Za-z0-9._-]{0,63}$; $connect, $disconnect and $default
    stay the module's, and a key must not also be in additional_route_keys). function_arn: the
    function's ARN, or a qualified ARN (version or alias); the integration's invoke ARN is derived
    from it, and the module grants apigateway.amazonaws.com lambda:InvokeFunction on it with the
    source ARN <execution ARN>/<stage>/<route key>. The function gets the event of a message route
    (requestContext.authorizer holds the connection's identity) and posts to the connection through
    the Management API itself: give its role execute-api:ManageConnections on
    <api_execution_arn>/<stage_name>/POST/@connections/* and whatever table access it needs.
  EOT
  type = map(object({
    function_arn = string
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for key in keys(var.custom_routes) : startswith(key, "$") || can(regex("^[A-Za-z][A-Za-z0-9._-]{0,63}$", key))])
    error_message = "custom_routes keys must start with a letter and hold at most 64 letters, digits, '.', '_' or '-' (^[A-Za-z][A-Za-z0-9._-]{0,63}$)."
  }

  validation {
    condition     = alltrue([for key in keys(var.custom_routes) : !startswith(key, "$")])
    error_message = "custom_routes keys must not start with '$': $connect, $disconnect and $default are the module's own routes."
  }

  validation {
    condition     = length(setintersection(keys(var.custom_routes), var.additional_route_keys)) == 0
    error_message = "custom_routes keys must not also be in additional_route_keys, which routes them to the message function."
  }

  validation {
    condition     = alltrue([for route in values(var.custom_routes) : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$", route.function_arn))])
    error_message = "custom_routes function_arn must be a Lambda function ARN (arn:<partition>:lambda:<region>:<account>:function:<name>[:<version or alias>])."
  }
}

locals {
  # arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>] → the URI API Gateway
  # invokes it by, as aws_lambda_function's invoke_arn spells it.
  custom_route_invoke_arns = {
    for key, route in var.custom_routes : key => format(
      "arn:%s:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations",
      split(":", route.function_arn)[1],
      split(":", route.function_arn)[3],
      route.function_arn,
    )
  }
}

resource "aws_apigatewayv2_integration" "custom" {
  for_each = var.custom_routes

  api_id             = module.websocket_api.api_id
  description        = "Lambda proxy integration of custom route ${each.key}."
  integration_type   = "AWS_PROXY"
  integration_method = "POST"
  integration_uri    = local.custom_route_invoke_arns[each.key]
}

# The stage deploys automatically (auto_deploy) when these change.
resource "aws_apigatewayv2_route" "custom" {
  for_each = var.custom_routes

  api_id             = module.websocket_api.api_id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.custom[each.key].id}"
  authorization_type = "NONE"
}

resource "aws_lambda_permission" "custom" {
  for_each = var.custom_routes

  # A generated suffix keeps statement ids unique when one function backs routes of several stacks
  # (statement ids allow letters, digits, '_' and '-': a '.' of the route key becomes '_').
  statement_id_prefix = "${replace(each.key, ".", "_")}-"
  action              = "lambda:InvokeFunction"
  function_name       = each.value.function_arn
  principal           = "apigateway.amazonaws.com"
  source_arn          = "${local.stage_execution_arn}/${each.key}"
}

output "custom_routes" {
  description = "The custom routes, keyed by route key: the route and integration ids, the integration URI and the source ARN the function's invoke permission is limited to."
  value = {
    for key, route in aws_apigatewayv2_route.custom : key => {
      route_id        = route.id
      integration_id  = aws_apigatewayv2_integration.custom[key].id
      integration_uri = aws_apigatewayv2_integration.custom[key].integration_uri
      source_arn      = aws_lambda_permission.custom[key].source_arn
    }
  }
}

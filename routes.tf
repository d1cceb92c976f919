# Custom routes backed by Lambda functions the caller brings (for example examples/anonymous-resume's
# teleprinter): for each route key, an AWS_PROXY integration of the function, the route, and a
# resource-based permission letting this API invoke the function on that route of this stage only.
# The functions' own roles, environment and packages are the caller's.

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

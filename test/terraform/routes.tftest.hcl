# The custom_routes input (routes.tf): routes backed by Lambda functions the caller brings, each with
# its integration and an invoke permission scoped to that route of the stage. Offline: every AWS
# resource is mocked. The stack's packages are read from dist/ (run `npm run build`).

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

variables {
  custom_routes = {
    teleprinter = {
      function_arn = "arn:aws:lambda:us-east-1:123456789012:function:my-teleprinter"
    }
    "chat.send" = {
      # A qualified ARN: the integration and the permission are for that alias.
      function_arn = "arn:aws:lambda:us-east-1:123456789012:function:chat:live"
    }
  }
}

run "no_custom_routes_by_default" {
  command = plan

  variables {
    custom_routes = {}
  }

  assert {
    condition     = length(aws_apigatewayv2_route.custom) == 0 && length(aws_apigatewayv2_integration.custom) == 0 && length(aws_lambda_permission.custom) == 0
    error_message = "Without custom_routes the module must add no route, integration or permission."
  }

  assert {
    condition     = output.route_keys == tolist(["$connect", "$default", "$disconnect"])
    error_message = "Without custom_routes the API must have only the module's routes."
  }
}

run "custom_routes_become_routes_integrations_and_scoped_permissions" {
  command = apply

  assert {
    condition     = output.route_keys == tolist(["$connect", "$default", "$disconnect", "chat.send", "teleprinter"])
    error_message = "Each custom route key must become a route of the API, beside the module's own."
  }

  assert {
    condition     = sort(keys(module.websocket_api.routes)) == tolist(["$connect", "$default", "$disconnect"])
    error_message = "Custom routes must not reach the message function's routes."
  }

  assert {
    condition = alltrue([for key in ["teleprinter", "chat.send"] : (
      aws_apigatewayv2_route.custom[key].api_id == "a1b2c3d4e5" &&
      aws_apigatewayv2_route.custom[key].route_key == key &&
      aws_apigatewayv2_route.custom[key].target == "integrations/${aws_apigatewayv2_integration.custom[key].id}" &&
      aws_apigatewayv2_route.custom[key].authorization_type == "NONE"
    )])
    error_message = "Each custom route must target its own integration, without the authorizer (it runs on $connect only)."
  }

  assert {
    condition = alltrue([for key in ["teleprinter", "chat.send"] : (
      aws_apigatewayv2_integration.custom[key].api_id == "a1b2c3d4e5" &&
      aws_apigatewayv2_integration.custom[key].integration_type == "AWS_PROXY" &&
      aws_apigatewayv2_integration.custom[key].integration_method == "POST"
    )])
    error_message = "Each custom route's integration must be a Lambda proxy integration (AWS_PROXY, POST)."
  }

  assert {
    condition     = aws_apigatewayv2_integration.custom["teleprinter"].integration_uri == "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:my-teleprinter/invocations"
    error_message = "The integration URI must be the function's invoke ARN, derived from function_arn."
  }

  assert {
    condition     = aws_apigatewayv2_integration.custom["chat.send"].integration_uri == "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:chat:live/invocations"
    error_message = "A qualified function ARN must be invoked with its qualifier."
  }

  assert {
    condition = alltrue([for key, route in var.custom_routes : (
      aws_lambda_permission.custom[key].function_name == route.function_arn &&
      aws_lambda_permission.custom[key].action == "lambda:InvokeFunction" &&
      aws_lambda_permission.custom[key].principal == "apigateway.amazonaws.com" &&
      aws_lambda_permission.custom[key].statement_id_prefix == "${replace(key, ".", "_")}-"
    )])
    error_message = "Each function must get one lambda:InvokeFunction permission for API Gateway, with a statement id prefixed by its route key ('.' as '_')."
  }

  assert {
    condition     = aws_lambda_permission.custom["teleprinter"].source_arn == "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev/teleprinter" && aws_lambda_permission.custom["chat.send"].source_arn == "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev/chat.send"
    error_message = "Each permission must be limited to its route of this API's stage."
  }

  assert {
    condition = output.custom_routes["teleprinter"] == {
      route_id        = aws_apigatewayv2_route.custom["teleprinter"].id
      integration_id  = "integ01"
      integration_uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:my-teleprinter/invocations"
      source_arn      = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev/teleprinter"
    }
    error_message = "The custom_routes output must report each route's ids, integration URI and permission source ARN."
  }
}

run "invoke_arn_follows_the_functions_partition_and_region" {
  command = plan

  variables {
    custom_routes = {
      teleprinter = {
        function_arn = "arn:aws-cn:lambda:cn-north-1:123456789012:function:teleprinter"
      }
    }
  }

  assert {
    condition     = aws_apigatewayv2_integration.custom["teleprinter"].integration_uri == "arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/arn:aws-cn:lambda:cn-north-1:123456789012:function:teleprinter/invocations"
    error_message = "The invoke ARN must use the function's partition and Region."
  }
}

# --- one run per validation rule ---------------------------------------------------------

run "rejects_custom_routes_key_pattern" {
  command = plan

  variables {
    custom_routes = {
      "send message" = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f" }
    }
  }

  expect_failures = [var.custom_routes]
}

run "rejects_custom_routes_key_not_starting_with_a_letter" {
  command = plan

  variables {
    custom_routes = {
      "1st" = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f" }
    }
  }

  expect_failures = [var.custom_routes]
}

run "rejects_custom_routes_key_length" {
  command = plan

  variables {
    custom_routes = {
      "a234567890123456789012345678901234567890123456789012345678901234x" = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f" }
    }
  }

  expect_failures = [var.custom_routes]
}

run "rejects_custom_routes_connect" {
  command = plan

  variables {
    custom_routes = {
      "$connect" = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f" }
    }
  }

  expect_failures = [var.custom_routes]
}

run "rejects_custom_routes_disconnect" {
  command = plan

  variables {
    custom_routes = {
      "$disconnect" = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f" }
    }
  }

  expect_failures = [var.custom_routes]
}

run "rejects_custom_routes_default" {
  command = plan

  variables {
    custom_routes = {
      "$default" = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f" }
    }
  }

  expect_failures = [var.custom_routes]
}

run "rejects_custom_routes_also_in_additional_route_keys" {
  command = plan

  variables {
    additional_route_keys = ["teleprinter"]
    custom_routes = {
      teleprinter = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f" }
    }
  }

  expect_failures = [var.custom_routes]
}

run "rejects_custom_routes_function_arn" {
  command = plan

  variables {
    custom_routes = {
      teleprinter = { function_arn = "my-teleprinter" }
    }
  }

  expect_failures = [var.custom_routes]
}

# The API and the table, offline: applies modules/websocket-api and modules/connection-store alone
# against the mocked provider (test/terraform/mocks) to assert attributes of their resources that no
# output shows.

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

run "api_is_a_websocket_api_with_a_request_authorizer" {
  command = apply

  module {
    source = "./modules/websocket-api"
  }

  variables {
    name = "ws"
    authorizer = {
      invoke_arn       = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ws-authorizer/invocations"
      identity_sources = ["route.request.header.Sec-WebSocket-Protocol"]
    }
    routes = {
      "$connect"    = { invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ws-connect/invocations", authorize = true }
      "$disconnect" = { invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ws-disconnect/invocations" }
      "$default"    = { invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ws-message/invocations" }
    }
  }

  assert {
    condition     = aws_apigatewayv2_api.this.protocol_type == "WEBSOCKET" && aws_apigatewayv2_api.this.route_selection_expression == "$request.body.action"
    error_message = "The API must be a WebSocket API routing on $request.body.action."
  }

  assert {
    condition     = aws_apigatewayv2_authorizer.this.authorizer_type == "REQUEST" && aws_apigatewayv2_authorizer.this.authorizer_uri == var.authorizer.invoke_arn
    error_message = "The authorizer must be a REQUEST authorizer invoking the authorizer function."
  }

  assert {
    condition     = aws_apigatewayv2_route.this["$connect"].authorization_type == "CUSTOM" && aws_apigatewayv2_route.this["$connect"].authorizer_id == aws_apigatewayv2_authorizer.this.id
    error_message = "$connect must use the authorizer."
  }

  assert {
    condition = alltrue([
      for key, integration in aws_apigatewayv2_integration.this :
      integration.integration_type == "AWS_PROXY" && integration.integration_uri == var.routes[key].invoke_arn
      && aws_apigatewayv2_route.this[key].target == "integrations/${integration.id}"
    ])
    error_message = "Every route must target a Lambda proxy integration of its own function."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.name == "dev" && aws_apigatewayv2_stage.this.auto_deploy
    error_message = "The stage must be named dev by default and deploy automatically."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.default_route_settings[0].throttling_burst_limit == 500 && aws_apigatewayv2_stage.this.default_route_settings[0].throttling_rate_limit == 1000
    error_message = "The stage must throttle at 500 burst and 1000 requests per second by default."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.access_log_settings[0].destination_arn == aws_cloudwatch_log_group.access.arn && aws_cloudwatch_log_group.access.retention_in_days == 30
    error_message = "The stage must log to its access log group, kept 30 days by default."
  }

  assert {
    condition = alltrue([
      for field in ["requestId", "connectionId", "routeKey", "eventType", "status", "errorMessage", "integrationError", "authorizerError"] :
      contains(keys(jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format)), field)
    ])
    error_message = "The access log format must be JSON with the request, connection, route, event, status and error fields."
  }

  assert {
    condition     = jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format).connectionId == "$context.connectionId"
    error_message = "The access log must record the connection id."
  }

  assert {
    condition = alltrue([
      for field, value in jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format) :
      !startswith(value, "$context.authorizer.") || contains(["$context.authorizer.error", "$context.authorizer.status", "$context.authorizer.latency"], value)
    ]) && !strcontains(aws_apigatewayv2_stage.this.access_log_settings[0].format, "principalId")
    error_message = "The access log must not record what the authorizer returns about the caller (principalId, context): an anonymous id is a credential."
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 0 && length(aws_iam_role.api_gateway_cloudwatch) == 0
    error_message = "The account-level API Gateway role must not be managed unless asked for."
  }
}

run "api_gateway_account_role_is_managed_when_asked" {
  command = apply

  module {
    source = "./modules/websocket-api"
  }

  variables {
    name                            = "ws"
    create_api_gateway_account_role = true
    authorizer = {
      invoke_arn       = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ws-authorizer/invocations"
      identity_sources = ["route.request.header.Sec-WebSocket-Protocol"]
    }
    routes = {
      "$connect" = { invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ws-connect/invocations", authorize = true }
    }
  }

  assert {
    condition     = aws_api_gateway_account.this[0].cloudwatch_role_arn == aws_iam_role.api_gateway_cloudwatch[0].arn
    error_message = "The account's API Gateway CloudWatch role must be the created role."
  }

  assert {
    condition     = aws_iam_role_policy_attachment.api_gateway_cloudwatch[0].policy_arn == "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    error_message = "The role must carry AWS's managed policy for API Gateway logging."
  }

  assert {
    condition     = jsondecode(aws_iam_role.api_gateway_cloudwatch[0].assume_role_policy).Statement[0].Principal.Service == "apigateway.amazonaws.com"
    error_message = "The role must only be assumable by API Gateway."
  }
}

run "table_is_protected_and_expires_items_by_default" {
  command = apply

  module {
    source = "./modules/connection-store"
  }

  variables {
    name = "ws-table"
  }

  assert {
    condition     = aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    error_message = "The table must be on-demand."
  }

  assert {
    condition     = aws_dynamodb_table.this.ttl[0].enabled && aws_dynamodb_table.this.ttl[0].attribute_name == "ttl"
    error_message = "TTL must be enabled on the \"ttl\" attribute."
  }

  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled
    error_message = "Point-in-time recovery must be enabled by default."
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "Deletion protection must be enabled by default."
  }

  assert {
    condition     = aws_dynamodb_table.this.server_side_encryption[0].enabled
    error_message = "The table must be encrypted at rest."
  }

  assert {
    condition     = tomap({ for attribute in aws_dynamodb_table.this.attribute : attribute.name => attribute.type }) == tomap({ PK = "S", SK = "S", GSI1PK = "S", GSI1SK = "S", GSI2PK = "S", GSI2SK = "S", GSI3PK = "S", GSI3SK = "S" })
    error_message = "The table must declare exactly the key attributes of schema.json."
  }

  assert {
    condition = { for index in aws_dynamodb_table.this.global_secondary_index : index.name => [index.hash_key, index.range_key, index.projection_type, join(",", sort(coalesce(index.non_key_attributes, [])))] } == {
      GSI1 = ["GSI1PK", "GSI1SK", "ALL", ""]
      GSI2 = ["GSI2PK", "GSI2SK", "INCLUDE", "ttl"]
      GSI3 = ["GSI3PK", "GSI3SK", "INCLUDE", "ttl"]
    }
    error_message = "GSI1 must map GSI1PK/GSI1SK and project all attributes; GSI2 (tenant) and GSI3 (everyone) their own keys, projecting only ttl beside the keys."
  }
}

run "table_settings_can_be_changed" {
  command = apply

  module {
    source = "./modules/connection-store"
  }

  variables {
    name                           = "ws-table"
    point_in_time_recovery_enabled = false
    deletion_protection_enabled    = false
    kms_key_arn                    = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = !aws_dynamodb_table.this.point_in_time_recovery[0].enabled && !aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "point_in_time_recovery_enabled and deletion_protection_enabled must reach the table."
  }

  assert {
    condition     = aws_dynamodb_table.this.server_side_encryption[0].kms_key_arn == var.kms_key_arn
    error_message = "kms_key_arn must reach the table's encryption settings."
  }
}

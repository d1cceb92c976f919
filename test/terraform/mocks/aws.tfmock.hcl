# The mocked AWS provider every Terraform test shares (mock_provider "aws" { source = ... }).
# Computed attributes the assertions depend on get realistic values here; the rest are random.
# Every function and role shares these ARNs; a test file that must tell two apart (the sweeper, the
# scheduler's role, the dead-letter queue) sets theirs with a file-level override_resource.

mock_resource "aws_apigatewayv2_api" {
  defaults = {
    id            = "a1b2c3d4e5"
    arn           = "arn:aws:apigateway:us-east-1::/apis/a1b2c3d4e5"
    api_endpoint  = "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
    execution_arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5"
  }
}

mock_resource "aws_apigatewayv2_authorizer" {
  defaults = {
    id = "auth123"
  }
}

mock_resource "aws_apigatewayv2_integration" {
  defaults = {
    id = "integ01"
  }
}

mock_resource "aws_dynamodb_table" {
  defaults = {
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/websocket-sessions-table"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:mocked"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn        = "arn:aws:lambda:us-east-1:123456789012:function:mocked"
    invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mocked/invocations"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/mocked"
  }
}

mock_resource "aws_scheduler_schedule_group" {
  defaults = {
    arn = "arn:aws:scheduler:us-east-1:123456789012:schedule-group/websocket-sessions"
  }
}

mock_resource "aws_scheduler_schedule" {
  defaults = {
    arn = "arn:aws:scheduler:us-east-1:123456789012:schedule/websocket-sessions/websocket-sessions-sweeper"
  }
}

# Both queues get these; the dead-letter queue's own ARN and URL are set by an override_resource in
# the files that tell them apart. SQS reports sqs_managed_sse_enabled = false for a queue encrypted
# with a customer managed key.
mock_resource "aws_sqs_queue" {
  defaults = {
    id                      = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo"
    url                     = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout.fifo"
    arn                     = "arn:aws:sqs:us-east-1:123456789012:websocket-sessions-fanout.fifo"
    sqs_managed_sse_enabled = false
  }
}

mock_resource "aws_iam_policy" {
  defaults = {
    arn = "arn:aws:iam::123456789012:policy/websocket-sessions-publisher"
  }
}

mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = {
    arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:mocked"
  }
}

mock_resource "aws_lambda_event_source_mapping" {
  defaults = {
    uuid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition = "aws"
  }
}

# The sweeper and the scheduler's role get ARNs of their own so that the schedule's target, the
# expiry schedules' target and the role passed can be told apart from every other function and role;
# the dead-letter queue gets its own so that it differs from the fan-out queue.
override_resource {
  target = module.sweeper.aws_lambda_function.this
  values = {
    arn = "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
  }
}

override_resource {
  target = module.scheduler.aws_iam_role.execution
  values = {
    arn = "arn:aws:iam::123456789012:role/websocket-sessions-scheduler"
  }
}

override_resource {
  target = module.fanout_queue.aws_sqs_queue.dlq
  values = {
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout-dlq.fifo"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/websocket-sessions-fanout-dlq.fifo"
    arn = "arn:aws:sqs:us-east-1:123456789012:websocket-sessions-fanout-dlq.fifo"
  }
}

mock_resource "aws_elasticache_serverless_cache" {
  defaults = {
    arn = "arn:aws:elasticache:us-east-1:123456789012:serverlesscache:websocket-sessions-sessions"
    endpoint = [{
      address = "websocket-sessions-sessions-abc123.serverless.use1.cache.amazonaws.com"
      port    = 6379
    }]
  }
}

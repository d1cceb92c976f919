locals {
  # One pattern per ARN kind, shared by every validation of the root module and the submodules.
  arn_patterns = jsondecode(file("${path.module}/../arn-patterns.json"))

  # Policy documents are rendered with jsonencode() rather than the aws_iam_policy_document
  # data source so that they are plain values known at plan time: terraform test can decode
  # and assert them exactly under mock_provider (a mocked data source returns a random
  # `json`), and `terraform plan` shows the whole document instead of "(known after apply)".
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaAssumeRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })

  # One inline policy per concern. "logs" is always present and scoped to this function's
  # own log group; the caller adds the others ("table", "manage-connections", ...).
  policies = merge(var.policies, {
    logs = [{
      sid        = "WriteOwnLogGroup"
      actions    = ["logs:CreateLogStream", "logs:PutLogEvents"]
      resources  = ["${aws_cloudwatch_log_group.this.arn}:*"]
      conditions = []
    }]
  })

  policy_documents = {
    for concern, statements in local.policies : concern => jsonencode({
      Version = "2012-10-17"
      Statement = [
        for statement in statements : merge(
          { for key, value in { Sid = statement.sid } : key => value if value != null },
          {
            Effect   = "Allow"
            Action   = statement.actions
            Resource = statement.resources
          },
          # IAM's Condition block groups keys by operator: { StringEquals = { "kms:ViaService" = [...] } }.
          length(statement.conditions) == 0 ? {} : {
            Condition = {
              for test in distinct([for condition in statement.conditions : condition.test]) : test => {
                for condition in statement.conditions : condition.variable => condition.values if condition.test == test
              }
            }
          },
        )
      ]
    })
  }
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "this" {
  name               = var.function_name
  description        = "Execution role of the ${var.function_name} Lambda function."
  assume_role_policy = local.assume_role_policy
  tags               = var.tags
}

resource "aws_iam_role_policy" "this" {
  for_each = local.policy_documents

  name   = each.key
  role   = aws_iam_role.this.id
  policy = each.value
}

resource "aws_lambda_function" "this" {
  function_name    = var.function_name
  description      = var.description
  role             = aws_iam_role.this.arn
  filename         = var.artifact_path
  source_code_hash = var.source_code_hash != null ? var.source_code_hash : filebase64sha256(var.artifact_path)
  handler          = var.handler
  runtime          = var.runtime
  architectures    = [var.architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout

  # A package in S3 instead of a local file (artifact_s3).
  s3_bucket         = try(var.artifact_s3.bucket, null)
  s3_key            = try(var.artifact_s3.key, null)
  s3_object_version = try(var.artifact_s3.object_version, null)

  # null: the provider's -1, unreserved.
  reserved_concurrent_executions = var.reserved_concurrent_executions

  # Without the block Lambda keeps its default (PassThrough): no segments of its own.
  dynamic "tracing_config" {
    for_each = var.tracing_enabled ? ["Active"] : []

    content {
      mode = tracing_config.value
    }
  }

  dynamic "environment" {
    for_each = length(var.environment_variables) > 0 ? [var.environment_variables] : []

    content {
      variables = environment.value
    }
  }

  tags = var.tags

  # Lambda logs to /aws/lambda/<function_name>: that group must exist (with its retention)
  # before the first invocation, or Lambda would create one that never expires.
  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.this,
  ]
}

# Active tracing sends segments with xray:PutTraceSegments and xray:PutTelemetryRecords, which take
# no resource ARN: the AWS managed policy grants them (the inline policies refuse "*").
data "aws_partition" "current" {
  count = var.tracing_enabled ? 1 : 0
}

resource "aws_iam_role_policy_attachment" "xray" {
  count = var.tracing_enabled ? 1 : 0

  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current[0].partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_lambda_permission" "this" {
  for_each = var.allowed_triggers

  statement_id  = each.key
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = each.value.principal
  source_arn    = each.value.source_arn
}

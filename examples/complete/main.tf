provider "aws" {
  region = var.region
}

locals {
  # The partition and account, read from the topic's ARN (arn:<partition>:sns:<region>:<account>:…)
  # rather than from data sources, so the example also plans without credentials.
  topic_arn  = split(":", aws_sns_topic.alarms.arn)
  partition  = local.topic_arn[1]
  account_id = local.topic_arn[4]
}

# The stack's customer managed key: the table, the fan-out queues, every log group and the
# resume-token key's parameter. The key policy lets the account's IAM policies grant its use (the
# module grants each function only what it needs, through DynamoDB, SQS and SSM) and lets CloudWatch
# Logs encrypt this stack's log groups, which it does as its service principal, not as a role.
resource "aws_kms_key" "stack" {
  description         = "Encrypts the ${var.name} stack: table, queues, logs, parameters."
  enable_key_rotation = true

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountIamPolicies"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsOfThisStack"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = [
              "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/aws/lambda/${var.name}-*",
              "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/aws/apigateway/${var.name}/*",
            ]
          }
        }
      },
    ]
  })
}

# Where the alarms go: subscribe the on-call pager or an email address to it.
resource "aws_sns_topic" "alarms" {
  name = "${var.name}-alarms"
}

module "websocket_sessions" {
  source = "../../"

  name          = var.name
  stage_name    = var.stage_name
  artifacts_dir = var.artifacts_dir

  auth_mode = "jwt"
  jwt = {
    algorithms = ["RS256"]
    issuer     = var.jwt_issuer
    jwks_url   = var.jwks_url
  }
  allowed_origins = var.allowed_origins

  # wss://<domain_name>, with its alias record in the hosted zone.
  custom_domain = {
    domain_name     = var.domain_name
    certificate_arn = var.certificate_arn
    route53_zone_id = var.route53_zone_id
  }

  # Handshakes run the authorizer and the connect function: keep them well below the messages.
  route_throttling = {
    "$connect" = { burst_limit = 100, rate_limit = 50 }
  }

  tracing_enabled = true
  kms_key_arn     = aws_kms_key.stack.arn

  reserved_concurrency = {
    authorizer = 50
    connect    = 50
    message    = 200
  }

  alarm_actions     = [aws_sns_topic.alarms.arn]
  dashboard_enabled = true

  tags = {
    Project     = "websocket-sessions"
    Environment = var.stage_name
  }
}

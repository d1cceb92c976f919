# API Gateway writes access logs with one role per account and Region (the "CloudWatch log
# role ARN" of API Gateway's settings). It is shared by every API in that Region, so it is
# only managed here when asked: most accounts set it once, outside any single API's stack.

data "aws_partition" "current" {
  count = var.create_api_gateway_account_role ? 1 : 0
}

resource "aws_iam_role" "api_gateway_cloudwatch" {
  count = var.create_api_gateway_account_role ? 1 : 0

  name        = "${var.name}-apigateway-cloudwatch"
  description = "Lets API Gateway write logs to CloudWatch Logs in this account and Region."
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ApiGatewayAssumeRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "apigateway.amazonaws.com" }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "api_gateway_cloudwatch" {
  count = var.create_api_gateway_account_role ? 1 : 0

  role       = aws_iam_role.api_gateway_cloudwatch[0].name
  policy_arn = "arn:${data.aws_partition.current[0].partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = var.create_api_gateway_account_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.api_gateway_cloudwatch[0].arn

  depends_on = [aws_iam_role_policy_attachment.api_gateway_cloudwatch]
}

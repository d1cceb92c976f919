output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "function_invoke_arn" {
  description = "Invoke ARN of the Lambda function; used as an API Gateway integration URI."
  value       = aws_lambda_function.this.invoke_arn
}

output "function_runtime" {
  description = "Runtime of the Lambda function."
  value       = aws_lambda_function.this.runtime
}

output "function_architectures" {
  description = "Instruction set architectures of the Lambda function."
  value       = aws_lambda_function.this.architectures
}

output "function_source_code_hash" {
  description = "Base64 SHA-256 of the deployed package; the same artifact yields the same hash in every environment."
  value       = aws_lambda_function.this.source_code_hash
}

output "function_reserved_concurrent_executions" {
  description = "Concurrent executions reserved for the function; -1 when unreserved."
  value       = aws_lambda_function.this.reserved_concurrent_executions
}

output "function_environment_variables" {
  description = "Environment variables the function runs with."
  value       = try(aws_lambda_function.this.environment[0].variables, {})
}

output "role_name" {
  description = "Name of the function's IAM execution role."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the function's IAM execution role."
  value       = aws_iam_role.this.arn
}

output "role_assume_role_policy" {
  description = "Trust policy (JSON) of the execution role."
  value       = local.assume_role_policy
}

output "role_policy_documents" {
  description = "Inline policies (JSON) of the execution role, keyed by concern; decode them to review or test the exact permissions."
  value       = { for concern, policy in aws_iam_role_policy.this : concern => policy.policy }
}

output "log_group_name" {
  description = "Name of the function's CloudWatch log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the function's CloudWatch log group."
  value       = aws_cloudwatch_log_group.this.arn
}

output "permission_source_arns" {
  description = "Source ARNs allowed to invoke the function, keyed by statement id."
  value       = { for statement_id, permission in aws_lambda_permission.this : statement_id => permission.source_arn }
}

output "function_package" {
  description = "Where the function's code was deployed from: filename (a local zip) or s3_bucket, s3_key and s3_object_version (null when unpinned)."
  value = {
    filename          = aws_lambda_function.this.filename
    s3_bucket         = aws_lambda_function.this.s3_bucket
    s3_key            = aws_lambda_function.this.s3_key
    s3_object_version = aws_lambda_function.this.s3_object_version
  }
}

output "function_tracing_mode" {
  description = "X-Ray tracing mode of the function: Active when tracing_enabled, else null (Lambda's PassThrough)."
  value       = one(aws_lambda_function.this.tracing_config[*].mode)
}

output "log_group_kms_key_id" {
  description = "KMS key encrypting the function's log group; null for CloudWatch Logs' own encryption."
  value       = aws_cloudwatch_log_group.this.kms_key_id
}

locals {
  # The stack's customer managed key (kms_key_arn) encrypts the table, the fan-out queues (unless
  # fanout.kms_key_arn names another key), every log group and the resume-token key's parameter.
  # Roles use it only through the service that holds the data (kms:ViaService, in the key's Region),
  # so no role can decrypt anything with it directly. The services' Regional endpoints are taken from
  # the key's own ARN, so no data source is read.
  kms_key_arn_parts = var.kms_key_arn == null ? [] : split(":", var.kms_key_arn) # arn:<partition>:kms:<region>:…
  kms_via_service = var.kms_key_arn == null ? {} : {
    for service in ["dynamodb", "ssm"] : service => "${service}.${local.kms_key_arn_parts[3]}.${lookup({ aws-cn = "amazonaws.com.cn" }, local.kms_key_arn_parts[1], "amazonaws.com")}"
  }

  # What a principal reading and writing the table needs of its key (as the AWS managed key's policy
  # grants through DynamoDB); the user sessions policy grants the same.
  table_key_actions = ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"]

  # These statements join the concern that uses the data ("table", "session-key"), never a concern
  # of their own: a key created in the same configuration is unknown at plan time, and the set of
  # a role's inline policies must be known then.
  table_key_statements = var.kms_key_arn == null ? [] : [{
    sid       = "UseTableKeyThroughDynamoDB"
    actions   = local.table_key_actions
    resources = [var.kms_key_arn]
    conditions = [{
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.kms_via_service.dynamodb]
    }]
  }]

  # The message function reads the resume-token key's SecureString, which the stack's key encrypts
  # when the module creates the parameter (a parameter or secret of your own keeps its own key).
  session_key_kms_statements = var.kms_key_arn == null || length(aws_ssm_parameter.session_key) == 0 ? [] : [{
    sid       = "DecryptResumeTokenKey"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
    conditions = [{
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.kms_via_service.ssm]
    }]
  }]

  fanout_kms_key_arn = var.fanout.kms_key_arn != null ? var.fanout.kms_key_arn : var.kms_key_arn
}

locals {
  # The policies are typed statements rendered with jsonencode(), as in modules/lambda-function: the
  # root module passes the statements to the functions' roles, services attach the publisher policy,
  # and tests decode both under mock_provider.
  #
  # With a customer managed key, senders need kms:GenerateDataKey and kms:Decrypt and receivers
  # kms:Decrypt; the grant only holds in calls SQS makes on the caller's behalf in the key's Region
  # (SQS requires the key in the queue's Region), taken from the key's ARN so no data source is read.
  kms_key_arn = var.kms_key_arn == null ? [] : split(":", var.kms_key_arn) # arn:<partition>:kms:<region>:…
  kms_via_service = try(
    "sqs.${local.kms_key_arn[3]}.${lookup({ aws-cn = "amazonaws.com.cn" }, local.kms_key_arn[1], "amazonaws.com")}",
    null,
  )

  kms_statements = var.kms_key_arn == null ? [] : [{
    sid       = "UseQueueKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    conditions = [{
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.kms_via_service]
    }]
  }]

  # SendMessageBatch is authorized by sqs:SendMessage too.
  publisher_policy_statements = concat(
    [{
      sid        = "SendToFanoutQueue"
      actions    = ["sqs:SendMessage"]
      resources  = [aws_sqs_queue.this.arn]
      conditions = []
    }],
    local.kms_statements,
  )

  # The publisher library's read half (get, getByUser, getByTenant): a connection item by key, a
  # user's by the user index, a tenant's keys by the tenant index and then their items in a batch.
  publisher_read_statements = var.connection_table_arn == null ? [] : [
    {
      sid        = "ReadConnections"
      actions    = ["dynamodb:BatchGetItem", "dynamodb:GetItem"]
      resources  = [var.connection_table_arn]
      conditions = []
    },
    {
      sid        = "QueryConnections"
      actions    = ["dynamodb:Query"]
      resources  = ["${var.connection_table_arn}/index/GSI1", "${var.connection_table_arn}/index/GSI2"]
      conditions = []
    },
  ]

  consumer_policy_statements = concat(
    [
      {
        # What the event source mapping polls with, on the consumer's behalf.
        sid        = "ConsumeFanoutQueue"
        actions    = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
        resources  = [aws_sqs_queue.this.arn]
        conditions = []
      },
      {
        # The planner enqueues deliver records; records that must not be retried (malformed, 403,
        # 413, …) go straight to the DLQ with a reason.
        sid        = "EnqueueDeliveriesAndDeadLetters"
        actions    = ["sqs:SendMessage"]
        resources  = [aws_sqs_queue.this.arn, aws_sqs_queue.dlq.arn]
        conditions = []
      },
    ],
    local.kms_statements,
  )

  publisher_policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [
      for statement in concat(local.publisher_policy_statements, local.publisher_read_statements) : merge(
        {
          Sid      = statement.sid
          Effect   = "Allow"
          Action   = statement.actions
          Resource = statement.resources
        },
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

# A managed policy for backend services (their roles, in this account) that publish to the queue.
resource "aws_iam_policy" "publisher" {
  name        = "${var.name}-publisher"
  description = "Publishes to the ${var.name} fan-out queue (sqs:SendMessage${var.kms_key_arn == null ? "" : ", with its KMS key"})${var.connection_table_arn == null ? "" : " and reads its connections"}."
  policy      = local.publisher_policy_json
  tags        = var.tags
}

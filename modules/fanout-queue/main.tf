locals {
  # One pattern per ARN kind, shared by every validation of the root module and the submodules.
  arn_patterns = jsondecode(file("${path.module}/../arn-patterns.json"))

  # Lambda's guidance for an SQS event source: a visibility timeout of at least six times the
  # function's timeout, so a message is not handed to a second invocation while the first one still
  # works on it (throttled retries included). 43200 s (12 h) is SQS's maximum. FIFO event sources
  # have no batching window to add.
  visibility_timeout_seconds = min(6 * var.consumer_timeout_seconds, 43200)

  # High-throughput FIFO: deduplication and the throughput quota apply per message group rather than
  # per queue. Ordering only matters within a group (a channel, or a channel's partition of its
  # audience), so the queue scales with the number of groups.
  fifo = {
    fifo_queue                  = true
    content_based_deduplication = false # publishers send MessageDeduplicationId = the message id
    deduplication_scope         = "messageGroup"
    fifo_throughput_limit       = "perMessageGroupId"
  }

  # SQS managed keys (SSE-SQS) unless a customer managed key is given; the two settings conflict,
  # so exactly one is set and the other left null.
  sqs_managed_sse_enabled = var.kms_key_arn == null ? true : null
}

resource "aws_sqs_queue" "dlq" {
  name                        = "${var.name}-fanout-dlq.fifo"
  fifo_queue                  = local.fifo.fifo_queue
  content_based_deduplication = local.fifo.content_based_deduplication
  deduplication_scope         = local.fifo.deduplication_scope
  fifo_throughput_limit       = local.fifo.fifo_throughput_limit
  message_retention_seconds   = var.dlq_message_retention_seconds
  sqs_managed_sse_enabled     = local.sqs_managed_sse_enabled
  kms_master_key_id           = var.kms_key_arn
  tags                        = var.tags
}

resource "aws_sqs_queue" "this" {
  name                        = "${var.name}-fanout.fifo"
  fifo_queue                  = local.fifo.fifo_queue
  content_based_deduplication = local.fifo.content_based_deduplication
  deduplication_scope         = local.fifo.deduplication_scope
  fifo_throughput_limit       = local.fifo.fifo_throughput_limit
  message_retention_seconds   = var.message_retention_seconds
  visibility_timeout_seconds  = local.visibility_timeout_seconds
  sqs_managed_sse_enabled     = local.sqs_managed_sse_enabled
  kms_master_key_id           = var.kms_key_arn

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })

  tags = var.tags
}

# Only the fan-out queue may use the DLQ as its dead-letter queue. A resource of its own: the DLQ's
# policy names the main queue, whose redrive policy names the DLQ.
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}

# The consumer reports failed records (ReportBatchItemFailures), so one failing record is retried
# alone instead of its whole batch; after max_receive_count receives SQS moves it to the DLQ.
resource "aws_lambda_event_source_mapping" "consumer" {
  event_source_arn        = aws_sqs_queue.this.arn
  function_name           = var.consumer_function_name
  batch_size              = var.batch_size
  function_response_types = ["ReportBatchItemFailures"]
  enabled                 = true

  scaling_config {
    maximum_concurrency = var.maximum_concurrency
  }

  tags = var.tags
}

variable "name" {
  description = "Prefix of the resources' names: the queue <name>-fanout.fifo, its dead-letter queue <name>-fanout-dlq.fifo, the publisher policy <name>-publisher and the alarms <name>-fanout-…. 1-64 characters of letters, digits, '-' or '_'."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters of letters, digits, '-' or '_' (<name>-fanout-dlq.fifo must fit SQS's 80 characters)."
  }
}

variable "consumer_function_name" {
  description = "Name of the Lambda function consuming the queue: the target of the event source mapping and the FunctionName of the consumer errors alarm."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.consumer_function_name))
    error_message = "consumer_function_name must be a Lambda function name: 1-64 characters of letters, digits, '-' or '_'."
  }
}

variable "consumer_timeout_seconds" {
  description = "Timeout of the consumer function in seconds (1-900). The queue's visibility timeout is six times it (AWS's guidance for Lambda event sources), capped at SQS's 43200."
  type        = number
  nullable    = false

  validation {
    condition     = var.consumer_timeout_seconds >= 1 && var.consumer_timeout_seconds <= 900 && floor(var.consumer_timeout_seconds) == var.consumer_timeout_seconds
    error_message = "consumer_timeout_seconds must be a whole number of seconds between 1 and 900 (Lambda's maximum timeout)."
  }
}

variable "batch_size" {
  description = "Records the event source mapping hands the consumer per invocation (1-10, FIFO queues' maximum)."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10 && floor(var.batch_size) == var.batch_size
    error_message = "batch_size must be a whole number from 1 to 10 (the maximum for a FIFO queue)."
  }
}

variable "maximum_concurrency" {
  description = "Most concurrent invocations the event source mapping starts (2-1000). A FIFO queue never runs more at once than it has message groups with messages."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000 && floor(var.maximum_concurrency) == var.maximum_concurrency
    error_message = "maximum_concurrency must be a whole number from 2 to 1000 (Lambda's range for SQS event sources)."
  }
}

variable "max_receive_count" {
  description = "Receives after which SQS moves a message to the dead-letter queue (1-1000)."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number from 1 to 1000."
  }
}

variable "message_retention_seconds" {
  description = "Seconds the queue keeps a message (60-1209600, default 4 days)."
  type        = number
  default     = 345600
  nullable    = false

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600 && floor(var.message_retention_seconds) == var.message_retention_seconds
    error_message = "message_retention_seconds must be a whole number of seconds from 60 to 1209600 (14 days)."
  }
}

variable "dlq_message_retention_seconds" {
  description = "Seconds the dead-letter queue keeps a message (60-1209600, default the 14-day maximum), time to inspect and redrive it."
  type        = number
  default     = 1209600
  nullable    = false

  validation {
    condition     = var.dlq_message_retention_seconds >= 60 && var.dlq_message_retention_seconds <= 1209600 && floor(var.dlq_message_retention_seconds) == var.dlq_message_retention_seconds
    error_message = "dlq_message_retention_seconds must be a whole number of seconds from 60 to 1209600 (14 days)."
  }
}

variable "kms_key_arn" {
  description = "ARN of a customer managed KMS key encrypting both queues (in the queues' Region). null encrypts them with SQS managed keys (SSE-SQS). With a key, the publisher and consumer policies also grant kms:GenerateDataKey and kms:Decrypt on it, through SQS only; the key policy must let the account use it."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex(local.arn_patterns.kms_key, var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "alarms_enabled" {
  description = "Whether the three CloudWatch alarms (dead-letter queue depth, age of the oldest message, consumer errors) are created."
  type        = bool
  default     = true
  nullable    = false
}

variable "alarm_actions" {
  description = "ARNs of the SNS topics the alarms notify when they go to ALARM. [] notifies nobody (the alarms still show in CloudWatch)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.alarm_actions : can(regex(local.arn_patterns.sns_topic, arn))])
    error_message = "alarm_actions entries must be SNS topic ARNs (arn:<partition>:sns:<region>:<account>:<topic>)."
  }
}

variable "oldest_message_alarm_seconds" {
  description = "Age in seconds of the queue's oldest message above which the backlog alarm fires (60 up to message_retention_seconds, default 300)."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.oldest_message_alarm_seconds >= 60 && var.oldest_message_alarm_seconds <= var.message_retention_seconds && floor(var.oldest_message_alarm_seconds) == var.oldest_message_alarm_seconds
    error_message = "oldest_message_alarm_seconds must be a whole number of seconds from 60 up to message_retention_seconds: a message never gets older than the queue keeps it."
  }
}

variable "tags" {
  description = "Tags applied to the queues, the event source mapping, the publisher policy and the alarms."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "connection_table_arn" {
  description = "ARN of the connection table. When set, the publisher policy also grants the publisher library's reads of who is connected (get, getByUser, getByTenant): dynamodb:GetItem and BatchGetItem on the table, dynamodb:Query on its GSI1 (user) and GSI2 (tenant) indexes. null: send only."
  type        = string
  default     = null
}

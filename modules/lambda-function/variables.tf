variable "function_name" {
  description = "Name of the Lambda function; also names its IAM role and its log group (/aws/lambda/<function_name>)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 characters of letters, digits, '-' or '_'."
  }
}

variable "description" {
  description = "Description of the Lambda function."
  type        = string
  default     = ""
  nullable    = false
}

variable "artifact_path" {
  description = "Path of the built deployment package (.zip). Terraform never builds it; it only hashes and uploads it. null when the package comes from S3 (artifact_s3)."
  type        = string
  default     = null

  validation {
    condition     = var.artifact_path == null || endswith(coalesce(var.artifact_path, ".zip"), ".zip")
    error_message = "artifact_path must be the path of a .zip file."
  }

  validation {
    condition     = (var.artifact_path == null) != (var.artifact_s3 == null)
    error_message = "Set exactly one of artifact_path (a local zip) and artifact_s3 (a zip in S3)."
  }
}

variable "artifact_s3" {
  description = "The deployment package as an S3 object: bucket, key and optionally the object version. null when it is a local file (artifact_path). Needs source_code_hash."
  type = object({
    bucket         = string
    key            = string
    object_version = optional(string)
  })
  default = null

  validation {
    condition     = var.artifact_s3 == null || var.source_code_hash != null
    error_message = "artifact_s3 needs source_code_hash: Terraform cannot hash an object in S3, so the package's base64 SHA-256 must be given."
  }
}

variable "source_code_hash" {
  description = "Base64 SHA-256 of the package; a new value (and only a new value) redeploys the code. null means filebase64sha256(artifact_path)."
  type        = string
  default     = null

  validation {
    condition     = var.source_code_hash == null || can(regex("^[A-Za-z0-9+/]{43}=$", coalesce(var.source_code_hash, "-")))
    error_message = "source_code_hash must be a base64 SHA-256 (44 characters ending in '=')."
  }
}

variable "handler" {
  description = "Function entry point inside the package, as <file>.<export>."
  type        = string
  default     = "index.handler"
  nullable    = false
}

variable "runtime" {
  description = "Lambda runtime identifier. The packages are built for Node.js 22 (esbuild target node22), so change it together with the build's target."
  type        = string
  default     = "nodejs22.x"
  nullable    = false
}

variable "architecture" {
  description = "Instruction set of the function: x86_64 or arm64."
  type        = string
  default     = "arm64"
  nullable    = false

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB (128-10240)."
  type        = number
  default     = 256
  nullable    = false

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB between 128 and 10240."
  }
}

variable "timeout" {
  description = "Timeout of the function in seconds (1-900)."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds between 1 and 900."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrent executions reserved for the function, which are also its ceiling. null leaves it unreserved (Lambda's -1): it shares the account's unreserved pool. 0 throttles every invocation."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null || try(floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions && var.reserved_concurrent_executions >= 0, false)
    error_message = "reserved_concurrent_executions must be null (unreserved) or a whole number from 0."
  }
}

variable "tracing_enabled" {
  description = "Whether the function traces with AWS X-Ray (tracing_config mode Active) and its role gets the AWS managed policy AWSXRayDaemonWriteAccess. false leaves Lambda's default, PassThrough."
  type        = bool
  default     = false
  nullable    = false
}

variable "log_kms_key_arn" {
  description = "ARN of a customer managed KMS key encrypting the function's log group. null uses CloudWatch Logs' own encryption. The key policy must let the CloudWatch Logs service principal of the Region (logs.<region>.amazonaws.com) use it."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex(local.arn_patterns.kms_key, var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "environment_variables" {
  description = "Environment variables of the function, by name; Lambda limits their total size to 4 KB."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group in days; one of CloudWatch Logs' allowed values, 0 meaning never expire."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be 0 (never expire) or one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "policies" {
  description = <<-EOT
    Inline policies of the function's role, one per concern, keyed by the policy name (for
    example "table", "manage-connections"); each is a list of Allow statements, optionally
    narrowed by conditions (test = operator such as "StringEquals", variable = condition key
    such as "kms:ViaService", values). A "logs" policy for the function's own log group is
    always added and cannot be overridden. Resources must be ARNs: "*" and service-wide
    actions ("dynamodb:*") are rejected.
  EOT
  type = map(list(object({
    sid       = optional(string)
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  })))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for concern in keys(var.policies) : can(regex("^[a-z0-9-]{1,64}$", concern)) && concern != "logs"])
    error_message = "policies keys must be 1-64 characters of lowercase letters, digits or '-', and \"logs\" is reserved for the function's own log group."
  }

  validation {
    condition     = alltrue(flatten([for statements in values(var.policies) : [for statement in statements : length(statement.actions) > 0 && length(statement.resources) > 0]]))
    error_message = "policies statements must each list at least one action and one resource."
  }

  validation {
    condition     = alltrue(flatten([for statements in values(var.policies) : [for statement in statements : [for action in statement.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", action))]]]))
    error_message = "policies actions must be single actions such as \"dynamodb:GetItem\": wildcards are not allowed."
  }

  validation {
    condition     = alltrue(flatten([for statements in values(var.policies) : [for statement in statements : [for resource in statement.resources : startswith(resource, "arn:")]]]))
    error_message = "policies resources must be ARNs: \"*\" is not allowed."
  }

  validation {
    condition = alltrue(flatten([for statements in values(var.policies) : [for statement in statements : [
      for condition in statement.conditions :
      can(regex("^(ForAllValues:|ForAnyValue:)?[A-Za-z]+$", condition.test)) && can(regex("^[A-Za-z0-9-]+:[A-Za-z0-9:/_.-]+$", condition.variable)) && length(condition.values) > 0
    ]]]))
    error_message = "policies conditions must each name an operator (test, for example \"StringEquals\"), a condition key (variable, for example \"kms:ViaService\") and at least one value."
  }

  validation {
    condition = alltrue(flatten([for statements in values(var.policies) : [for statement in statements : [
      length(distinct([for condition in statement.conditions : "${condition.test} ${condition.variable}"])) == length(statement.conditions)
    ]]]))
    error_message = "policies conditions must not repeat a test and variable pair within a statement: list every value in one condition."
  }
}

variable "allowed_triggers" {
  description = "Resource-based permissions letting services invoke the function, keyed by statement id: the principal (for example apigateway.amazonaws.com) and the source ARN it is limited to."
  type = map(object({
    principal  = string
    source_arn = string
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for statement_id in keys(var.allowed_triggers) : can(regex("^[A-Za-z0-9_.-]{1,100}$", statement_id))])
    error_message = "allowed_triggers keys are statement ids: 1-100 characters of letters, digits, '-', '_' or '.'."
  }
}

variable "tags" {
  description = "Tags applied to the function, its role and its log group."
  type        = map(string)
  default     = {}
  nullable    = false
}

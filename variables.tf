variable "name" {
  description = "Prefix of every resource name (API, table, functions, roles, log groups). Lowercase letters, digits and '-', starting with a letter, at most 40 characters."
  type        = string
  default     = "websocket-sessions"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,39}$", var.name))
    error_message = "name must start with a lowercase letter and hold at most 40 lowercase letters, digits or '-' (^[a-z][a-z0-9-]{0,39}$)."
  }
}

variable "tags" {
  description = "Tags applied to every resource that supports them."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "artifacts_dir" {
  description = "Directory holding the built Lambda packages authorizer.zip, connect.zip, disconnect.zip and message.zip (written by `npm run build`). null means <module>/dist. Terraform never builds them."
  type        = string
  default     = null
}

# --- API --------------------------------------------------------------------------------

variable "stage_name" {
  description = "Name of the API stage, the last path segment of the WebSocket URL (for example dev, staging, prod)."
  type        = string
  default     = "dev"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))
    error_message = "stage_name must be 1-128 characters of letters, digits, '-' or '_' (^[A-Za-z0-9_-]{1,128}$)."
  }
}

variable "additional_route_keys" {
  description = "Custom route keys (values of the message's \"action\" field) routed to the message function beside $default. Only needed for per-route throttling or metrics: unmatched actions reach the message function through $default anyway."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for key in var.additional_route_keys : !startswith(key, "$")])
    error_message = "additional_route_keys must not start with '$': $connect, $disconnect and $default are managed by the module."
  }

  validation {
    condition     = alltrue([for key in var.additional_route_keys : can(regex("^[A-Za-z0-9._:-]{1,128}$", key))])
    error_message = "additional_route_keys entries must be 1-128 characters of letters, digits, '.', '_', ':' or '-' (^[A-Za-z0-9._:-]{1,128}$)."
  }

  validation {
    condition     = length(distinct(var.additional_route_keys)) == length(var.additional_route_keys)
    error_message = "additional_route_keys entries must be unique."
  }
}

variable "throttling_burst_limit" {
  description = "Burst limit of every route of the stage, in requests. The account-wide limit (5,000 by default) is shared with every API and PostToConnection call in the Region."
  type        = number
  default     = 500
  nullable    = false

  validation {
    condition     = var.throttling_burst_limit >= 0 && var.throttling_burst_limit <= 5000 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit must be a whole number of requests between 0 and 5000 (the default account burst quota)."
  }
}

variable "throttling_rate_limit" {
  description = "Steady-state rate limit of every route of the stage, in requests per second. The account-wide limit (10,000/s by default) is shared with every API and PostToConnection call in the Region."
  type        = number
  default     = 1000
  nullable    = false

  validation {
    condition     = var.throttling_rate_limit >= 0 && var.throttling_rate_limit <= 10000
    error_message = "throttling_rate_limit must be between 0 and 10000 requests per second (the default account rate quota)."
  }
}

variable "log_retention_in_days" {
  description = "Retention in days of every log group of the stack (API access logs and function logs); one of CloudWatch Logs' allowed values, 0 meaning never expire."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be 0 (never expire) or one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "create_api_gateway_account_role" {
  description = "Whether to create the IAM role API Gateway writes logs with and set it as this account and Region's API Gateway CloudWatch role. WebSocket access logging fails until that role is set. It is shared by every API in the Region: enable this in one stack per account and Region, or set the role outside Terraform."
  type        = bool
  default     = false
  nullable    = false
}

# --- Authentication ---------------------------------------------------------------------

variable "auth_mode" {
  description = "How clients authenticate on $connect. \"anonymous\": the client offers a random id as its WebSocket subprotocol (new WebSocket(url, id)); a handshake without one is refused with 401."
  type        = string
  default     = "anonymous"
  nullable    = false

  validation {
    condition     = contains(["anonymous"], var.auth_mode)
    error_message = "auth_mode must be \"anonymous\" (the only mode implemented so far)."
  }
}

variable "allowed_origins" {
  description = "Browser origins allowed to connect, each an exact origin scheme://host[:port] without path or trailing slash, or the single value \"*\" for any origin. The default [] allows no browser origin."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for origin in var.allowed_origins : origin == "*" || can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$", origin))])
    error_message = "allowed_origins entries must be exact origins scheme://host[:port] (http or https, no path, no trailing slash) or \"*\"."
  }

  validation {
    condition     = !contains(var.allowed_origins, "*") || length(var.allowed_origins) == 1
    error_message = "allowed_origins may hold \"*\" only as its single entry."
  }
}

variable "allow_missing_origin" {
  description = "Whether a $connect request without an Origin header is accepted. Non-browser clients (servers, mobile apps, CLIs) send none; browsers always do."
  type        = bool
  default     = true
  nullable    = false
}

variable "connection_ttl_grace_seconds" {
  description = "Seconds a connection's item outlives API Gateway's 2-hour connection limit before DynamoDB TTL may delete it (CONNECTION_TTL_SECONDS = 7200 + this)."
  type        = number
  default     = 600
  nullable    = false

  validation {
    condition     = var.connection_ttl_grace_seconds >= 0 && var.connection_ttl_grace_seconds <= 86400 && floor(var.connection_ttl_grace_seconds) == var.connection_ttl_grace_seconds
    error_message = "connection_ttl_grace_seconds must be a whole number of seconds between 0 and 86400."
  }
}

variable "management_endpoint_override" {
  description = "Management API endpoint the message function posts to, for a custom domain (https://<domain>[/<base path>]). null lets the function derive https://<domainName>/<stage> from each event."
  type        = string
  default     = null

  validation {
    condition     = var.management_endpoint_override == null || can(regex("^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*$", var.management_endpoint_override))
    error_message = "management_endpoint_override must be null or an https:// URL without query string or trailing slash."
  }
}

# --- Table ------------------------------------------------------------------------------

variable "point_in_time_recovery_enabled" {
  description = "Whether the table has point-in-time recovery (continuous backups of the last 35 days)."
  type        = bool
  default     = true
  nullable    = false
}

variable "deletion_protection_enabled" {
  description = "Whether the table is protected against deletion. Set to false only to destroy a throwaway stack."
  type        = bool
  default     = true
  nullable    = false
}

variable "kms_key_arn" {
  description = "ARN of a customer managed KMS key encrypting the table. null uses the AWS managed key."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

# --- Functions --------------------------------------------------------------------------

variable "lambda_architecture" {
  description = "Instruction set of every function: arm64 (cheaper) or x86_64."
  type        = string
  default     = "arm64"
  nullable    = false

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "lambda_memory_size" {
  description = "Memory of every function in MB (128-10240); CPU grows with it."
  type        = number
  default     = 256
  nullable    = false

  validation {
    condition     = var.lambda_memory_size >= 128 && var.lambda_memory_size <= 10240 && floor(var.lambda_memory_size) == var.lambda_memory_size
    error_message = "lambda_memory_size must be a whole number of MB between 128 and 10240."
  }
}

variable "lambda_timeout" {
  description = "Timeout of every function in seconds (1-29). API Gateway waits at most 29 seconds for an integration, so a longer timeout would only let a function run on after its caller gave up."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.lambda_timeout >= 1 && var.lambda_timeout <= 29 && floor(var.lambda_timeout) == var.lambda_timeout
    error_message = "lambda_timeout must be a whole number of seconds between 1 and 29 (API Gateway's integration timeout)."
  }
}

variable "log_level" {
  description = "Log level of every function (LOG_LEVEL): debug, info, warn or error."
  type        = string
  default     = "info"
  nullable    = false

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be one of \"debug\", \"info\", \"warn\", \"error\"."
  }
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the functions' custom metrics (METRICS_NAMESPACE)."
  type        = string
  default     = "WebSocketSessions"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9.#:_/-]{1,255}$", var.metrics_namespace)) && !startswith(var.metrics_namespace, "AWS/")
    error_message = "metrics_namespace must be 1-255 characters of letters, digits, '.', '#', ':', '_', '/' or '-', and must not start with \"AWS/\" (reserved)."
  }
}

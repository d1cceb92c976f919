variable "name" {
  description = "Name of the WebSocket API; also prefixes its authorizer, its access log group and the optional account role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters of letters, digits, '-' or '_'."
  }
}

variable "description" {
  description = "Description of the WebSocket API."
  type        = string
  default     = "WebSocket sessions API."
  nullable    = false
}

variable "route_selection_expression" {
  description = "Where API Gateway reads the route key of an incoming message."
  type        = string
  default     = "$request.body.action"
  nullable    = false
}

variable "stage_name" {
  description = "Name of the stage, the last path segment of the WebSocket URL (wss://<api>/<stage_name>)."
  type        = string
  default     = "dev"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))
    error_message = "stage_name must be 1-128 characters of letters, digits, '-' or '_'."
  }
}

variable "authorizer" {
  description = "The REQUEST Lambda authorizer run on $connect: the function's invoke ARN and the identity sources that must be present and non-empty for it to be invoked (a request missing one is refused with 401 without invoking it)."
  type = object({
    invoke_arn       = string
    identity_sources = list(string)
  })
  nullable = false

  validation {
    condition     = length(var.authorizer.identity_sources) > 0 && alltrue([for source in var.authorizer.identity_sources : can(regex("^(route\\.request\\.(header|querystring)\\.[A-Za-z0-9_.-]+|stageVariables\\.[A-Za-z0-9_]+|context\\.[A-Za-z0-9_.]+)$", source))])
    error_message = "authorizer.identity_sources must list at least one source of the form route.request.header.<name>, route.request.querystring.<name>, stageVariables.<name> or context.<name>."
  }
}

variable "routes" {
  description = "Routes keyed by route key ($connect, $disconnect, $default or a custom action value): the invoke ARN of the Lambda function behind each, and whether the authorizer guards it (API Gateway allows that on $connect only)."
  type = map(object({
    invoke_arn = string
    authorize  = optional(bool, false)
  }))
  nullable = false

  validation {
    condition     = alltrue([for key in keys(var.routes) : contains(["$connect", "$disconnect", "$default"], key) || can(regex("^[A-Za-z0-9._:-]{1,128}$", key))])
    error_message = "routes keys must be $connect, $disconnect, $default or 1-128 characters of letters, digits, '.', '_', ':' or '-'."
  }

  validation {
    condition     = alltrue([for key, route in var.routes : !route.authorize || key == "$connect"])
    error_message = "routes may set authorize = true on $connect only: WebSocket APIs run authorizers at connection time."
  }
}

variable "throttling_burst_limit" {
  description = "Default burst limit of every route of the stage, in requests."
  type        = number
  default     = 500
  nullable    = false
}

variable "throttling_rate_limit" {
  description = "Default steady-state rate limit of every route of the stage, in requests per second."
  type        = number
  default     = 1000
  nullable    = false
}

variable "route_throttling" {
  description = "Throttling of single routes, keyed by route key (a route of the API, created by this module or beside it): burst_limit in requests, rate_limit in requests per second. A route not listed keeps the stage's throttling_burst_limit and throttling_rate_limit."
  type = map(object({
    burst_limit = number
    rate_limit  = number
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for limits in values(var.route_throttling) : limits.burst_limit >= 0 && limits.burst_limit <= 5000 && floor(limits.burst_limit) == limits.burst_limit && limits.rate_limit >= 0 && limits.rate_limit <= 10000])
    error_message = "route_throttling burst_limit must be a whole number of requests from 0 to 5000 and rate_limit from 0 to 10000 requests per second (the default account quotas)."
  }
}

variable "custom_domain" {
  description = "A custom domain for the API: domain_name (for example ws.example.com), certificate_arn (an ACM certificate covering it, in the API's Region) and optionally route53_zone_id (a public hosted zone that gets an alias A record). null (the default): the execute-api endpoint only."
  type = object({
    domain_name     = string
    certificate_arn = string
    route53_zone_id = optional(string)
  })
  default = null

  validation {
    condition     = var.custom_domain == null ? true : can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.custom_domain.domain_name))
    error_message = "custom_domain.domain_name must be a lowercase DNS name such as ws.example.com (no scheme, path or wildcard)."
  }

  validation {
    condition     = var.custom_domain == null ? true : can(regex(local.arn_patterns.acm_certificate, var.custom_domain.certificate_arn))
    error_message = "custom_domain.certificate_arn must be an ACM certificate ARN (arn:<partition>:acm:<region>:<account>:certificate/<id>)."
  }

  validation {
    condition     = var.custom_domain == null ? true : var.custom_domain.route53_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", var.custom_domain.route53_zone_id))
    error_message = "custom_domain.route53_zone_id must be null or a Route 53 hosted zone id (Z followed by letters and digits)."
  }
}

variable "log_kms_key_arn" {
  description = "ARN of a customer managed KMS key encrypting the access log group. null uses CloudWatch Logs' own encryption. The key policy must let logs.<region>.amazonaws.com use it."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex(local.arn_patterns.kms_key, var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the stage's access log group in days; one of CloudWatch Logs' allowed values, 0 meaning never expire."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be 0 (never expire) or one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "create_api_gateway_account_role" {
  description = "Whether to create the IAM role API Gateway uses to write logs and set it as this account and Region's API Gateway CloudWatch role (aws_api_gateway_account). Access logging fails until that role is set; it is shared by every API in the Region, so enable this in one stack only."
  type        = bool
  default     = false
  nullable    = false
}

variable "tags" {
  description = "Tags applied to the API, its stage, its log group and the optional account role."
  type        = map(string)
  default     = {}
  nullable    = false
}

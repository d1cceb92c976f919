variable "name" {
  description = "Name of the schedule group; also prefixes its schedules (<name>-<key>) and names the execution role (<name>-scheduler). 1-54 characters of letters, digits, '-' or '_'."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,54}$", var.name))
    error_message = "name must be 1-54 characters of letters, digits, '-' or '_' (the role <name>-scheduler must fit IAM's 64 characters)."
  }
}

variable "schedules" {
  description = <<-EOT
    Recurring schedules of the group, keyed by a short name (the schedule is named <name>-<key>):
    - schedule_expression: rate(<n> <unit>) or a six-field cron(...) in UTC. One-time at()
      schedules are created at run time by the functions, not here.
    - function_arn: the unqualified ARN of the Lambda function invoked, asynchronously, on each
      tick. The execution role may invoke exactly these functions (and their versions and aliases).
    - input: the JSON event the function receives (default {}).
    - description: shown in the console.
    Every schedule fires on time (flexible time window OFF).
  EOT
  type = map(object({
    schedule_expression = string
    function_arn        = string
    input               = optional(any, {})
    description         = optional(string, "")
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for key in keys(var.schedules) : can(regex("^[A-Za-z0-9_-]{1,64}$", key)) && length("${var.name}-${key}") <= 64])
    error_message = "schedules keys must be letters, digits, '-' or '_', and <name>-<key> at most 64 characters (a schedule name)."
  }

  validation {
    condition     = alltrue([for schedule in values(var.schedules) : can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\([^ ()]+( [^ ()]+){5}\\))$", schedule.schedule_expression))])
    error_message = "schedules schedule_expression must be a recurring expression: rate(<n> minute|minutes|hour|hours|day|days) or cron(<six fields>)."
  }

  validation {
    condition     = alltrue([for schedule in values(var.schedules) : can(regex(local.arn_patterns.lambda_function, schedule.function_arn))])
    error_message = "schedules function_arn must be an unqualified Lambda function ARN (arn:<partition>:lambda:<region>:<account>:function:<name>)."
  }
}

variable "one_time_schedule_target_arns" {
  description = <<-EOT
    Unqualified ARNs of the Lambda functions that one-time schedules target: schedules the
    functions create at run time in the group (at() expressions, for example a session's expiry),
    with the execution role (role_arn) as their RoleArn. The role may invoke them (and their
    versions and aliases) besides the recurring schedules' functions; a function already targeted
    by a recurring schedule may be listed again.
  EOT
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.one_time_schedule_target_arns : can(regex(local.arn_patterns.lambda_function, arn))])
    error_message = "one_time_schedule_target_arns entries must be unqualified Lambda function ARNs (arn:<partition>:lambda:<region>:<account>:function:<name>)."
  }
}

variable "tags" {
  description = "Tags applied to the schedule group and the execution role."
  type        = map(string)
  default     = {}
  nullable    = false
}

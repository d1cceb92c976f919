variable "environment" {
  description = "The environment this state deploys: dev, staging or prod. Names the stage and suffixes every resource name."
  type        = string
  nullable    = false

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "name" {
  description = "Prefix of every resource name, before the environment (<name>-<environment>)."
  type        = string
  default     = "chat"
  nullable    = false
}

variable "region" {
  description = "AWS Region of the environment."
  type        = string
  nullable    = false
}

variable "allowed_origins" {
  description = "Browser origins allowed to connect to this environment (scheme://host[:port])."
  type        = list(string)
  nullable    = false
}

variable "artifacts_bucket" {
  description = "S3 bucket the CI workflow uploads the release's zips to (release/uploads.txt); every environment reads the same objects."
  type        = string
  nullable    = false
}

variable "artifacts_key_prefix" {
  description = "Key prefix of the zips in artifacts_bucket, empty or ending with '/'."
  type        = string
  default     = "websocket-sessions/"
  nullable    = false
}

variable "artifacts_manifest_file" {
  description = "Path of a release manifest to deploy instead of the module's own release/manifest.json (null)."
  type        = string
  default     = null
}

variable "log_retention_in_days" {
  description = "Retention of the functions' and the stage's log groups in days."
  type        = number
  default     = 30
  nullable    = false
}

variable "alarm_actions" {
  description = "SNS topic ARNs the module's alarms notify; empty in environments nobody is paged for."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "region" {
  description = "AWS Region to deploy to."
  type        = string
  default     = "us-east-1"
  nullable    = false
}

variable "name" {
  description = "Prefix of every resource name (the module's name: lowercase letters, digits and '-', starting with a letter, at most 40 characters)."
  type        = string
  default     = "websocket-sessions-minimal"
  nullable    = false
}

variable "stage_name" {
  description = "Name of the API stage, the last path segment of the WebSocket URL."
  type        = string
  default     = "dev"
  nullable    = false
}

variable "allowed_origins" {
  description = "Browser origins allowed to connect (scheme://host[:port]); the default allows the local demo page."
  type        = list(string)
  default     = ["http://127.0.0.1:3000", "http://localhost:3000"]
  nullable    = false
}

variable "artifacts_dir" {
  description = "Directory of the built Lambda packages; null means the repository's dist/ (run `npm run build` at the repository root first)."
  type        = string
  default     = null
}

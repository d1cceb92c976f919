variable "region" {
  description = "AWS Region to deploy to."
  type        = string
  default     = "us-east-1"
  nullable    = false
}

variable "name" {
  description = "Prefix of every resource name (the module's name: lowercase letters, digits and '-', starting with a letter, at most 40 characters)."
  type        = string
  default     = "websocket-sessions-resume"
  nullable    = false
}

variable "stage_name" {
  description = "Name of the API stage, the last path segment of the WebSocket URL."
  type        = string
  default     = "dev"
  nullable    = false
}

variable "allowed_origins" {
  description = "Browser origins allowed to connect (scheme://host[:port]); the default allows the client served locally by `npm run example:teleprinter`."
  type        = list(string)
  default     = ["http://127.0.0.1:3000", "http://localhost:3000"]
  nullable    = false
}

variable "resume_window_seconds" {
  description = "How long a user's session (and so the teleprinter's cursor) outlives its connection; after that the teleprinter starts from the beginning."
  type        = number
  default     = 3600
  nullable    = false
}

variable "teleprinter_interval_ms" {
  description = "Milliseconds between two characters (TELEPRINTER_INTERVAL_MS, 1-10000). Characters × interval must stay within 25 s."
  type        = number
  default     = 100
  nullable    = false

  validation {
    condition     = floor(var.teleprinter_interval_ms) == var.teleprinter_interval_ms && var.teleprinter_interval_ms >= 1 && var.teleprinter_interval_ms <= 10000
    error_message = "teleprinter_interval_ms must be a whole number from 1 to 10000."
  }
}

variable "teleprinter_text" {
  description = "The text to print (TELEPRINTER_TEXT); null prints the opening sentence of the Gettysburg Address. Characters × interval must stay within 25 s."
  type        = string
  default     = null

  validation {
    condition     = var.teleprinter_text == null || (try(length(var.teleprinter_text), 0) > 0 && try(length(var.teleprinter_text) * var.teleprinter_interval_ms, 0) <= 25000)
    error_message = "teleprinter_text must be non-empty and take at most 25 s to print (characters × teleprinter_interval_ms ≤ 25000): API Gateway ends an integration after 29 s."
  }
}

variable "artifacts_dir" {
  description = "Directory of the built Lambda packages (the stack's and teleprinter.zip); null means the repository's dist/ (run `npm run build` at the repository root first)."
  type        = string
  default     = null
}

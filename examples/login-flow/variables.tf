variable "region" {
  description = "AWS Region to deploy to."
  type        = string
  default     = "us-east-1"
  nullable    = false
}

variable "name" {
  description = "Prefix of every resource name (the module's name: lowercase letters, digits and '-', starting with a letter, at most 40 characters)."
  type        = string
  default     = "websocket-sessions-login"
  nullable    = false
}

variable "stage_name" {
  description = "Name of the WebSocket API's stage, the last path segment of the WebSocket URL."
  type        = string
  default     = "dev"
  nullable    = false
}

variable "allowed_origins" {
  description = "Browser origins of the page that signs in and connects (scheme://host[:port]): the WebSocket handshake with the session cookie is accepted from these only."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.allowed_origins) > 0 && !contains(var.allowed_origins, "*")
    error_message = "allowed_origins must list the page's origins: a browser sends the session cookie with any page's WebSocket, so \"*\" is refused."
  }
}

variable "access_token_key_ssm_parameter_arn" {
  description = "ARN of the SSM SecureString parameter holding the HS256 key the user sessions' access tokens are signed with (createAccessTokens): the stack's jwt mode verifies them beside the session cookie. Create it yourself (`aws ssm put-parameter --type SecureString --value \"$(openssl rand -base64 32)\"`)."
  type        = string
  nullable    = false
}

variable "cookie_domain" {
  description = "The session cookie's Domain (SESSION_COOKIE_DOMAIN): the parent domain of the HTTP API's and the WebSocket API's custom domains (example.com for api.example.com and ws.example.com), so the browser sends the cookie set by the one to the other. null: no Domain, a __Host- cookie, for a page and both APIs behind one host (a CloudFront distribution)."
  type        = string
  default     = null
}

variable "cookie_same_site" {
  description = "The session cookie's SameSite (SESSION_COOKIE_SAME_SITE): Strict, Lax or None."
  type        = string
  default     = "Lax"
  nullable    = false

  validation {
    condition     = contains(["Strict", "Lax", "None"], var.cookie_same_site)
    error_message = "cookie_same_site must be Strict, Lax or None."
  }
}

variable "max_sessions_per_user" {
  description = "Sessions (devices) one user may hold; the next login evicts the least recently used (SESSION_MAX_PER_USER, 1-20)."
  type        = number
  default     = 5
  nullable    = false
}

variable "artifacts_dir" {
  description = "Directory of the built Lambda packages (the stack's and login-api.zip); null means the repository's dist/ (run `npm run build` at the repository root first)."
  type        = string
  default     = null
}

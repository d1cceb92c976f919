variable "region" {
  description = "AWS Region to deploy to; the certificate must be issued in it."
  type        = string
  default     = "us-east-1"
  nullable    = false
}

variable "name" {
  description = "Prefix of every resource name (the module's name: lowercase letters, digits and '-', starting with a letter, at most 40 characters)."
  type        = string
  default     = "websocket-sessions-prod"
  nullable    = false
}

variable "stage_name" {
  description = "Name of the API stage."
  type        = string
  default     = "prod"
  nullable    = false
}

variable "artifacts_dir" {
  description = "Directory of the built Lambda packages; null means the repository's dist/ (run `npm run build` at the repository root first)."
  type        = string
  default     = null
}

variable "domain_name" {
  description = "DNS name clients connect to, for example ws.example.com."
  type        = string
}

variable "certificate_arn" {
  description = "ARN of an ACM certificate covering domain_name, issued in region."
  type        = string
}

variable "route53_zone_id" {
  description = "Id of the public Route 53 hosted zone of domain_name; it gets the alias record."
  type        = string
}

variable "jwt_issuer" {
  description = "Expected \"iss\" of the tokens, for example https://cognito-idp.<region>.amazonaws.com/<user pool id>."
  type        = string
}

variable "jwks_url" {
  description = "https:// URL of the identity provider's JWKS."
  type        = string
}

variable "allowed_origins" {
  description = "Browser origins allowed to connect (scheme://host[:port])."
  type        = list(string)
}

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
  description = "Directory holding the built Lambda packages authorizer.zip, connect.zip, disconnect.zip, fanout.zip, message.zip and sweeper.zip and the manifest.json listing their sha256 (written by `npm run build`). null means <module>/dist. Terraform never builds them. Leave null when `artifacts` is set."
  type        = string
  default     = null
}

variable "artifacts" {
  description = <<-EOT
    The Lambda packages from S3 instead of a local directory: s3_bucket holds each zip under
    <s3_key_prefix><function>/<sha256>.zip, as `npm run release` lists them in release/uploads.txt
    (uploaded with a SHA-256 checksum); object_versions optionally pins each function's object version
    (by function name); manifest is the JSON text of the release manifest, null meaning the module's
    own release/manifest.json. Each object's checksum is checked against the manifest at plan time.
    null: the packages come from artifacts_dir.
  EOT
  type = object({
    s3_bucket       = string
    s3_key_prefix   = optional(string, "")
    object_versions = optional(map(string), {})
    manifest        = optional(string)
  })
  default = null

  validation {
    condition     = var.artifacts == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.artifacts.s3_bucket))
    error_message = "artifacts.s3_bucket must be an S3 bucket name (3-63 lowercase letters, digits, '.' or '-')."
  }

  validation {
    condition     = var.artifacts == null || can(regex("^([A-Za-z0-9!_.*'()-]+/)*$", var.artifacts.s3_key_prefix))
    error_message = "artifacts.s3_key_prefix must be empty or end with '/' (for example \"websocket-sessions/\"), without a leading '/'."
  }

  validation {
    condition     = var.artifacts == null || length(setsubtract(keys(try(var.artifacts.object_versions, {})), ["authorizer", "connect", "disconnect", "fanout", "message", "sweeper"])) == 0
    error_message = "artifacts.object_versions keys must be function names: authorizer, connect, disconnect, fanout, message, sweeper."
  }

  validation {
    condition     = try(var.artifacts.manifest, null) == null || can(jsondecode(var.artifacts.manifest))
    error_message = "artifacts.manifest must be the JSON text of a release manifest, for example file(\"release/manifest.json\")."
  }

  validation {
    condition     = var.artifacts == null || var.artifacts_dir == null
    error_message = "Set artifacts (packages from S3) or artifacts_dir (a local directory), not both."
  }
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

variable "route_throttling" {
  description = "Throttling of single routes beside the stage's throttling_burst_limit and throttling_rate_limit, keyed by route key: $connect, $disconnect, $default or a key of additional_route_keys. burst_limit in requests (0-5000), rate_limit in requests per second (0-10000). For example { \"$connect\" = { burst_limit = 50, rate_limit = 20 } } caps handshakes (each one runs the authorizer and the connect function) below the message routes. {} (the default): every route has the stage's limits."
  type = map(object({
    burst_limit = number
    rate_limit  = number
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for key in keys(var.route_throttling) : contains(concat(["$connect", "$disconnect", "$default"], var.additional_route_keys), key)])
    error_message = "route_throttling keys must be $connect, $disconnect, $default or a key of additional_route_keys (routes of custom_routes are created beside the stage and keep its limits)."
  }

  validation {
    condition     = alltrue([for limits in values(var.route_throttling) : limits.burst_limit >= 0 && limits.burst_limit <= 5000 && floor(limits.burst_limit) == limits.burst_limit && limits.rate_limit >= 0 && limits.rate_limit <= 10000])
    error_message = "route_throttling burst_limit must be a whole number of requests from 0 to 5000 and rate_limit from 0 to 10000 requests per second (the default account quotas)."
  }
}

variable "custom_domain" {
  description = <<-EOT
    A custom domain for the WebSocket API; null (the default) keeps the execute-api endpoint only.
    - domain_name: the DNS name clients connect to (for example ws.example.com);
    - certificate_arn: an ACM certificate covering it, issued in the stack's Region (a Regional
      domain: not us-east-1 unless the stack is there);
    - route53_zone_id (optional): a public hosted zone that gets an alias A record to the domain;
      without it, point a record at the custom_domain_target output yourself.
    The domain maps its root to the stage: websocket_url becomes wss://<domain_name> and
    management_endpoint https://<domain_name> (the Management API answers on a mapped domain too).
    The functions keep posting through the execute-api endpoint, which works before DNS does.
  EOT
  type = object({
    domain_name     = string
    certificate_arn = string
    route53_zone_id = optional(string)
  })
  default = null

  validation {
    condition     = var.custom_domain == null ? true : can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.custom_domain.domain_name))
    error_message = "custom_domain.domain_name must be a lowercase DNS name such as ws.example.com (no scheme, path, port or wildcard)."
  }

  validation {
    condition     = var.custom_domain == null ? true : can(regex(local.arn_patterns.acm_certificate, var.custom_domain.certificate_arn))
    error_message = "custom_domain.certificate_arn must be an ACM certificate ARN (arn:<partition>:acm:<region>:<account>:certificate/<id>)."
  }

  validation {
    condition     = var.custom_domain == null ? true : var.custom_domain.route53_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", var.custom_domain.route53_zone_id))
    error_message = "custom_domain.route53_zone_id must be null or a Route 53 hosted zone id (Z followed by uppercase letters and digits), not a domain name."
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
  description = "How clients authenticate. \"anonymous\": the client offers a random id as its WebSocket subprotocol (new WebSocket(url, id)). \"jwt\": on $connect, the client offers the app protocol ws-sessions.v1 and its token as bearer.<jwt> (new WebSocket(url, ['ws-sessions.v1', 'bearer.' + jwt])), or the app protocol alone with the token in a cookie or the query string when `jwt.token_sources` allows; configure it with `jwt`. \"two-phase\": the client connects offering the app protocol ws-sessions.v1 alone (the authorizer checks only the Origin and the app protocol), then sends {\"action\":\"auth\",\"token\":<jwt>} within `auth_deadline_seconds`; tokens are verified as configured by `jwt`. In every mode a handshake without a subprotocol is refused with 401."
  type        = string
  default     = "anonymous"
  nullable    = false

  validation {
    condition     = contains(["anonymous", "jwt", "two-phase"], var.auth_mode)
    error_message = "auth_mode must be \"anonymous\", \"jwt\" or \"two-phase\"."
  }
}

variable "auth_deadline_seconds" {
  description = "Seconds an unauthenticated connection may stay open before it sends {\"action\":\"auth\",\"token\":…} (whole number, 1-300). Applies in \"two-phase\" mode only (AUTH_DEADLINE_SECONDS of the connect function); ignored otherwise. The sweeper closes late connections, so one may linger up to one sweeper_schedule_expression period longer."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.auth_deadline_seconds >= 1 && var.auth_deadline_seconds <= 300 && floor(var.auth_deadline_seconds) == var.auth_deadline_seconds
    error_message = "auth_deadline_seconds must be a whole number of seconds between 1 and 300."
  }
}

variable "auth_expiry_grace_seconds" {
  description = "Seconds a connection may go on past its token's expiry (exp) before it is closed with AUTH_EXPIRED, unless it refreshed the token with {\"action\":\"auth\",\"token\":…} (whole number, 0-300). Applies in \"jwt\" and \"two-phase\" modes (AUTH_EXPIRY_GRACE_SECONDS of the message function, which closes the connection on its next message, and of the sweeper, which closes idle ones up to one sweeper_schedule_expression period later); ignored in \"anonymous\" mode."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.auth_expiry_grace_seconds >= 0 && var.auth_expiry_grace_seconds <= 300 && floor(var.auth_expiry_grace_seconds) == var.auth_expiry_grace_seconds
    error_message = "auth_expiry_grace_seconds must be a whole number of seconds between 0 and 300."
  }
}

variable "jwt" {
  description = <<-EOT
    Token verification of the "jwt" and "two-phase" auth modes; required when auth_mode is
    "jwt" or "two-phase" and must be null (the default) when auth_mode = "anonymous". In "jwt"
    mode the authorizer verifies the handshake's token and the message function verifies
    refreshed tokens; in "two-phase" mode only the message function verifies tokens, those of
    {"action":"auth"} frames (token_sources, cookie_name and query_parameter then only matter to
    the handshake of "jwt" mode).
    - algorithms: accepted "alg" values, a subset of HS256, RS256, ES256.
    - issuer, audience: expected "iss" and accepted "aud" values (unset: not checked).
    - At most one key source: jwks_url (https://), key_ssm_parameter_arn (an SSM parameter ARN)
      or key_secret_arn (a Secrets Manager secret's full ARN, with its 6-character suffix). A
      static key (SSM or Secrets Manager: an HMAC secret or a PEM public key) needs exactly one
      algorithm, may be encrypted with the customer managed KMS key key_kms_key_arn and may be
      pinned to a "kid" with key_id. Without any, tokens are verified with the access-token key
      (access_token_key: the HS256 secret your functions sign the user sessions' access tokens
      with), and algorithms must be ["HS256"].
    - clock_tolerance_seconds (0-300, default 5), max_lifetime_seconds (exp - iat, 60-604800,
      default 86400), max_age_seconds (now - iat, 1-604800, unset: not checked).
    - token_sources: where the token may travel, a subset of "subprotocol" (bearer.<jwt>, the
      default), "cookie" (cookie_name, default ws_token) and "query" (query_parameter, default
      token; query strings end up in logs, enable it only for clients that cannot do better).
    - claims: names of the claims holding the user id (sub), tenant id (tenant_id), roles (roles)
      and session id (sid).
    - session_check ("jwt" mode only, default false): the authorizer refuses a token whose sid
      names a user session (packages/sessions) that was deleted, evicted, revoked or has expired
      (one GetItem on the table, granted only then); require_session_id (default false) refuses
      a token without sid. session_cache_seconds (0-5, default 5): how long a container keeps an
      answer, the most a revocation may go unseen; session_cache_size (1-100000, default 10000):
      the most answers it keeps.
  EOT
  type = object({
    algorithms              = list(string)
    issuer                  = optional(string)
    audience                = optional(list(string), [])
    jwks_url                = optional(string)
    key_ssm_parameter_arn   = optional(string)
    key_secret_arn          = optional(string)
    key_kms_key_arn         = optional(string)
    key_id                  = optional(string)
    clock_tolerance_seconds = optional(number, 5)
    max_lifetime_seconds    = optional(number, 86400)
    max_age_seconds         = optional(number)
    token_sources           = optional(list(string), ["subprotocol"])
    cookie_name             = optional(string, "ws_token")
    query_parameter         = optional(string, "token")
    session_check           = optional(bool, false)
    require_session_id      = optional(bool, false)
    session_cache_seconds   = optional(number, 5)
    session_cache_size      = optional(number, 10000)
    claims = optional(object({
      user_id    = optional(string, "sub")
      tenant_id  = optional(string, "tenant_id")
      roles      = optional(string, "roles")
      session_id = optional(string, "sid")
    }), {})
  })
  default = null

  # Terraform's || and && do not short-circuit, so rules on the attributes are written as
  # `var.jwt == null ? true : <rule>`.

  validation {
    condition     = var.auth_mode == "anonymous" || var.jwt != null
    error_message = "jwt is required when auth_mode is \"jwt\" or \"two-phase\" (here \"${var.auth_mode}\"): set at least its algorithms and one key source."
  }

  validation {
    condition     = var.auth_mode != "anonymous" || var.jwt == null
    error_message = "jwt must be null when auth_mode = \"anonymous\": it would be ignored (it applies to \"jwt\" and \"two-phase\" modes)."
  }

  validation {
    condition     = var.jwt == null ? true : length(var.jwt.algorithms) > 0
    error_message = "jwt.algorithms must name at least one algorithm."
  }

  validation {
    condition     = var.jwt == null ? true : length(distinct(var.jwt.algorithms)) == length(var.jwt.algorithms)
    error_message = "jwt.algorithms entries must be unique."
  }

  validation {
    condition     = var.jwt == null ? true : alltrue([for algorithm in var.jwt.algorithms : contains(["HS256", "RS256", "ES256"], algorithm)])
    error_message = "jwt.algorithms entries must be \"HS256\", \"RS256\" or \"ES256\" (exact case)."
  }

  validation {
    condition     = var.jwt == null ? true : length([for source in [var.jwt.jwks_url, var.jwt.key_ssm_parameter_arn, var.jwt.key_secret_arn] : source if source != null]) <= 1
    error_message = "jwt must set at most one key source: jwks_url, key_ssm_parameter_arn or key_secret_arn (none: the access-token key)."
  }

  validation {
    condition     = var.jwt == null ? true : length([for source in [var.jwt.jwks_url, var.jwt.key_ssm_parameter_arn, var.jwt.key_secret_arn] : source if source != null]) == 1 || var.jwt.algorithms == tolist(["HS256"])
    error_message = "jwt.algorithms must be [\"HS256\"] when jwt sets no key source: tokens are then verified with the access-token key, an HS256 secret (access_token_key)."
  }

  validation {
    condition     = var.jwt == null ? true : (var.jwt.key_ssm_parameter_arn == null && var.jwt.key_secret_arn == null) || length(var.jwt.algorithms) == 1
    error_message = "jwt.algorithms must name exactly one algorithm when the key is a static key (key_ssm_parameter_arn or key_secret_arn): a single key must not verify tokens of several algorithms."
  }

  validation {
    condition     = var.jwt == null ? true : var.jwt.jwks_url == null || can(regex("^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\\s#]*)?$", var.jwt.jwks_url))
    error_message = "jwt.jwks_url must be an https:// URL (https://<host>[:port][/<path>]) without blanks or fragment: keys fetched over plain HTTP could be swapped in transit."
  }

  validation {
    condition     = var.jwt == null ? true : var.jwt.key_ssm_parameter_arn == null || can(regex(local.arn_patterns.ssm_parameter, var.jwt.key_ssm_parameter_arn))
    error_message = "jwt.key_ssm_parameter_arn must be an SSM parameter ARN (arn:<partition>:ssm:<region>:<account>:parameter/<name>), not a parameter name."
  }

  validation {
    condition     = var.jwt == null ? true : var.jwt.key_secret_arn == null || can(regex(local.arn_patterns.secretsmanager_secret, var.jwt.key_secret_arn))
    error_message = "jwt.key_secret_arn must be a Secrets Manager secret's full ARN, with the 6-character suffix AWS appends (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-AbCdEf), so that IAM can grant exactly that secret."
  }

  validation {
    condition     = var.jwt == null ? true : var.jwt.key_kms_key_arn == null || can(regex(local.arn_patterns.kms_key, var.jwt.key_kms_key_arn))
    error_message = "jwt.key_kms_key_arn must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>); an alias cannot be granted kms:Decrypt."
  }

  validation {
    condition     = var.jwt == null ? true : var.jwt.key_kms_key_arn == null || var.jwt.key_ssm_parameter_arn != null || var.jwt.key_secret_arn != null
    error_message = "jwt.key_kms_key_arn applies to a static key only (key_ssm_parameter_arn or key_secret_arn): a JWKS is fetched over HTTPS and decrypts nothing."
  }

  validation {
    condition     = var.jwt == null ? true : var.jwt.key_id == null || var.jwt.key_ssm_parameter_arn != null || var.jwt.key_secret_arn != null
    error_message = "jwt.key_id applies to a static key only (key_ssm_parameter_arn or key_secret_arn): with jwks_url the token's kid selects the key from the set."
  }

  validation {
    condition     = var.jwt == null ? true : var.jwt.key_id == null || can(regex("^[!-~]{1,256}$", var.jwt.key_id))
    error_message = "jwt.key_id must be 1-256 printable ASCII characters without blanks."
  }

  validation {
    condition     = var.jwt == null ? true : var.jwt.clock_tolerance_seconds >= 0 && var.jwt.clock_tolerance_seconds <= 300 && floor(var.jwt.clock_tolerance_seconds) == var.jwt.clock_tolerance_seconds
    error_message = "jwt.clock_tolerance_seconds must be a whole number of seconds between 0 and 300."
  }

  validation {
    condition     = var.jwt == null ? true : var.jwt.max_lifetime_seconds >= 60 && var.jwt.max_lifetime_seconds <= 604800 && floor(var.jwt.max_lifetime_seconds) == var.jwt.max_lifetime_seconds
    error_message = "jwt.max_lifetime_seconds must be a whole number of seconds between 60 and 604800 (7 days)."
  }

  validation {
    condition     = var.jwt == null ? true : var.jwt.max_age_seconds == null ? true : var.jwt.max_age_seconds >= 1 && var.jwt.max_age_seconds <= 604800 && floor(var.jwt.max_age_seconds) == var.jwt.max_age_seconds
    error_message = "jwt.max_age_seconds must be null or a whole number of seconds between 1 and 604800 (7 days)."
  }

  validation {
    condition     = var.jwt == null ? true : length(var.jwt.token_sources) > 0
    error_message = "jwt.token_sources must name at least one token source."
  }

  validation {
    condition     = var.jwt == null ? true : alltrue([for source in var.jwt.token_sources : contains(["subprotocol", "cookie", "query"], source)]) && length(distinct(var.jwt.token_sources)) == length(var.jwt.token_sources)
    error_message = "jwt.token_sources entries must be unique and each \"subprotocol\", \"cookie\" or \"query\"."
  }

  validation {
    # A browser sends the cookie with a WebSocket any page opens; only the Origin check keeps a
    # foreign site from using it (cross-site WebSocket hijacking).
    condition     = var.jwt == null || var.auth_mode != "jwt" ? true : !(contains(var.jwt.token_sources, "cookie") && contains(var.allowed_origins, "*"))
    error_message = "jwt.token_sources must not include \"cookie\" while allowed_origins is [\"*\"]: list the origins allowed to connect."
  }

  validation {
    condition     = var.jwt == null ? true : can(regex("^[A-Za-z0-9_-]{1,64}$", var.jwt.cookie_name))
    error_message = "jwt.cookie_name must be 1-64 characters of letters, digits, '_' or '-' (^[A-Za-z0-9_-]{1,64}$)."
  }

  validation {
    condition     = var.jwt == null ? true : can(regex("^[A-Za-z0-9_-]{1,64}$", var.jwt.query_parameter))
    error_message = "jwt.query_parameter must be 1-64 characters of letters, digits, '_' or '-' (^[A-Za-z0-9_-]{1,64}$)."
  }

  validation {
    condition     = var.jwt == null ? true : alltrue([for claim in values(var.jwt.claims) : can(regex("^\\S(.{0,254}\\S)?$", claim))])
    error_message = "jwt.claims names must be 1-256 characters without leading or trailing blanks."
  }

  validation {
    condition     = var.jwt == null || var.auth_mode == "jwt" ? true : !var.jwt.session_check && !var.jwt.require_session_id
    error_message = "jwt.session_check and jwt.require_session_id apply to auth_mode = \"jwt\" only (the authorizer checks the handshake's token)."
  }

  validation {
    condition     = var.jwt == null ? true : var.jwt.session_cache_seconds >= 0 && var.jwt.session_cache_seconds <= 5 && floor(var.jwt.session_cache_seconds) == var.jwt.session_cache_seconds
    error_message = "jwt.session_cache_seconds must be a whole number of seconds between 0 and 5: it bounds how long a revoked session may still connect."
  }

  validation {
    condition     = var.jwt == null ? true : var.jwt.session_cache_size >= 1 && var.jwt.session_cache_size <= 100000 && floor(var.jwt.session_cache_size) == var.jwt.session_cache_size
    error_message = "jwt.session_cache_size must be a whole number between 1 and 100000."
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

variable "allow_guests" {
  description = "Whether, in \"jwt\" and \"two-phase\" modes, a $connect request offering an anonymous id as its only subprotocol (new WebSocket(url, id), no ws-sessions.v1) connects as a guest, as in \"anonymous\" mode (ALLOW_GUESTS of the authorizer). A signed-in connection may later take over a guest's session with {\"action\":\"adopt\"} and the guest's resume token. Ignored in \"anonymous\" mode."
  type        = bool
  default     = false
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
  description = "Management API endpoint the message, sweeper and fanout functions post to, for a custom domain (https://<domain>[/<base path>]). null lets the message function derive https://<domainName>/<stage> from each event and gives the sweeper and the fanout function, which no API event reaches, the stage's own endpoint https://<api_id>.execute-api.<region>.amazonaws.com/<stage>."
  type        = string
  default     = null

  validation {
    condition     = var.management_endpoint_override == null || can(regex("^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*$", var.management_endpoint_override))
    error_message = "management_endpoint_override must be null or an https:// URL without query string or trailing slash."
  }
}

# --- Sweeper ----------------------------------------------------------------------------

variable "sweeper_schedule_expression" {
  description = "When EventBridge Scheduler runs the sweeper function, which closes and deletes stale connections (two-phase connections past their auth deadline, among others): rate(<n> minute|minutes|hour|hours) with a singular unit for 1 and a plural one above, or a six-field cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>) in UTC. One minute is the shortest period."
  type        = string
  default     = "rate(1 minute)"
  nullable    = false

  validation {
    condition     = can(regex("^rate\\([1-9][0-9]{0,5} (minute|minutes|hour|hours)\\)$", var.sweeper_schedule_expression)) || can(regex("^cron\\([^ ()]+( [^ ()]+){5}\\)$", var.sweeper_schedule_expression))
    error_message = "sweeper_schedule_expression must be rate(<n> minute|minutes|hour|hours) (n a whole number from 1, no leading zero) or cron(<six fields separated by single spaces>)."
  }

  validation {
    condition     = !startswith(var.sweeper_schedule_expression, "rate(") || can(regex("^rate\\((1 (minute|hour)|([2-9]|[1-9][0-9]+) (minutes|hours))\\)$", var.sweeper_schedule_expression))
    error_message = "sweeper_schedule_expression's rate unit must be singular for 1 and plural above: rate(1 minute), rate(5 minutes), rate(1 hour), rate(2 hours)."
  }
}

# --- Sessions -------------------------------------------------------------------------

variable "session" {
  description = <<-EOT
    Resumable sessions (see docs/terraform.md, "Session expiry"). Every field is optional:
    - resume_window_seconds (1-86400, default 120): how long a session outlives its connection
      and can be resumed on a new one. When a connection of a resumable session closes, the
      disconnect function creates a one-time EventBridge Scheduler schedule expire-<session id>
      in the stack's schedule group, due this many seconds later, that invokes the sweeper to
      expire the session; resuming deletes it (SESSION_RESUME_WINDOW_SECONDS of the message,
      disconnect, sweeper and fanout functions);
    - heartbeat_seconds (10-540, default 60): the heartbeat period of a session's connection,
      below API Gateway's 10-minute idle timeout (SESSION_HEARTBEAT_SECONDS of the message
      function);
    - goaway_before_seconds (1-3600, default 300): how long before API Gateway's 2-hour
      connection limit the sweeper tells the client (goaway) to move to a new connection and
      resume (SESSION_GOAWAY_BEFORE_SECONDS);
    - resume ("token" or "id", default "token"): what a resume needs besides being the same user:
      the resume token issued in welcome ("token"), or nothing more ("id": the AWS sample's
      behaviour, where an anonymous id alone takes over its user's session; weaker);
    - key_ssm_parameter_arn / key_secret_arn (default null, at most one): the key resume tokens
      are signed with, at least 32 characters. Without either the module creates the SecureString
      /<name>/session-resume-key with a random value, written through a write-only argument so it
      never enters the plan or the state; session_key_version rotates it.
  EOT
  type = object({
    resume_window_seconds = optional(number, 120)
    heartbeat_seconds     = optional(number, 60)
    goaway_before_seconds = optional(number, 300)
    resume                = optional(string, "token")
    key_ssm_parameter_arn = optional(string)
    key_secret_arn        = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = floor(var.session.resume_window_seconds) == var.session.resume_window_seconds && var.session.resume_window_seconds >= 1 && var.session.resume_window_seconds <= 86400
    error_message = "session.resume_window_seconds must be a whole number of seconds from 1 to 86400 (a day)."
  }

  validation {
    condition     = floor(var.session.heartbeat_seconds) == var.session.heartbeat_seconds && var.session.heartbeat_seconds >= 10 && var.session.heartbeat_seconds <= 540
    error_message = "session.heartbeat_seconds must be a whole number of seconds from 10 to 540 (under API Gateway's 10-minute idle timeout)."
  }

  validation {
    condition     = floor(var.session.goaway_before_seconds) == var.session.goaway_before_seconds && var.session.goaway_before_seconds >= 1 && var.session.goaway_before_seconds <= 3600
    error_message = "session.goaway_before_seconds must be a whole number of seconds from 1 to 3600 (an hour of API Gateway's 2-hour connection limit)."
  }

  validation {
    condition     = contains(["token", "id"], var.session.resume)
    error_message = "session.resume must be \"token\" (a resume needs the resume token) or \"id\" (the user id alone, the AWS sample's weaker way)."
  }

  validation {
    condition     = var.session.key_ssm_parameter_arn == null || var.session.key_secret_arn == null
    error_message = "session.key_ssm_parameter_arn and session.key_secret_arn are alternatives: give at most one."
  }

  validation {
    condition     = var.session.key_ssm_parameter_arn == null || can(regex(local.arn_patterns.ssm_parameter, var.session.key_ssm_parameter_arn))
    error_message = "session.key_ssm_parameter_arn must be an SSM parameter ARN (arn:<partition>:ssm:<region>:<account>:parameter/<name>), not a parameter name."
  }

  validation {
    condition     = var.session.key_secret_arn == null || can(regex(local.arn_patterns.secretsmanager_secret, var.session.key_secret_arn))
    error_message = "session.key_secret_arn must be a Secrets Manager secret's full ARN, with the 6-character suffix AWS appends (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-AbCdEf), so that IAM can grant exactly that secret."
  }
}

variable "session_key_version" {
  description = "Version of the resume-token key the module creates (/<name>/session-resume-key; ignored with session.key_ssm_parameter_arn or session.key_secret_arn). The key is random and written through the parameter's write-only value_wo, so it is in neither the plan nor the state; Terraform writes a new one exactly when this number changes. Raise it to rotate the key: every resume token issued so far stops working (sessions of closed connections can no longer be resumed; live connections are unaffected). A whole number from 1."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = floor(var.session_key_version) == var.session_key_version && var.session_key_version >= 1
    error_message = "session_key_version must be a whole number from 1."
  }
}

variable "session_cookie" {
  description = <<-EOT
    The sealed session cookie of the user sessions library (packages/sessions/COOKIE.md): its key
    set, its name, and whether the authorizer accepts it on $connect (docs/auth.md, "The session
    cookie as a token source"). null (the default): none. Every field is optional:
    - connect (default true): in auth_mode "jwt", a $connect that carries no token is authenticated
      by the cookie (its user session looked up as jwt.session_check does, an Origin on
      allowed_origins required; not with allowed_origins = ["*"]) (SESSION_COOKIE_CONNECT);
    - name (default null: __Host-session, or __Secure-session with domain): the cookie's name, a
      cookie token of at most 64 characters; a __Host- name takes no domain (SESSION_COOKIE_NAME);
    - domain (default null: the host that sets it only): the cookie's Domain, a host name the HTTP
      API and the WebSocket API share (SESSION_COOKIE_DOMAIN);
    - keys_ssm_parameter_arn / keys_secret_arn (default null, at most one): the key set (JSON,
      COOKIE.md "Keys"), in a SecureString parameter or a secret of yours, optionally encrypted with
      the customer managed KMS key keys_kms_key_arn. Without either the module creates the
      SecureString /<name>/session-cookie-keys holding one random key (id v<session_cookie_key_version>),
      written through a write-only argument so it never enters the plan or the state.
    Your functions that write the cookie take session_cookie_environment and the session_keys policy.
  EOT
  type = object({
    connect                = optional(bool, true)
    name                   = optional(string)
    domain                 = optional(string)
    keys_ssm_parameter_arn = optional(string)
    keys_secret_arn        = optional(string)
    keys_kms_key_arn       = optional(string)
  })
  default = null

  validation {
    condition     = var.session_cookie == null ? true : !var.session_cookie.connect || var.auth_mode == "jwt"
    error_message = "session_cookie.connect applies to auth_mode = \"jwt\" only (the authorizer authenticates the handshake); set it to false to only create the key set."
  }

  validation {
    condition     = var.session_cookie == null ? true : !(var.session_cookie.connect && contains(var.allowed_origins, "*"))
    error_message = "session_cookie.connect must not be true while allowed_origins is [\"*\"]: a browser sends the cookie with any page's handshake, and only the Origin check keeps a foreign page from riding on it. List the origins allowed to connect."
  }

  validation {
    condition     = var.session_cookie == null ? true : var.session_cookie.name == null || can(regex("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$", var.session_cookie.name))
    error_message = "session_cookie.name must be 1-64 cookie-name characters (letters, digits, ! # $ % & ' * + - . ^ _ ` | ~)."
  }

  validation {
    condition     = var.session_cookie == null ? true : var.session_cookie.domain == null || can(regex("^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$", var.session_cookie.domain))
    error_message = "session_cookie.domain must be a host name (labels of letters, digits and -, no leading dot)."
  }

  validation {
    condition     = var.session_cookie == null ? true : var.session_cookie.domain == null || var.session_cookie.name == null || !startswith(lower(var.session_cookie.name == null ? "" : var.session_cookie.name), "__host-")
    error_message = "session_cookie.domain must be null for a __Host- cookie name: browsers drop a __Host- cookie with a Domain."
  }

  validation {
    condition     = var.session_cookie == null ? true : var.session_cookie.keys_ssm_parameter_arn == null || var.session_cookie.keys_secret_arn == null
    error_message = "session_cookie.keys_ssm_parameter_arn and session_cookie.keys_secret_arn are alternatives: give at most one."
  }

  validation {
    condition     = var.session_cookie == null ? true : var.session_cookie.keys_ssm_parameter_arn == null || can(regex(local.arn_patterns.ssm_parameter, var.session_cookie.keys_ssm_parameter_arn))
    error_message = "session_cookie.keys_ssm_parameter_arn must be an SSM parameter ARN (arn:<partition>:ssm:<region>:<account>:parameter/<name>), not a parameter name."
  }

  validation {
    condition     = var.session_cookie == null ? true : var.session_cookie.keys_secret_arn == null || can(regex(local.arn_patterns.secretsmanager_secret, var.session_cookie.keys_secret_arn))
    error_message = "session_cookie.keys_secret_arn must be a Secrets Manager secret's full ARN, with the 6-character suffix AWS appends, so that IAM can grant exactly that secret."
  }

  validation {
    condition     = var.session_cookie == null ? true : var.session_cookie.keys_kms_key_arn == null || (can(regex(local.arn_patterns.kms_key, var.session_cookie.keys_kms_key_arn)) && (var.session_cookie.keys_ssm_parameter_arn != null || var.session_cookie.keys_secret_arn != null))
    error_message = "session_cookie.keys_kms_key_arn must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), and applies to a key set of yours only (keys_ssm_parameter_arn or keys_secret_arn)."
  }
}

variable "session_cookie_key_version" {
  description = "Version of the session cookie key set the module creates (/<name>/session-cookie-keys; ignored with session_cookie.keys_ssm_parameter_arn or keys_secret_arn): its one key's id is v<version>. Terraform writes a new random key exactly when this number changes; every cookie sealed so far is then refused (unknown_key) and its user signs in again. For a rotation that keeps old cookies, keep the key set yourself and follow COOKIE.md's three steps. A whole number from 1."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = floor(var.session_cookie_key_version) == var.session_cookie_key_version && var.session_cookie_key_version >= 1
    error_message = "session_cookie_key_version must be a whole number from 1."
  }
}

variable "access_token_key" {
  description = <<-EOT
    The HS256 secret the user sessions' access tokens are signed with (createAccessTokens,
    loadSigningKey in packages/sessions) and verified with, used when jwt sets no key source of its
    own. Both fields null (the default): the module creates the SecureString /<name>/access-token-key
    with a random 44-character secret, written write-only (access_token_key_version replaces it).
    Or ssm_parameter_arn / secret_arn (at most one): yours, of at least 32 bytes, optionally encrypted
    with the customer managed KMS key kms_key_arn. The access_token_key output says where it is; the
    session_keys policy reads it.
  EOT
  type = object({
    ssm_parameter_arn = optional(string)
    secret_arn        = optional(string)
    kms_key_arn       = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.access_token_key.ssm_parameter_arn == null || var.access_token_key.secret_arn == null
    error_message = "access_token_key.ssm_parameter_arn and access_token_key.secret_arn are alternatives: give at most one."
  }

  validation {
    condition     = var.access_token_key.ssm_parameter_arn == null || can(regex(local.arn_patterns.ssm_parameter, var.access_token_key.ssm_parameter_arn))
    error_message = "access_token_key.ssm_parameter_arn must be an SSM parameter ARN (arn:<partition>:ssm:<region>:<account>:parameter/<name>), not a parameter name."
  }

  validation {
    condition     = var.access_token_key.secret_arn == null || can(regex(local.arn_patterns.secretsmanager_secret, var.access_token_key.secret_arn))
    error_message = "access_token_key.secret_arn must be a Secrets Manager secret's full ARN, with the 6-character suffix AWS appends, so that IAM can grant exactly that secret."
  }

  validation {
    condition     = var.access_token_key.kms_key_arn == null || (can(regex(local.arn_patterns.kms_key, var.access_token_key.kms_key_arn)) && (var.access_token_key.ssm_parameter_arn != null || var.access_token_key.secret_arn != null))
    error_message = "access_token_key.kms_key_arn must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), and applies to a key of yours only (ssm_parameter_arn or secret_arn)."
  }

  validation {
    condition     = (var.access_token_key.ssm_parameter_arn == null && var.access_token_key.secret_arn == null) || (var.jwt == null ? false : var.jwt.jwks_url == null && var.jwt.key_ssm_parameter_arn == null && var.jwt.key_secret_arn == null)
    error_message = "access_token_key applies when jwt is set without a key source of its own (jwks_url, key_ssm_parameter_arn, key_secret_arn): otherwise tokens are verified with that source and the key would be unused."
  }
}

variable "access_token_key_version" {
  description = "Version of the access-token key the module creates (/<name>/access-token-key; used when jwt sets no key source and access_token_key gives none). Terraform writes a new random secret exactly when this number changes; every access token issued so far is then refused, and clients renew theirs with their refresh token. A whole number from 1."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = floor(var.access_token_key_version) == var.access_token_key_version && var.access_token_key_version >= 1
    error_message = "access_token_key_version must be a whole number from 1."
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
  description = "ARN of a customer managed KMS key (in the stack's Region) encrypting the table, both fan-out queues (unless fanout.kms_key_arn names another key), every log group (the functions' and the access log) and the SSM parameters the module creates (the resume-token key, the session cookie key set and the access-token key). null (the default) uses AWS managed encryption everywhere. The functions' roles get the key's use through DynamoDB, SQS and SSM only (kms:ViaService); the key policy must allow the account's IAM policies (the default key policy does) and the CloudWatch Logs service principal logs.<region>.amazonaws.com (see docs/terraform.md)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex(local.arn_patterns.kms_key, var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

# --- Functions --------------------------------------------------------------------------

variable "tracing_enabled" {
  description = "Whether every function traces with AWS X-Ray (Lambda active tracing; each role gets AWSXRayDaemonWriteAccess). API Gateway traces REST APIs only, so a trace starts at the function, not at the WebSocket API. Traces are billed per segment recorded; false (the default) leaves Lambda's PassThrough."
  type        = bool
  default     = false
  nullable    = false
}

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
  description = "Timeout in seconds (1-29) of every function but fanout, whose timeout is fanout.timeout_seconds. API Gateway waits at most 29 seconds for an integration, so a longer timeout would only let a function run on after its caller gave up."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.lambda_timeout >= 1 && var.lambda_timeout <= 29 && floor(var.lambda_timeout) == var.lambda_timeout
    error_message = "lambda_timeout must be a whole number of seconds between 1 and 29 (API Gateway's integration timeout)."
  }
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for functions, keyed by function (authorizer, connect, disconnect, fanout, message, sweeper); a function not listed is unreserved (the default for all) and shares the account's pool. A reservation both guarantees the function that many executions and caps it there: for example { message = 200 } keeps a flood of frames from starving $connect, and caps what the message function can cost. Each value is a whole number from 1 (0 would throttle every invocation); fanout's must be at least fanout.maximum_concurrency, or its event source mapping starts invocations Lambda throttles."
  type        = map(number)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for fn in keys(var.reserved_concurrency) : contains(["authorizer", "connect", "disconnect", "fanout", "message", "sweeper"], fn)])
    error_message = "reserved_concurrency keys must be functions of the stack: authorizer, connect, disconnect, fanout, message or sweeper."
  }

  validation {
    condition     = alltrue([for value in values(var.reserved_concurrency) : floor(value) == value && value >= 1])
    error_message = "reserved_concurrency values must be whole numbers from 1: 0 would throttle every invocation of the function."
  }

  validation {
    condition     = lookup(var.reserved_concurrency, "fanout", null) == null || lookup(var.reserved_concurrency, "fanout", 0) >= var.fanout.maximum_concurrency
    error_message = "reserved_concurrency.fanout must be at least fanout.maximum_concurrency: the queue's event source mapping would start invocations that Lambda throttles."
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

variable "max_connections_per_user" {
  description = "Live connections one user may hold; one more handshake is refused with 403 (and in two-phase mode one more `auth` with RATE_LIMITED and a close). Kept on a counter item per user, updated in the same transaction as the connection item, so it holds under races. 0 turns it off (and saves the counter's reads and writes)."
  type        = number
  default     = 10

  validation {
    condition     = floor(var.max_connections_per_user) == var.max_connections_per_user && var.max_connections_per_user >= 0 && var.max_connections_per_user <= 10000
    error_message = "max_connections_per_user must be a whole number from 0 to 10000."
  }
}

variable "handshake_rate_limit" {
  description = "Per-source-IP handshake limit: at most `handshakes` WebSocket handshakes from one IP per fixed window of `window_seconds` reach the connect function; more are refused with 429. Counted on a table item per IP and window (one UpdateItem per handshake). handshakes = 0 (the default) turns it off. Handshakes the authorizer refuses are not counted."
  type = object({
    handshakes     = optional(number, 0)
    window_seconds = optional(number, 60)
  })
  default  = {}
  nullable = false

  validation {
    condition     = floor(var.handshake_rate_limit.handshakes) == var.handshake_rate_limit.handshakes && var.handshake_rate_limit.handshakes >= 0 && var.handshake_rate_limit.handshakes <= 1000000
    error_message = "handshake_rate_limit.handshakes must be a whole number from 0 to 1000000."
  }

  validation {
    condition     = floor(var.handshake_rate_limit.window_seconds) == var.handshake_rate_limit.window_seconds && var.handshake_rate_limit.window_seconds >= 1 && var.handshake_rate_limit.window_seconds <= 3600
    error_message = "handshake_rate_limit.window_seconds must be a whole number from 1 to 3600."
  }
}

variable "message_rate_limit" {
  description = "Per-connection message budget: at most `messages` per fixed window of `window_seconds`. Over it a client gets RATE_LIMITED frames; at twice the budget the connection is closed. messages = 0 turns it off (and saves the UpdateItem it costs per message)."
  type = object({
    messages       = optional(number, 100)
    window_seconds = optional(number, 10)
  })
  default = {}

  validation {
    condition     = floor(var.message_rate_limit.messages) == var.message_rate_limit.messages && var.message_rate_limit.messages >= 0 && var.message_rate_limit.messages <= 100000
    error_message = "message_rate_limit.messages must be a whole number from 0 to 100000."
  }

  validation {
    condition     = floor(var.message_rate_limit.window_seconds) == var.message_rate_limit.window_seconds && var.message_rate_limit.window_seconds >= 1 && var.message_rate_limit.window_seconds <= 3600
    error_message = "message_rate_limit.window_seconds must be a whole number from 1 to 3600."
  }
}

variable "action_permissions" {
  description = "Actions that need a role: a connection whose identity has none of the listed roles gets FORBIDDEN. Actions not listed are open to every connection. Roles come from the JWT's roles claim; anonymous connections have none. The default { broadcast = [\"admin\"] } keeps pushing to every connection of the stack for admins; a map you set replaces it whole, so list broadcast in it to keep that guard, and {} opens every action to every connection."
  type        = map(list(string))
  default     = { broadcast = ["admin"] }
  nullable    = false

  validation {
    condition     = alltrue([for action in keys(var.action_permissions) : can(regex("^[A-Za-z][A-Za-z0-9._-]{0,63}$", action))])
    error_message = "action_permissions keys must be actions: a letter, then up to 63 of A-Z a-z 0-9 . _ -."
  }

  validation {
    condition     = alltrue([for roles in values(var.action_permissions) : length(roles) > 0 && alltrue([for role in roles : can(regex("^[^\\s]{1,64}$", role))])])
    error_message = "action_permissions values must be non-empty lists of roles of 1-64 characters without spaces."
  }
}

# --- Channels and fan-out ---------------------------------------------------------------

variable "fanout" {
  description = <<-EOT
    The fan-out path: the FIFO queue <name>-fanout.fifo (with its dead-letter queue
    <name>-fanout-dlq.fifo) that services and the message function publish to, and the fanout
    function consuming it (see docs/fanout.md). Every field is optional:
    - concurrency (1-200, default 16): posts in flight per invocation (FANOUT_CONCURRENCY);
    - chunk_size (1-1000, default 250): connection ids per deliver record (FANOUT_CHUNK_SIZE);
    - one_hop_max (0-1000, default 100): the largest audience the planner posts to itself instead of
      through deliver records, at most chunk_size; 0: always deliver records (FANOUT_ONE_HOP_MAX);
    - partitions (1-64, default 8): deliver message groups per channel, delivered in parallel (FANOUT_PARTITIONS);
    - retry_attempts (1-10, default 3): tries per post on 429, 5xx or a network error (FANOUT_RETRY_ATTEMPTS);
    - batch_size (1-10, default 10): records per invocation (10 is the maximum for a FIFO queue);
    - maximum_concurrency (2-1000, default 10): most concurrent invocations the queue starts;
    - max_receive_count (1-1000, default 5): receives before SQS moves a record to the dead-letter queue;
    - timeout_seconds (1-900, default 60): the fanout function's timeout; the queue's visibility
      timeout is six times it;
    - kms_key_arn (default null: SQS managed keys): a customer managed KMS key encrypting both queues;
    - message_retention_seconds (60-1209600, default 345600, 4 days): how long the queue keeps a
      record, and how long the fanout function remembers delivered ones (DELIVERY_LEDGER_TTL_SECONDS);
    - oldest_message_alarm_seconds (60 up to message_retention_seconds, default 300): the age of the
      oldest queued record above which the backlog alarm fires.
  EOT
  type = object({
    concurrency                  = optional(number, 16)
    chunk_size                   = optional(number, 250)
    one_hop_max                  = optional(number, 100)
    partitions                   = optional(number, 8)
    retry_attempts               = optional(number, 3)
    batch_size                   = optional(number, 10)
    maximum_concurrency          = optional(number, 10)
    max_receive_count            = optional(number, 5)
    timeout_seconds              = optional(number, 60)
    kms_key_arn                  = optional(string)
    message_retention_seconds    = optional(number, 345600)
    oldest_message_alarm_seconds = optional(number, 300)
  })
  default  = {}
  nullable = false

  validation {
    condition     = floor(var.fanout.concurrency) == var.fanout.concurrency && var.fanout.concurrency >= 1 && var.fanout.concurrency <= 200
    error_message = "fanout.concurrency must be a whole number from 1 to 200."
  }

  validation {
    condition     = floor(var.fanout.chunk_size) == var.fanout.chunk_size && var.fanout.chunk_size >= 1 && var.fanout.chunk_size <= 1000
    error_message = "fanout.chunk_size must be a whole number from 1 to 1000."
  }

  validation {
    condition     = floor(var.fanout.one_hop_max) == var.fanout.one_hop_max && var.fanout.one_hop_max >= 0 && var.fanout.one_hop_max <= 1000
    error_message = "fanout.one_hop_max must be a whole number from 0 to 1000."
  }

  validation {
    condition     = floor(var.fanout.partitions) == var.fanout.partitions && var.fanout.partitions >= 1 && var.fanout.partitions <= 64
    error_message = "fanout.partitions must be a whole number from 1 to 64."
  }

  validation {
    condition     = floor(var.fanout.retry_attempts) == var.fanout.retry_attempts && var.fanout.retry_attempts >= 1 && var.fanout.retry_attempts <= 10
    error_message = "fanout.retry_attempts must be a whole number from 1 to 10."
  }

  validation {
    condition     = floor(var.fanout.batch_size) == var.fanout.batch_size && var.fanout.batch_size >= 1 && var.fanout.batch_size <= 10
    error_message = "fanout.batch_size must be a whole number from 1 to 10 (the maximum for a FIFO queue)."
  }

  validation {
    condition     = floor(var.fanout.maximum_concurrency) == var.fanout.maximum_concurrency && var.fanout.maximum_concurrency >= 2 && var.fanout.maximum_concurrency <= 1000
    error_message = "fanout.maximum_concurrency must be a whole number from 2 to 1000 (Lambda's range for SQS event sources)."
  }

  validation {
    condition     = floor(var.fanout.max_receive_count) == var.fanout.max_receive_count && var.fanout.max_receive_count >= 1 && var.fanout.max_receive_count <= 1000
    error_message = "fanout.max_receive_count must be a whole number from 1 to 1000."
  }

  validation {
    condition     = floor(var.fanout.timeout_seconds) == var.fanout.timeout_seconds && var.fanout.timeout_seconds >= 1 && var.fanout.timeout_seconds <= 900
    error_message = "fanout.timeout_seconds must be a whole number of seconds from 1 to 900 (Lambda's maximum)."
  }

  validation {
    condition     = var.fanout.kms_key_arn == null || can(regex(local.arn_patterns.kms_key, var.fanout.kms_key_arn))
    error_message = "fanout.kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias."
  }

  validation {
    condition     = floor(var.fanout.message_retention_seconds) == var.fanout.message_retention_seconds && var.fanout.message_retention_seconds >= 60 && var.fanout.message_retention_seconds <= 1209600
    error_message = "fanout.message_retention_seconds must be a whole number of seconds from 60 to 1209600 (14 days)."
  }

  validation {
    condition     = floor(var.fanout.oldest_message_alarm_seconds) == var.fanout.oldest_message_alarm_seconds && var.fanout.oldest_message_alarm_seconds >= 60 && var.fanout.oldest_message_alarm_seconds <= var.fanout.message_retention_seconds
    error_message = "fanout.oldest_message_alarm_seconds must be a whole number of seconds from 60 up to fanout.message_retention_seconds: a record never gets older than the queue keeps it."
  }
}

variable "channel_log_retention_seconds" {
  description = "Seconds a channel's log keeps each message published to it (CHANNEL_LOG_RETENTION_SECONDS of the message and fanout functions): the TTL of the channel's SEQ# items is publishedAt + this. 60-1209600, default 3600."
  type        = number
  default     = 3600
  nullable    = false

  validation {
    condition     = floor(var.channel_log_retention_seconds) == var.channel_log_retention_seconds && var.channel_log_retention_seconds >= 60 && var.channel_log_retention_seconds <= 1209600
    error_message = "channel_log_retention_seconds must be a whole number of seconds from 60 to 1209600 (14 days)."
  }
}

variable "max_payload_bytes" {
  description = "Largest serialized `data` of a published message in bytes (MAX_PAYLOAD_BYTES of the message and fanout functions); larger ones are refused (clients get PAYLOAD_TOO_LARGE). 1-120000, default 32768: a frame must stay under API Gateway's 128 KB message limit with its envelope."
  type        = number
  default     = 32768
  nullable    = false

  validation {
    condition     = floor(var.max_payload_bytes) == var.max_payload_bytes && var.max_payload_bytes >= 1 && var.max_payload_bytes <= 120000
    error_message = "max_payload_bytes must be a whole number of bytes from 1 to 120000."
  }
}

variable "max_subscriptions_per_connection" {
  description = "Channels one connection may subscribe to (MAX_SUBSCRIPTIONS_PER_CONNECTION of the message function); one more subscribe is refused. 0-1000, default 50; 0 allows none."
  type        = number
  default     = 50
  nullable    = false

  validation {
    condition     = floor(var.max_subscriptions_per_connection) == var.max_subscriptions_per_connection && var.max_subscriptions_per_connection >= 0 && var.max_subscriptions_per_connection <= 1000
    error_message = "max_subscriptions_per_connection must be a whole number from 0 to 1000."
  }
}

# --- Alarms -----------------------------------------------------------------------------

variable "alarms_enabled" {
  description = "Whether the stack's CloudWatch alarms are created (monitoring.tf; alarm_names lists them): the fan-out dead-letter queue's depth (> 0), the age of the fan-out queue's oldest record (> fanout.oldest_message_alarm_seconds), every function's errors (> 0) and throttles (> 0), the authorizer's denials, the share of posts answered 410 Gone and resume gaps (thresholds in alarm_thresholds)."
  type        = bool
  default     = true
  nullable    = false
}

variable "alarm_actions" {
  description = "ARNs of the SNS topics the alarms notify when they go to ALARM (alarm_actions). The default [] notifies nobody; the alarms still show in CloudWatch."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.alarm_actions : can(regex(local.arn_patterns.sns_topic, arn))])
    error_message = "alarm_actions entries must be SNS topic ARNs (arn:<partition>:sns:<region>:<account>:<topic>)."
  }
}

variable "alarm_thresholds" {
  description = <<-EOT
    Thresholds of the alarms on the functions' own metrics (alarms_enabled), each over 5 minutes:
    - authorizer_denials (default 100): handshakes the authorizer refused (AuthorizerDenials);
    - stale_connection_percent (default 20): posts answered 410 Gone, in percent of all posts
      (StaleConnections / (Delivered + StaleConnections));
    - resume_gaps (default 10): RESUME_GAP frames sent (ResumeGaps).
  EOT
  type = object({
    authorizer_denials       = optional(number, 100)
    stale_connection_percent = optional(number, 20)
    resume_gaps              = optional(number, 10)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.alarm_thresholds.authorizer_denials >= 1 && var.alarm_thresholds.resume_gaps >= 1 && floor(var.alarm_thresholds.authorizer_denials) == var.alarm_thresholds.authorizer_denials && floor(var.alarm_thresholds.resume_gaps) == var.alarm_thresholds.resume_gaps
    error_message = "alarm_thresholds.authorizer_denials and alarm_thresholds.resume_gaps must be whole numbers from 1."
  }

  validation {
    condition     = var.alarm_thresholds.stale_connection_percent > 0 && var.alarm_thresholds.stale_connection_percent <= 100
    error_message = "alarm_thresholds.stale_connection_percent must be a percentage above 0 and at most 100."
  }
}

variable "dashboard_enabled" {
  description = "Whether a CloudWatch dashboard <name> is created: connections, connects and rejects by reason, messages, deliveries and 410s, fan-out lag, resumes and gaps, sessions, and every function's errors and throttles, from the functions' metrics (modules/metrics.json) and AWS's. false by default (a dashboard is billed monthly beyond the free three)."
  type        = bool
  default     = false
  nullable    = false
}

variable "custom_routes" {
  description = <<-EOT
    Custom routes backed by Lambda functions you deploy yourself, keyed by route key (the value of a
    message's "action" field, ^[A-Za-z][A-Za-z0-9._-]{0,63}$; $connect, $disconnect and $default
    stay the module's, and a key must not also be in additional_route_keys). function_arn: the
    function's ARN, or a qualified ARN (version or alias); the integration's invoke ARN is derived
    from it, and the module grants apigateway.amazonaws.com lambda:InvokeFunction on it with the
    source ARN <execution ARN>/<stage>/<route key>. The function gets the event of a message route
    (requestContext.authorizer holds the connection's identity) and posts to the connection through
    the Management API itself: give its role execute-api:ManageConnections on
    <api_execution_arn>/<stage_name>/POST/@connections/* and whatever table access it needs.
  EOT
  type = map(object({
    function_arn = string
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for key in keys(var.custom_routes) : startswith(key, "$") || can(regex("^[A-Za-z][A-Za-z0-9._-]{0,63}$", key))])
    error_message = "custom_routes keys must start with a letter and hold at most 64 letters, digits, '.', '_' or '-' (^[A-Za-z][A-Za-z0-9._-]{0,63}$)."
  }

  validation {
    condition     = alltrue([for key in keys(var.custom_routes) : !startswith(key, "$")])
    error_message = "custom_routes keys must not start with '$': $connect, $disconnect and $default are the module's own routes."
  }

  validation {
    condition     = length(setintersection(keys(var.custom_routes), var.additional_route_keys)) == 0
    error_message = "custom_routes keys must not also be in additional_route_keys, which routes them to the message function."
  }

  validation {
    condition     = alltrue([for route in values(var.custom_routes) : can(regex(local.arn_patterns.lambda_function_optionally_qualified, route.function_arn))])
    error_message = "custom_routes function_arn must be a Lambda function ARN (arn:<partition>:lambda:<region>:<account>:function:<name>[:<version or alias>])."
  }
}

# --- User sessions ----------------------------------------------------------------------

variable "user_sessions" {
  description = <<-EOT
    The user sessions library (packages/sessions) that your own Lambda functions run against the
    stack's table. null (the default) turns it off: nothing is created and the user_sessions_*
    outputs are null. Given, the module outputs the environment your functions set
    (user_sessions_environment) and a managed policy granting what the library calls on the table
    (user_sessions_policy_arn), and with cache = "redis" an endpoint or a serverless cache.
    Every setting is optional; unset, it is not passed and the library's default applies
    (packages/sessions/README.md and LOGIN.md list them):
    - max_per_user (SESSION_MAX_PER_USER), ttl_seconds, stay_signed_in_ttl_seconds,
      refresh_grace_seconds: the sessions' limit and lifetimes;
    - cache: "dynamodb" or "redis" (SESSION_CACHE); cache_ttl_seconds and redis_timeout_ms apply
      with "redis";
    - login_flow_ttl_seconds, login_max_failures_per_user, login_max_failures_per_ip,
      login_failure_window_seconds, login_lockout_seconds, totp_window_steps: the login coordinator;
    - redis (required with cache = "redis", null otherwise): exactly one of endpoint (a
      redis:// or rediss:// URL of your own Redis) and create_serverless_cache = true, which creates
      an ElastiCache Serverless cache (engine "valkey", the default, or "redis") in subnet_ids of
      vpc_id with a security group that admits its port only from a client security group the module
      also creates (user_sessions_client_security_group_id: attach it to your functions).
  EOT
  type = object({
    max_per_user                 = optional(number)
    ttl_seconds                  = optional(number)
    stay_signed_in_ttl_seconds   = optional(number)
    refresh_grace_seconds        = optional(number)
    cache                        = optional(string)
    cache_ttl_seconds            = optional(number)
    redis_timeout_ms             = optional(number)
    login_flow_ttl_seconds       = optional(number)
    login_max_failures_per_user  = optional(number)
    login_max_failures_per_ip    = optional(number)
    login_failure_window_seconds = optional(number)
    login_lockout_seconds        = optional(number)
    totp_window_steps            = optional(number)
    redis = optional(object({
      endpoint                = optional(string)
      create_serverless_cache = optional(bool, false)
      engine                  = optional(string, "valkey")
      vpc_id                  = optional(string)
      subnet_ids              = optional(list(string), [])
    }))
  })
  default = null

  validation {
    condition     = var.user_sessions == null ? true : var.user_sessions.max_per_user == null ? true : var.user_sessions.max_per_user >= 1 && var.user_sessions.max_per_user <= 20 && floor(var.user_sessions.max_per_user) == var.user_sessions.max_per_user
    error_message = "user_sessions.max_per_user must be null or a whole number from 1 to 20 (SESSION_MAX_PER_USER)."
  }

  validation {
    condition     = var.user_sessions == null ? true : var.user_sessions.ttl_seconds == null ? true : var.user_sessions.ttl_seconds >= 300 && var.user_sessions.ttl_seconds <= 2592000 && floor(var.user_sessions.ttl_seconds) == var.user_sessions.ttl_seconds
    error_message = "user_sessions.ttl_seconds must be null or a whole number from 300 to 2592000 (SESSION_TTL_SECONDS)."
  }

  validation {
    condition     = var.user_sessions == null ? true : var.user_sessions.stay_signed_in_ttl_seconds == null ? true : var.user_sessions.stay_signed_in_ttl_seconds >= 300 && var.user_sessions.stay_signed_in_ttl_seconds <= 31536000 && floor(var.user_sessions.stay_signed_in_ttl_seconds) == var.user_sessions.stay_signed_in_ttl_seconds
    error_message = "user_sessions.stay_signed_in_ttl_seconds must be null or a whole number from 300 to 31536000 (SESSION_STAY_SIGNED_IN_TTL_SECONDS)."
  }

  validation {
    condition     = var.user_sessions == null ? true : var.user_sessions.refresh_grace_seconds == null ? true : var.user_sessions.refresh_grace_seconds >= 0 && var.user_sessions.refresh_grace_seconds <= 300 && floor(var.user_sessions.refresh_grace_seconds) == var.user_sessions.refresh_grace_seconds
    error_message = "user_sessions.refresh_grace_seconds must be null or a whole number from 0 to 300 (SESSION_REFRESH_GRACE_SECONDS)."
  }

  validation {
    condition     = var.user_sessions == null ? true : var.user_sessions.redis_timeout_ms == null ? true : var.user_sessions.redis_timeout_ms >= 5 && var.user_sessions.redis_timeout_ms <= 5000 && floor(var.user_sessions.redis_timeout_ms) == var.user_sessions.redis_timeout_ms
    error_message = "user_sessions.redis_timeout_ms must be null or a whole number from 5 to 5000 (SESSION_REDIS_TIMEOUT_MS)."
  }

  validation {
    condition     = var.user_sessions == null ? true : var.user_sessions.cache_ttl_seconds == null ? true : var.user_sessions.cache_ttl_seconds >= 1 && var.user_sessions.cache_ttl_seconds <= 86400 && floor(var.user_sessions.cache_ttl_seconds) == var.user_sessions.cache_ttl_seconds
    error_message = "user_sessions.cache_ttl_seconds must be null or a whole number from 1 to 86400 (SESSION_CACHE_TTL_SECONDS)."
  }

  validation {
    condition     = var.user_sessions == null ? true : var.user_sessions.login_flow_ttl_seconds == null ? true : var.user_sessions.login_flow_ttl_seconds >= 300 && var.user_sessions.login_flow_ttl_seconds <= 600 && floor(var.user_sessions.login_flow_ttl_seconds) == var.user_sessions.login_flow_ttl_seconds
    error_message = "user_sessions.login_flow_ttl_seconds must be null or a whole number from 300 to 600 (LOGIN_FLOW_TTL_SECONDS)."
  }

  validation {
    condition     = var.user_sessions == null ? true : var.user_sessions.login_max_failures_per_user == null ? true : var.user_sessions.login_max_failures_per_user >= 1 && var.user_sessions.login_max_failures_per_user <= 100 && floor(var.user_sessions.login_max_failures_per_user) == var.user_sessions.login_max_failures_per_user
    error_message = "user_sessions.login_max_failures_per_user must be null or a whole number from 1 to 100 (LOGIN_MAX_FAILURES_PER_USER)."
  }

  validation {
    condition     = var.user_sessions == null ? true : var.user_sessions.login_max_failures_per_ip == null ? true : var.user_sessions.login_max_failures_per_ip >= 1 && var.user_sessions.login_max_failures_per_ip <= 100000 && floor(var.user_sessions.login_max_failures_per_ip) == var.user_sessions.login_max_failures_per_ip
    error_message = "user_sessions.login_max_failures_per_ip must be null or a whole number from 1 to 100000 (LOGIN_MAX_FAILURES_PER_IP)."
  }

  validation {
    condition     = var.user_sessions == null ? true : var.user_sessions.login_failure_window_seconds == null ? true : var.user_sessions.login_failure_window_seconds >= 60 && var.user_sessions.login_failure_window_seconds <= 86400 && floor(var.user_sessions.login_failure_window_seconds) == var.user_sessions.login_failure_window_seconds
    error_message = "user_sessions.login_failure_window_seconds must be null or a whole number from 60 to 86400 (LOGIN_FAILURE_WINDOW_SECONDS)."
  }

  validation {
    condition     = var.user_sessions == null ? true : var.user_sessions.login_lockout_seconds == null ? true : var.user_sessions.login_lockout_seconds >= 60 && var.user_sessions.login_lockout_seconds <= 86400 && floor(var.user_sessions.login_lockout_seconds) == var.user_sessions.login_lockout_seconds
    error_message = "user_sessions.login_lockout_seconds must be null or a whole number from 60 to 86400 (LOGIN_LOCKOUT_SECONDS)."
  }

  validation {
    condition     = var.user_sessions == null ? true : var.user_sessions.totp_window_steps == null ? true : var.user_sessions.totp_window_steps >= 0 && var.user_sessions.totp_window_steps <= 2 && floor(var.user_sessions.totp_window_steps) == var.user_sessions.totp_window_steps
    error_message = "user_sessions.totp_window_steps must be null or a whole number from 0 to 2 (TOTP_WINDOW_STEPS)."
  }

  validation {
    condition     = var.user_sessions == null ? true : var.user_sessions.cache == null ? true : contains(["dynamodb", "redis"], var.user_sessions.cache)
    error_message = "user_sessions.cache must be null, \"dynamodb\" or \"redis\" (SESSION_CACHE)."
  }

  validation {
    condition     = var.user_sessions == null ? true : (var.user_sessions.cache == "redis") == (var.user_sessions.redis != null)
    error_message = "user_sessions.redis is required when user_sessions.cache = \"redis\", and must be null otherwise (it would create or name a cache nothing reads)."
  }

  validation {
    condition     = try(var.user_sessions.redis, null) == null ? true : (var.user_sessions.redis.endpoint != null) != var.user_sessions.redis.create_serverless_cache
    error_message = "user_sessions.redis needs exactly one of endpoint and create_serverless_cache = true."
  }

  validation {
    condition     = try(var.user_sessions.redis, null) == null ? true : var.user_sessions.redis.endpoint == null ? true : can(regex("^rediss?://[^\\s/]+(:[0-9]{1,5})?/?$", var.user_sessions.redis.endpoint))
    error_message = "user_sessions.redis.endpoint must be a redis://host:port or rediss://host:port URL (SESSION_REDIS_URL)."
  }

  validation {
    condition     = try(var.user_sessions.redis, null) == null ? true : contains(["valkey", "redis"], var.user_sessions.redis.engine)
    error_message = "user_sessions.redis.engine must be \"valkey\" or \"redis\"."
  }

  validation {
    condition = try(var.user_sessions.redis, null) == null ? true : var.user_sessions.redis.create_serverless_cache ? (
      var.user_sessions.redis.vpc_id != null && length(var.user_sessions.redis.subnet_ids) > 0
      ) : (
      var.user_sessions.redis.vpc_id == null && length(var.user_sessions.redis.subnet_ids) == 0
    )
    error_message = "user_sessions.redis.vpc_id and subnet_ids are required with create_serverless_cache = true, and must be unset with an endpoint of your own (nothing is created in them)."
  }

  validation {
    condition     = try(var.user_sessions.redis, null) == null ? true : var.user_sessions.redis.vpc_id == null || can(regex("^vpc-[0-9a-f]{8,17}$", var.user_sessions.redis.vpc_id))
    error_message = "user_sessions.redis.vpc_id must be a VPC id (vpc-…)."
  }

  validation {
    condition     = try(var.user_sessions.redis, null) == null ? true : alltrue([for id in var.user_sessions.redis.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))]) && length(distinct(var.user_sessions.redis.subnet_ids)) == length(var.user_sessions.redis.subnet_ids)
    error_message = "user_sessions.redis.subnet_ids must be distinct subnet ids (subnet-…)."
  }
}

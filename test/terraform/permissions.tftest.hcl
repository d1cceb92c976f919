# Least privilege, checked against the code: every function's role grants exactly the AWS calls its
# code can make, as the build lists them in dist/manifest.json (`permissions`, computed from the
# source by scripts/sdk-actions.ts). A run fails when a function gains a call its role lacks, or its
# role holds an action, a Query index or a Management API method its code never uses.
#
# Not counted as the code's calls: the `logs` policy (the Lambda runtime writes the logs), kms:*
# (granted with a condition that only the service encrypting a queue or a key may use it), and the
# fanout function's queue-consuming actions (its event source mapping polls the queue with the
# function's role). The SSM and Secrets Manager reads depend on where a key lives, and the
# authorizer's GetItem on whether it checks tokens' sessions (jwt.session_check): each run names
# the reads its configuration does not use (`unused_reads`).

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

variables {
  # Written by `npm run build` beside the packages the module deploys.
  manifest = jsondecode(file("dist/manifest.json"))

  # Actions a role holds that no SDK call of its code sends (see above).
  not_sent_by_code = {
    authorizer = []
    connect    = []
    disconnect = []
    message    = []
    sweeper    = []
    fanout     = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
  }
}

run "each_role_grants_what_its_code_calls_by_default" {
  command = apply

  # Anonymous mode: the authorizer verifies no token, so reads no key; the message function reads
  # the resume-token key from the SSM parameter the module creates.
  variables {
    unused_reads = {
      authorizer = ["dynamodb:GetItem", "secretsmanager:GetSecretValue", "ssm:GetParameter"]
      message    = ["secretsmanager:GetSecretValue"]
    }
  }

  assert {
    condition = alltrue([
      for fn, documents in output.function_role_policy_documents :
      jsonencode(sort(tolist(
        setsubtract(toset(flatten([for concern, document in documents : [for statement in jsondecode(document).Statement : statement.Action] if concern != "logs"])), toset(concat(var.not_sent_by_code[fn], [for action in flatten([for concern, document in documents : [for statement in jsondecode(document).Statement : statement.Action]]) : action if startswith(action, "kms:")])))
        ))) == jsonencode(sort(tolist(
        setsubtract(toset(var.manifest[fn].permissions.actions), toset(lookup(var.unused_reads, fn, [])))
      )))
    ])
    error_message = "Roles and code differ: ${jsonencode({
      for fn, documents in output.function_role_policy_documents : fn => {
        granted = sort(setsubtract(toset(flatten([for concern, document in documents : [for statement in jsondecode(document).Statement : statement.Action] if concern != "logs"])), toset(var.not_sent_by_code[fn])))
        code    = sort(setsubtract(toset(var.manifest[fn].permissions.actions), toset(lookup(var.unused_reads, fn, []))))
      }
    })}"
  }

  assert {
    condition = alltrue([
      for fn, documents in output.function_role_policy_documents :
      jsonencode(sort(tolist(
        toset(flatten([for document in values(documents) : [for statement in jsondecode(document).Statement : statement.Resource if contains(statement.Action, "dynamodb:Query")]]))
        ))) == jsonencode(sort(tolist(
        toset([for index in var.manifest[fn].permissions.queryIndexes : index == "table" ? output.table_arn : "${output.table_arn}/index/${index}"])
      )))
    ])
    error_message = "Query grants and the indexes the code queries differ: ${jsonencode({
      for fn, documents in output.function_role_policy_documents : fn => {
        granted = flatten([for document in values(documents) : [for statement in jsondecode(document).Statement : statement.Resource if contains(statement.Action, "dynamodb:Query")]])
        code    = var.manifest[fn].permissions.queryIndexes
      }
    })}"
  }

  assert {
    condition = alltrue([
      for fn, documents in output.function_role_policy_documents :
      jsonencode(sort(tolist(
        toset(flatten([for document in values(documents) : [for statement in jsondecode(document).Statement : statement.Resource if contains(statement.Action, "execute-api:ManageConnections")]]))
        ))) == jsonencode(sort(tolist(
        toset([for method in var.manifest[fn].permissions.connectionMethods : "${output.api_execution_arn}/${output.stage_name}/${method}/@connections/*"])
      )))
    ])
    error_message = "Management API grants and the methods the code calls differ: ${jsonencode({
      for fn, documents in output.function_role_policy_documents : fn => {
        granted = flatten([for document in values(documents) : [for statement in jsondecode(document).Statement : statement.Resource if contains(statement.Action, "execute-api:ManageConnections")]])
        code    = var.manifest[fn].permissions.connectionMethods
      }
    })}"
  }

  # No statement names a wildcard index: each Query names its index.
  assert {
    condition = alltrue(flatten([
      for documents in output.function_role_policy_documents : [
        for document in values(documents) : [for statement in jsondecode(document).Statement : !anytrue([for resource in statement.Resource : endswith(resource, "/index/*")])]
      ]
    ]))
    error_message = "No role may Query every index (<table ARN>/index/*)."
  }
}

run "each_role_grants_what_its_code_calls_with_static_keys" {
  command   = apply
  state_key = "static_keys"

  # jwt mode with a static key in Secrets Manager and the resume-token key in Secrets Manager too:
  # the authorizer and the message function read secrets, no parameter.
  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms     = ["HS256"]
      key_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chat/jwt-key-AbC123"
    }
    session = {
      key_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chat/resume-key-DeF456"
    }
    unused_reads = {
      authorizer = ["dynamodb:GetItem", "ssm:GetParameter"]
      message    = ["ssm:GetParameter"]
    }
  }

  assert {
    condition = alltrue([
      for fn, documents in output.function_role_policy_documents :
      jsonencode(sort(tolist(
        setsubtract(toset(flatten([for concern, document in documents : [for statement in jsondecode(document).Statement : statement.Action] if concern != "logs"])), toset(concat(var.not_sent_by_code[fn], [for action in flatten([for concern, document in documents : [for statement in jsondecode(document).Statement : statement.Action]]) : action if startswith(action, "kms:")])))
        ))) == jsonencode(sort(tolist(
        setsubtract(toset(var.manifest[fn].permissions.actions), toset(lookup(var.unused_reads, fn, [])))
      )))
    ])
    error_message = "Roles and code differ: ${jsonencode({
      for fn, documents in output.function_role_policy_documents : fn => {
        granted = sort(setsubtract(toset(flatten([for concern, document in documents : [for statement in jsondecode(document).Statement : statement.Action] if concern != "logs"])), toset(var.not_sent_by_code[fn])))
        code    = sort(setsubtract(toset(var.manifest[fn].permissions.actions), toset(lookup(var.unused_reads, fn, []))))
      }
    })}"
  }
}

run "each_role_grants_what_its_code_calls_with_the_session_check" {
  command   = apply
  state_key = "session_check"

  # jwt mode with a JWKS and the sid check on: the authorizer reads a user session (GetItem on
  # the table, and on nothing else) and no key; the message function reads the resume-token key
  # from the SSM parameter the module creates.
  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms    = ["ES256"]
      jwks_url      = "https://id.example.com/.well-known/jwks.json"
      session_check = true
    }
    unused_reads = {
      authorizer = ["secretsmanager:GetSecretValue", "ssm:GetParameter"]
      message    = ["secretsmanager:GetSecretValue"]
    }
  }

  assert {
    condition     = jsonencode(jsondecode(output.function_role_policy_documents.authorizer["session-check"]).Statement[*].Resource) == jsonencode([[output.table_arn]])
    error_message = "The authorizer may read the table itself only, not its indexes."
  }

  assert {
    condition = alltrue([
      for fn, documents in output.function_role_policy_documents :
      jsonencode(sort(tolist(
        setsubtract(toset(flatten([for concern, document in documents : [for statement in jsondecode(document).Statement : statement.Action] if concern != "logs"])), toset(concat(var.not_sent_by_code[fn], [for action in flatten([for concern, document in documents : [for statement in jsondecode(document).Statement : statement.Action]]) : action if startswith(action, "kms:")])))
        ))) == jsonencode(sort(tolist(
        setsubtract(toset(var.manifest[fn].permissions.actions), toset(lookup(var.unused_reads, fn, [])))
      )))
    ])
    error_message = "Roles and code differ: ${jsonencode({
      for fn, documents in output.function_role_policy_documents : fn => {
        granted = sort(setsubtract(toset(flatten([for concern, document in documents : [for statement in jsondecode(document).Statement : statement.Action] if concern != "logs"])), toset(var.not_sent_by_code[fn])))
        code    = sort(setsubtract(toset(var.manifest[fn].permissions.actions), toset(lookup(var.unused_reads, fn, []))))
      }
    })}"
  }
}

run "each_role_grants_what_its_code_calls_with_the_session_cookie" {
  command   = apply
  state_key = "session_cookie"

  # jwt mode with a JWKS and the session cookie accepted on $connect: the authorizer reads a user
  # session (GetItem) and the module's cookie key set (ssm:GetParameter), no secret; the message
  # function reads the resume-token key from the SSM parameter the module creates.
  variables {
    auth_mode       = "jwt"
    allowed_origins = ["https://app.example.com"]
    jwt = {
      algorithms = ["ES256"]
      jwks_url   = "https://id.example.com/.well-known/jwks.json"
    }
    session_cookie = {}
    unused_reads = {
      authorizer = ["secretsmanager:GetSecretValue"]
      message    = ["secretsmanager:GetSecretValue"]
    }
  }

  assert {
    condition = alltrue([
      for fn, documents in output.function_role_policy_documents :
      jsonencode(sort(tolist(
        setsubtract(toset(flatten([for concern, document in documents : [for statement in jsondecode(document).Statement : statement.Action] if concern != "logs"])), toset(concat(var.not_sent_by_code[fn], [for action in flatten([for concern, document in documents : [for statement in jsondecode(document).Statement : statement.Action]]) : action if startswith(action, "kms:")])))
        ))) == jsonencode(sort(tolist(
        setsubtract(toset(var.manifest[fn].permissions.actions), toset(lookup(var.unused_reads, fn, [])))
      )))
    ])
    error_message = "Roles and code differ: ${jsonencode({
      for fn, documents in output.function_role_policy_documents : fn => {
        granted = sort(setsubtract(toset(flatten([for concern, document in documents : [for statement in jsondecode(document).Statement : statement.Action] if concern != "logs"])), toset(var.not_sent_by_code[fn])))
        code    = sort(setsubtract(toset(var.manifest[fn].permissions.actions), toset(lookup(var.unused_reads, fn, []))))
      }
    })}"
  }
}

# The example's teleprinter, a function of its own behind custom_routes, is held to the same rule.
run "teleprinter_role_grants_what_its_code_calls" {
  command = apply

  module {
    source = "./examples/anonymous-resume"
  }

  assert {
    condition = (
      jsonencode(sort(tolist(
        toset(flatten([for concern, document in module.teleprinter.role_policy_documents : [for statement in jsondecode(document).Statement : statement.Action] if concern != "logs"]))
        ))) == jsonencode(sort(tolist(
        toset(var.manifest.teleprinter.permissions.actions)
      )))
    )
    error_message = "The teleprinter's role and code differ: granted ${jsonencode(sort(flatten([for concern, document in module.teleprinter.role_policy_documents : [for statement in jsondecode(document).Statement : statement.Action] if concern != "logs"])))}, code ${jsonencode(var.manifest.teleprinter.permissions.actions)}."
  }

  assert {
    condition = (
      jsonencode(sort(tolist(
        toset(flatten([for document in values(module.teleprinter.role_policy_documents) : [for statement in jsondecode(document).Statement : statement.Resource if contains(statement.Action, "dynamodb:Query")]]))
        ))) == jsonencode(sort(tolist(
        toset([for index in var.manifest.teleprinter.permissions.queryIndexes : index == "table" ? module.websocket_sessions.table_arn : "${module.websocket_sessions.table_arn}/index/${index}"])
      )))
    )
    error_message = "The teleprinter's Query grants and the indexes its code queries differ."
  }
}

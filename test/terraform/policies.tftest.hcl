# Least privilege, offline: applies the root module against the mocked provider (test/terraform/mocks)
# and decodes and compares every function's policy documents exactly.

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

run "policies_grant_only_what_each_function_needs" {
  command = apply

  # Every role: one inline policy per concern.
  assert {
    condition = { for fn, documents in output.function_role_policy_documents : fn => sort(keys(documents)) } == {
      authorizer = tolist(["logs"])
      connect    = tolist(["logs", "table"])
      disconnect = tolist(["logs", "session-expiry", "table"])
      fanout     = tolist(["fanout-queue", "logs", "manage-connections", "table"])
      message    = tolist(["fanout-queue", "logs", "manage-connections", "session-expiry", "session-key", "table"])
      sweeper    = tolist(["logs", "manage-connections", "table"])
    }
    error_message = "Each role must hold exactly its concerns' policies."
  }

  assert {
    condition     = alltrue([for documents in values(output.function_role_policy_documents) : jsondecode(documents.logs) == jsondecode(file("test/terraform/fixtures/policies/logs.json"))])
    error_message = "Each function may only write to its own log group."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.connect.table) == jsondecode(file("test/terraform/fixtures/policies/connect.table.json"))
    error_message = "The connect function may only put items in the table and query the user index."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.disconnect.table) == jsondecode(file("test/terraform/fixtures/policies/disconnect.table.json"))
    error_message = "The disconnect function may only delete and update (marking its session inactive) items of the table, find the connection's subscriptions on GSI1 and batch-delete them."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.message.table) == jsondecode(file("test/terraform/fixtures/policies/message.table.json"))
    error_message = "The message function may only get, query, update and delete items of the table, query GSI1 (a connection's subscriptions), and put (subscribe) and batch-delete (a gone connection's) subscriptions."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.message["manage-connections"]) == jsondecode(file("test/terraform/fixtures/policies/message.manage-connections.json"))
    error_message = "The message function may only post to and close connections of this API's stage."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.sweeper.table) == jsondecode(file("test/terraform/fixtures/policies/sweeper.table.json"))
    error_message = "The sweeper may only query GSI1 (pending connections, token deadlines) and GSI3 (expired sessions, connections near the 2-hour cut), delete, get, put (a moved token deadline) and update items of the table and batch-delete a removed connection's subscriptions."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.sweeper["manage-connections"]) == jsondecode(file("test/terraform/fixtures/policies/sweeper.manage-connections.json"))
    error_message = "The sweeper may only post to and close connections of this API's stage."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.fanout.table) == jsondecode(file("test/terraform/fixtures/policies/fanout.table.json"))
    error_message = "The fanout function may only read and write items of the table (no Scan, no table management) and query its audience indexes GSI1, GSI2 and GSI3."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.fanout["manage-connections"]) == jsondecode(file("test/terraform/fixtures/policies/fanout.manage-connections.json"))
    error_message = "The fanout function may only post to connections of this API's stage: no DELETE, no GET."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.fanout["fanout-queue"]) == jsondecode(file("test/terraform/fixtures/policies/fanout.fanout-queue.json"))
    error_message = "The fanout function may only consume the fan-out queue and send to it and to its dead-letter queue (no KMS grant without fanout.kms_key_arn)."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.message["fanout-queue"]) == jsondecode(file("test/terraform/fixtures/policies/publisher.json"))
    error_message = "The message function may only send to the fan-out queue (not receive from it, not send to its dead-letter queue)."
  }

  # Belt and braces over every document: no wildcard resource, no service-wide action, Allow only.
  assert {
    condition = alltrue(flatten([
      for documents in values(output.function_role_policy_documents) : [
        for document in values(documents) : [
          for statement in jsondecode(document).Statement : [
            statement.Effect == "Allow",
            alltrue([for resource in statement.Resource : resource != "*" && startswith(resource, "arn:")]),
            alltrue([for action in statement.Action : !strcontains(action, "*")]),
          ]
        ]
      ]
    ]))
    error_message = "No policy may grant a \"*\" resource or a wildcard action."
  }

  assert {
    condition     = jsondecode(module.connect.role_assume_role_policy) == jsondecode(file("test/terraform/fixtures/policies/lambda.trust.json"))
    error_message = "Function roles must only be assumable by Lambda."
  }
}

# Resumable sessions, offline: the session settings in the functions' environment, and what punctual
# expiry needs: the disconnect and message functions create and delete one-time schedules
# expire-<session id> in the stack's schedule group, targeting the sweeper with the scheduler's
# execution role, which they may pass to EventBridge Scheduler only; and the key resume tokens are
# signed with, which only the message function reads. The first runs apply the root module; the
# last apply modules/scheduler alone. The validations' rejects_session_… runs are in
# contract.tftest.hcl with the others.

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

run "expiry_schedules_are_wired_by_default" {
  command = apply

  assert {
    condition = { for key, value in output.function_environment_variables.disconnect : key => value if startswith(key, "SESSION_") } == {
      SESSION_RESUME_WINDOW_SECONDS = "120"
      SESSION_SCHEDULE_GROUP        = "websocket-sessions"
      SESSION_SCHEDULER_ROLE_ARN    = "arn:aws:iam::123456789012:role/websocket-sessions-scheduler"
      SESSION_EXPIRY_TARGET_ARN     = "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
    }
    error_message = "The disconnect function must get the default resume window, the schedule group, the scheduler's role and the sweeper's ARN, and no resume token key."
  }

  assert {
    condition = { for key, value in output.function_environment_variables.message : key => value if startswith(key, "SESSION_") } == {
      SESSION_RESUME_WINDOW_SECONDS = "120"
      SESSION_HEARTBEAT_SECONDS     = "60"
      SESSION_SCHEDULE_GROUP        = "websocket-sessions"
      SESSION_SCHEDULER_ROLE_ARN    = "arn:aws:iam::123456789012:role/websocket-sessions-scheduler"
      SESSION_EXPIRY_TARGET_ARN     = "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
      SESSION_KEY_SSM_PARAMETER     = "/websocket-sessions/session-resume-key"
      SESSION_RESUME                = "token"
    }
    error_message = "The message function must get the disconnect function's session settings and the heartbeat period, plus the module's resume token key parameter and the default resume mode (token)."
  }

  assert {
    condition = (
      output.function_environment_variables.disconnect.SESSION_SCHEDULE_GROUP == output.schedule_group_name &&
      output.function_environment_variables.disconnect.SESSION_SCHEDULER_ROLE_ARN == output.scheduler_role_arn &&
      output.function_environment_variables.disconnect.SESSION_EXPIRY_TARGET_ARN == output.function_arns.sweeper
    )
    error_message = "The expiry settings must be the stack's own schedule group, scheduler role and sweeper."
  }

  assert {
    condition = { for key, value in output.function_environment_variables.sweeper : key => value if startswith(key, "SESSION_") } == {
      SESSION_RESUME_WINDOW_SECONDS = "120"
      SESSION_GOAWAY_BEFORE_SECONDS = "300"
    }
    error_message = "The sweeper must get the resume window and the goaway lead, and nothing to create schedules with or to read the resume token key."
  }

  assert {
    condition     = alltrue([for fn in ["authorizer", "connect"] : length([for key in keys(output.function_environment_variables[fn]) : key if startswith(key, "SESSION_")]) == 0])
    error_message = "Only the disconnect, message, sweeper and fanout functions take session settings."
  }

  assert {
    condition = { for key, value in output.function_environment_variables.fanout : key => value if startswith(key, "SESSION_") } == {
      SESSION_RESUME_WINDOW_SECONDS = "120"
    }
    error_message = "The fanout function must get the resume window (a connection found gone on a post detaches its session), and nothing to create schedules with: the sweeper purges those sessions."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.disconnect["session-expiry"]) == jsondecode(file("test/terraform/fixtures/policies/disconnect.session-expiry.json"))
    error_message = "The disconnect function may create and delete schedules of the stack's group only, and pass only the scheduler's role, only to EventBridge Scheduler."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.message["session-expiry"]) == jsondecode(file("test/terraform/fixtures/policies/message.session-expiry.json"))
    error_message = "The message function (deleting a resumed session's schedule) may only delete schedules of the stack's group: it creates none and passes no role."
  }

  assert {
    condition     = alltrue([for fn in ["authorizer", "connect", "fanout", "sweeper"] : !contains(keys(output.function_role_policy_documents[fn]), "session-expiry")])
    error_message = "Only the disconnect and message functions may manage expiry schedules."
  }

  # No other statement of any role grants a scheduler or iam action.
  assert {
    condition = alltrue(flatten([
      for fn, documents in output.function_role_policy_documents : [
        for concern, document in documents : [
          for statement in jsondecode(document).Statement : alltrue([
            for action in statement.Action : concern == "session-expiry" || !(startswith(action, "scheduler:") || startswith(action, "iam:"))
          ])
        ]
      ]
    ]))
    error_message = "scheduler:* and iam:* actions may only appear in the session-expiry policies."
  }

  assert {
    condition     = module.scheduler.scheduler_role_arn == module.scheduler.role_arn && module.scheduler.schedule_arn_pattern == "arn:aws:scheduler:us-east-1:123456789012:schedule/websocket-sessions/*"
    error_message = "The scheduler module must output its role as scheduler_role_arn and its schedules' ARN pattern."
  }

  # The role the expiry schedules run with: assumable by EventBridge Scheduler only, for schedules
  # of this group and account (aws:SourceArn is the group's ARN, so one-time schedules in it qualify).
  assert {
    condition     = jsondecode(module.scheduler.role_assume_role_policy) == jsondecode(file("test/terraform/fixtures/policies/scheduler.trust.json"))
    error_message = "The scheduler's role must only be assumable by scheduler.amazonaws.com for schedules of the stack's group and account."
  }

  assert {
    condition     = jsondecode(module.scheduler.role_policy_document) == jsondecode(file("test/terraform/fixtures/policies/scheduler.invoke.json"))
    error_message = "The scheduler's role must invoke the sweeper (the target of the recurring and the expiry schedules), listed once, and nothing else."
  }
}

run "session_settings_reach_the_functions" {
  command = apply

  variables {
    name = "chat"
    session = {
      resume_window_seconds = 600
      heartbeat_seconds     = 30
      goaway_before_seconds = 900
    }
  }

  assert {
    condition = alltrue([for fn in ["disconnect", "message"] : (
      output.function_environment_variables[fn].SESSION_RESUME_WINDOW_SECONDS == "600" &&
      output.function_environment_variables[fn].SESSION_SCHEDULE_GROUP == "chat"
    )])
    error_message = "session.resume_window_seconds and the group named after var.name must reach the disconnect and message functions."
  }

  assert {
    condition     = output.function_environment_variables.message.SESSION_HEARTBEAT_SECONDS == "30" && output.function_environment_variables.sweeper.SESSION_GOAWAY_BEFORE_SECONDS == "900"
    error_message = "session.heartbeat_seconds must reach the message function (it tells clients the period) and session.goaway_before_seconds the sweeper (it sends goaway)."
  }

  assert {
    condition     = output.function_environment_variables.sweeper.SESSION_RESUME_WINDOW_SECONDS == "600" && output.function_environment_variables.fanout.SESSION_RESUME_WINDOW_SECONDS == "600"
    error_message = "session.resume_window_seconds must reach the sweeper and the fanout function (both detach the sessions of connections they find gone)."
  }
}

run "session_accepts_the_bounds" {
  command = plan

  variables {
    session = {
      resume_window_seconds = 1
      heartbeat_seconds     = 540
      goaway_before_seconds = 3600
    }
  }
}

run "session_accepts_the_other_bounds" {
  command = plan

  variables {
    session = {
      resume_window_seconds = 86400
      heartbeat_seconds     = 10
      goaway_before_seconds = 1
    }
  }
}

# --- Resume token key ------------------------------------------------------------------
# The message function signs and checks resume tokens with a key it reads once per container:
# by default a SecureString the module creates, else the parameter or secret given. Only it may
# read the key, and only that key.

run "resume_token_key_is_a_secure_string_parameter_by_default" {
  command = apply

  assert {
    condition     = length(aws_ssm_parameter.session_key) == 1
    error_message = "Without session.key_ssm_parameter_arn or session.key_secret_arn the module must create the key parameter."
  }

  assert {
    condition = (
      aws_ssm_parameter.session_key[0].type == "SecureString" &&
      aws_ssm_parameter.session_key[0].name == "/websocket-sessions/session-resume-key"
    )
    error_message = "The key must be the SecureString /<name>/session-resume-key."
  }

  # The key is written through the write-only value_wo (never stored in the plan or the state) at
  # version session_key_version. The provider's own validation, which runs under the mock too,
  # requires value_wo with value_wo_version and refuses value beside value_wo: this run applying
  # proves the configuration sets no value that would be stored.
  assert {
    condition     = aws_ssm_parameter.session_key[0].value_wo_version == 1 && aws_ssm_parameter.session_key[0].value_wo == null
    error_message = "The generated key must be written write-only (value_wo, version 1 by default), never through value, which the state keeps."
  }

  assert {
    condition     = output.function_environment_variables.message.SESSION_KEY_SSM_PARAMETER == aws_ssm_parameter.session_key[0].name && !contains(keys(output.function_environment_variables.message), "SESSION_KEY_SECRET_ARN")
    error_message = "The message function must be told the created parameter's name, and no secret."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.message["session-key"]) == jsondecode(file("test/terraform/fixtures/policies/session-key.created-parameter.json"))
    error_message = "The message function may only get the created parameter."
  }

  assert {
    condition     = alltrue([for fn in ["authorizer", "connect", "disconnect", "fanout", "sweeper"] : !contains(keys(output.function_role_policy_documents[fn]), "session-key") && !contains(keys(output.function_environment_variables[fn]), "SESSION_KEY_SSM_PARAMETER") && !contains(keys(output.function_environment_variables[fn]), "SESSION_RESUME")])
    error_message = "Only the message function reads the resume token key and takes the resume mode."
  }

  # No other statement of any role grants an ssm or secretsmanager action (anonymous mode has no
  # key-material policy).
  assert {
    condition = alltrue(flatten([
      for fn, documents in output.function_role_policy_documents : [
        for concern, document in documents : [
          for statement in jsondecode(document).Statement : alltrue([
            for action in statement.Action : (fn == "message" && concern == "session-key") || !(startswith(action, "ssm:") || startswith(action, "secretsmanager:"))
          ])
        ]
      ]
    ]))
    error_message = "ssm:* and secretsmanager:* actions may only appear in the message function's session-key policy."
  }
}

# Planned, the key is already nowhere: value_wo reads as null, and no output carries a 72-character
# random value (two uuid()s) or the parameter's value.
run "resume_token_key_is_not_in_the_plan" {
  command = plan

  assert {
    condition     = aws_ssm_parameter.session_key[0].value_wo == null && aws_ssm_parameter.session_key[0].value_wo_version == 1
    error_message = "The planned key parameter must carry its value write-only (value_wo), at value_wo_version 1."
  }

  assert {
    condition     = length(regexall("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", jsonencode(output.function_environment_variables))) == 0
    error_message = "No function's environment may carry the key."
  }
}

# Raising session_key_version is what writes a new key (rotation).
run "resume_token_key_rotates_with_its_version" {
  command = plan

  variables {
    session_key_version = 2
  }

  assert {
    condition     = aws_ssm_parameter.session_key[0].value_wo_version == 2
    error_message = "session_key_version must reach the parameter's value_wo_version, which makes the provider write a new key."
  }
}

# The parameter follows var.name and var.tags, and its ARN (built at plan time from the schedule
# group's) the group's partition, region and account. A state of its own: the mocked provider
# updates resources in place, so the override only reaches a schedule group this run creates.
run "resume_token_key_parameter_follows_the_name_and_the_account" {
  command   = apply
  state_key = "other_account"

  variables {
    name = "chat"
    tags = { team = "realtime" }
  }

  override_resource {
    target = module.scheduler.aws_scheduler_schedule_group.this
    values = {
      arn = "arn:aws-cn:scheduler:cn-north-1:210987654321:schedule-group/chat"
    }
  }

  assert {
    condition     = aws_ssm_parameter.session_key[0].name == "/chat/session-resume-key" && aws_ssm_parameter.session_key[0].tags == tomap({ team = "realtime" })
    error_message = "The key parameter must be named /<name>/session-resume-key and carry var.tags."
  }

  assert {
    condition     = output.function_environment_variables.message.SESSION_KEY_SSM_PARAMETER == "/chat/session-resume-key"
    error_message = "The message function must be told the parameter named after var.name."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.message["session-key"]).Statement[0].Resource == ["arn:aws-cn:ssm:cn-north-1:210987654321:parameter/chat/session-resume-key"]
    error_message = "The parameter's ARN must take the partition, region and account of the stack (the schedule group's ARN) and the parameter's name."
  }
}

run "resume_token_key_may_be_a_parameter_of_your_own" {
  command = apply

  variables {
    session = {
      key_ssm_parameter_arn = "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/resume-key"
    }
  }

  assert {
    condition     = length(aws_ssm_parameter.session_key) == 0
    error_message = "Given session.key_ssm_parameter_arn, the module must create no key parameter."
  }

  assert {
    condition = { for key, value in output.function_environment_variables.message : key => value if startswith(key, "SESSION_KEY_") } == {
      SESSION_KEY_SSM_PARAMETER = "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/resume-key"
    }
    error_message = "The message function must be told the given parameter's ARN (GetParameter takes it as the name), and no secret."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.message["session-key"]) == jsondecode(file("test/terraform/fixtures/policies/session-key.own-parameter.json"))
    error_message = "The message function may only get the given parameter."
  }
}

run "resume_token_key_may_be_a_secret" {
  command = apply

  variables {
    session = {
      key_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:websocket-sessions/resume-key-AbCdEf"
    }
  }

  assert {
    condition     = length(aws_ssm_parameter.session_key) == 0
    error_message = "Given session.key_secret_arn, the module must create no key parameter."
  }

  assert {
    condition = { for key, value in output.function_environment_variables.message : key => value if startswith(key, "SESSION_KEY_") } == {
      SESSION_KEY_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:websocket-sessions/resume-key-AbCdEf"
    }
    error_message = "The message function must be told the secret's ARN, and no parameter."
  }

  assert {
    condition     = jsondecode(output.function_role_policy_documents.message["session-key"]) == jsondecode(file("test/terraform/fixtures/policies/session-key.secret.json"))
    error_message = "The message function may only get the value of the given secret."
  }

  assert {
    condition     = alltrue([for fn in ["authorizer", "connect", "disconnect", "fanout", "sweeper"] : !contains(keys(output.function_role_policy_documents[fn]), "session-key") && !contains(keys(output.function_environment_variables[fn]), "SESSION_KEY_SECRET_ARN")])
    error_message = "Only the message function reads the secret."
  }
}

run "session_resume_by_id_reaches_the_message_function" {
  command = apply

  variables {
    session = {
      resume = "id"
    }
  }

  assert {
    condition     = output.function_environment_variables.message.SESSION_RESUME == "id"
    error_message = "session.resume = \"id\" must reach the message function as SESSION_RESUME."
  }

  assert {
    condition     = alltrue([for fn in ["authorizer", "connect", "disconnect", "fanout", "sweeper"] : !contains(keys(output.function_environment_variables[fn]), "SESSION_RESUME")])
    error_message = "Only the message function resumes sessions: no other function takes SESSION_RESUME."
  }

  # Resuming by id issues no token to check, but the key stays: switching back needs no new one.
  assert {
    condition     = length(aws_ssm_parameter.session_key) == 1 && output.function_environment_variables.message.SESSION_KEY_SSM_PARAMETER == "/websocket-sessions/session-resume-key"
    error_message = "session.resume = \"id\" must not change where the resume token key is."
  }
}

# --- modules/scheduler ---------------------------------------------------------------

run "scheduler_module_lets_its_role_invoke_one_time_schedule_targets" {
  command = apply

  module {
    source = "./modules/scheduler"
  }

  variables {
    name                          = "ws"
    one_time_schedule_target_arns = ["arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper"]
  }

  assert {
    condition     = length(aws_scheduler_schedule.recurring) == 0 && length(aws_iam_role_policy.invoke) == 1
    error_message = "Without recurring schedules the role must still get its invoke policy for the one-time schedules' targets."
  }

  assert {
    condition     = jsondecode(output.role_policy_document).Statement[0].Resource == ["arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper", "arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper:*"]
    error_message = "The role must invoke exactly the one-time schedules' target (and its versions and aliases)."
  }

  assert {
    condition     = output.scheduler_role_arn == aws_iam_role.execution.arn && output.role_arn == aws_iam_role.execution.arn
    error_message = "scheduler_role_arn must be the execution role's ARN."
  }

  assert {
    condition     = output.schedule_arn_pattern == "arn:aws:scheduler:us-east-1:123456789012:schedule/websocket-sessions/*"
    error_message = "schedule_arn_pattern must be the group's ARN with schedule/ in place of schedule-group/, followed by /*."
  }
}

run "scheduler_module_lists_a_function_of_both_kinds_of_schedule_once" {
  command = apply

  module {
    source = "./modules/scheduler"
  }

  variables {
    name = "ws"
    schedules = {
      sweeper = { schedule_expression = "rate(1 minute)", function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper" }
    }
    one_time_schedule_target_arns = ["arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper", "arn:aws:lambda:us-east-1:123456789012:function:ws-reaper"]
  }

  assert {
    condition = jsondecode(output.role_policy_document).Statement[0].Resource == [
      "arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper",
      "arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper:*",
      "arn:aws:lambda:us-east-1:123456789012:function:ws-reaper",
      "arn:aws:lambda:us-east-1:123456789012:function:ws-reaper:*",
    ]
    error_message = "The role must invoke the recurring schedules' functions, then the one-time targets, each once."
  }
}

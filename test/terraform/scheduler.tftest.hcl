# The sweeper and EventBridge Scheduler, offline: applies the root module against the mocked provider
# (test/terraform/mocks) and asserts the sweeper's schedule and the scheduler role's policies; then
# applies modules/scheduler alone to assert its resources.

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

# --- sweeper and scheduler ----------------------------------------------------------

run "sweeper_runs_every_minute_with_a_role_that_may_only_invoke_it" {
  command = apply

  assert {
    condition     = output.schedule_group_name == "websocket-sessions" && output.schedule_group_arn == "arn:aws:scheduler:us-east-1:123456789012:schedule-group/websocket-sessions"
    error_message = "The module must own a schedule group named after var.name."
  }

  assert {
    condition     = output.scheduler_role_arn == "arn:aws:iam::123456789012:role/websocket-sessions-scheduler" && module.scheduler.role_name == "websocket-sessions-scheduler"
    error_message = "scheduler_role_arn must be the scheduler's execution role, named <name>-scheduler."
  }

  assert {
    condition = module.scheduler.schedules == {
      sweeper = {
        name                      = "websocket-sessions-sweeper"
        arn                       = "arn:aws:scheduler:us-east-1:123456789012:schedule/websocket-sessions/websocket-sessions-sweeper"
        group_name                = "websocket-sessions"
        schedule_expression       = "rate(1 minute)"
        flexible_time_window_mode = "OFF"
        target_arn                = "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
        target_role_arn           = "arn:aws:iam::123456789012:role/websocket-sessions-scheduler"
      }
    }
    error_message = "Exactly one schedule, <name>-sweeper in the group, must invoke the sweeper function every minute on time with the scheduler's role."
  }

  assert {
    condition     = jsondecode(module.scheduler.role_assume_role_policy) == jsondecode(file("test/terraform/fixtures/policies/scheduler.trust.json"))
    error_message = "The scheduler's role must only be assumable by EventBridge Scheduler for schedules of this group and account."
  }

  assert {
    condition     = jsondecode(module.scheduler.role_policy_document) == jsondecode(file("test/terraform/fixtures/policies/scheduler.invoke.json"))
    error_message = "The scheduler's role may only invoke the sweeper function (and its versions and aliases)."
  }

  assert {
    condition     = output.function_arns.sweeper == "arn:aws:lambda:us-east-1:123456789012:function:websocket-sessions-sweeper"
    error_message = "function_arns must include the sweeper."
  }

  assert {
    condition     = output.function_source_code_hashes.sweeper == filebase64sha256("dist/sweeper.zip")
    error_message = "The sweeper must be deployed from dist/sweeper.zip."
  }
}

run "sweeper_schedule_expression_reaches_the_schedule" {
  command = apply

  variables {
    name                        = "chat"
    sweeper_schedule_expression = "cron(0/5 * * * ? *)"
  }

  assert {
    condition     = module.scheduler.schedules.sweeper.schedule_expression == "cron(0/5 * * * ? *)" && module.scheduler.schedules.sweeper.name == "chat-sweeper"
    error_message = "sweeper_schedule_expression must reach the <name>-sweeper schedule."
  }

  assert {
    condition     = output.schedule_group_name == "chat" && module.scheduler.schedules.sweeper.group_name == "chat"
    error_message = "The schedule must live in the group named after var.name."
  }
}

run "scheduler_module_creates_the_group_schedules_and_role" {
  command = apply

  module {
    source = "./modules/scheduler"
  }

  variables {
    name = "ws"
    schedules = {
      sweeper = {
        schedule_expression = "rate(5 minutes)"
        function_arn        = "arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper"
        description         = "Sweeps."
      }
      report = {
        schedule_expression = "cron(0 6 * * ? *)"
        function_arn        = "arn:aws:lambda:us-east-1:123456789012:function:ws-report"
      }
    }
  }

  assert {
    condition     = aws_scheduler_schedule_group.this.name == "ws" && aws_iam_role.execution.name == "ws-scheduler"
    error_message = "The group must be named var.name and the role <name>-scheduler."
  }

  assert {
    condition = alltrue([
      for key, schedule in aws_scheduler_schedule.recurring :
      schedule.name == "ws-${key}" && schedule.group_name == "ws" && schedule.flexible_time_window[0].mode == "OFF"
      && schedule.target[0].arn == var.schedules[key].function_arn && schedule.target[0].role_arn == aws_iam_role.execution.arn
      && schedule.schedule_expression == var.schedules[key].schedule_expression && schedule.state == "ENABLED"
    ])
    error_message = "Every schedule must be <name>-<key> in the group, enabled, on time, and invoke its function with the execution role."
  }

  assert {
    condition     = aws_scheduler_schedule.recurring["sweeper"].description == "Sweeps." && aws_scheduler_schedule.recurring["report"].description == ""
    error_message = "description must reach the schedule."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.invoke[0].policy).Statement[0].Resource == [
      "arn:aws:lambda:us-east-1:123456789012:function:ws-report",
      "arn:aws:lambda:us-east-1:123456789012:function:ws-report:*",
      "arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper",
      "arn:aws:lambda:us-east-1:123456789012:function:ws-sweeper:*",
    ]
    error_message = "The role may invoke exactly the schedules' functions, with their qualifiers."
  }
}

run "scheduler_module_without_schedules_grants_nothing" {
  command = apply

  module {
    source = "./modules/scheduler"
  }

  variables {
    name = "ws"
  }

  assert {
    condition     = length(aws_iam_role_policy.invoke) == 0 && length(aws_scheduler_schedule.recurring) == 0 && output.role_policy_document == null
    error_message = "Without schedules the role must get no invoke policy (an empty Resource list is not a valid policy)."
  }
}

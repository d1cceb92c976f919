locals {
  # One pattern per ARN kind, shared by every validation of the root module and the submodules.
  arn_patterns = jsondecode(file("${path.module}/../arn-patterns.json"))

  # arn:<partition>:scheduler:<region>:<account>:schedule-group/<name>. The account comes from the
  # group's own ARN, so no aws_caller_identity data source (an STS call at plan time) is read.
  account_id = split(":", aws_scheduler_schedule_group.this.arn)[4]

  # Rendered with jsonencode() like modules/lambda-function's documents, so that tests can decode
  # and assert them under mock_provider. Scheduler assumes the role for schedules of this group
  # only (aws:SourceArn must be a schedule group's ARN, not a schedule's), so a schedule of another
  # group or account cannot borrow it.
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "SchedulerAssumeRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "scheduler.amazonaws.com" }
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnEquals    = { "aws:SourceArn" = aws_scheduler_schedule_group.this.arn }
      }
    }]
  })

  # The target functions and their qualified ARNs (<arn>:<version or alias>): those of the recurring
  # schedules, in the order of their keys, then those of the one-time schedules the functions create
  # at run time (one role for both: the trust policy already names this group).
  function_arns = distinct(concat(
    [for schedule in values(var.schedules) : schedule.function_arn],
    var.one_time_schedule_target_arns,
  ))

  # arn:<partition>:scheduler:<region>:<account>:schedule/<group>/*: every schedule of the group, the
  # resource of the scheduler:CreateSchedule and DeleteSchedule grants of the functions creating them.
  schedule_arn_pattern = "${replace(aws_scheduler_schedule_group.this.arn, ":schedule-group/", ":schedule/")}/*"

  invoke_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "InvokeTargetFunctions"
      Effect   = "Allow"
      Action   = ["lambda:InvokeFunction"]
      Resource = flatten([for arn in local.function_arns : [arn, "${arn}:*"]])
    }]
  })
}

resource "aws_scheduler_schedule_group" "this" {
  name = var.name
  tags = var.tags
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-scheduler"
  description        = "Role EventBridge Scheduler invokes the targets of the ${var.name} schedule group with."
  assume_role_policy = local.assume_role_policy
  tags               = var.tags
}

resource "aws_iam_role_policy" "invoke" {
  # Keyed on the number of schedules and targets, known at plan time, not on their function ARNs,
  # known only after apply. Without either there is nothing to invoke, and an empty Resource list
  # is invalid.
  count = length(var.schedules) + length(var.one_time_schedule_target_arns) > 0 ? 1 : 0

  name   = "invoke"
  role   = aws_iam_role.execution.id
  policy = local.invoke_policy
}

resource "aws_scheduler_schedule" "recurring" {
  for_each = var.schedules

  name                = "${var.name}-${each.key}"
  group_name          = aws_scheduler_schedule_group.this.name
  description         = each.value.description
  schedule_expression = each.value.schedule_expression
  state               = "ENABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = each.value.function_arn
    role_arn = aws_iam_role.execution.arn
    input    = jsonencode(each.value.input)
  }

  # The first ticks must not fail for want of the invoke permission.
  depends_on = [aws_iam_role_policy.invoke]
}

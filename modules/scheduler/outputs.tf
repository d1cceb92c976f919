output "schedule_group_name" {
  description = "Name of the schedule group; functions that create one-time schedules create them in it."
  value       = aws_scheduler_schedule_group.this.name
}

output "schedule_group_arn" {
  description = "ARN of the schedule group; the aws:SourceArn the execution role's trust policy requires."
  value       = aws_scheduler_schedule_group.this.arn
}

output "role_name" {
  description = "Name of the execution role Scheduler invokes the targets with."
  value       = aws_iam_role.execution.name
}

output "schedule_arn_pattern" {
  description = "ARN pattern of every schedule of the group, arn:<partition>:scheduler:<region>:<account>:schedule/<name>/*: the resource to grant scheduler:CreateSchedule and scheduler:DeleteSchedule on to the functions creating one-time schedules."
  value       = local.schedule_arn_pattern
}

output "scheduler_role_arn" {
  description = "ARN of the execution role (the same as role_arn): the RoleArn of the one-time schedules the functions create, and the only role they need iam:PassRole on."
  value       = aws_iam_role.execution.arn
}

output "role_arn" {
  description = "ARN of the execution role; the RoleArn of every schedule's target, and what a function creating schedules must be allowed to iam:PassRole."
  value       = aws_iam_role.execution.arn
}

output "role_assume_role_policy" {
  description = "Trust policy (JSON) of the execution role."
  value       = local.assume_role_policy
}

output "role_policy_document" {
  description = "Inline invoke policy (JSON) of the execution role; null when there is neither a recurring schedule nor a one-time schedule target."
  value       = one(aws_iam_role_policy.invoke[*].policy)
}

output "schedules" {
  description = "Schedules keyed like var.schedules: their name, ARN, expression, flexible time window mode, target ARN and target role ARN."
  value = {
    for key, schedule in aws_scheduler_schedule.recurring : key => {
      name                      = schedule.name
      arn                       = schedule.arn
      group_name                = schedule.group_name
      schedule_expression       = schedule.schedule_expression
      flexible_time_window_mode = schedule.flexible_time_window[0].mode
      target_arn                = schedule.target[0].arn
      target_role_arn           = schedule.target[0].role_arn
    }
  }
}

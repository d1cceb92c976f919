locals {
  # Resumable sessions: the settings the message and disconnect functions share, and what they need to
  # schedule a session's expiry. When a resumable session's connection closes, the disconnect function
  # creates a one-time schedule expire-<session id> (at(), flexible window OFF, deleted after it runs)
  # in the stack's schedule group, targeting the sweeper with the scheduler's execution role; the
  # message function deletes it when the session is resumed. The schedule ARNs are derived from the
  # group's own ARN (partition, region, account), so no data source is read.
  #
  # The sweeper's ARN is built from its name and the group's ARN rather than read from
  # module.sweeper: the sweeper's MANAGEMENT_ENDPOINT comes from the stage, which depends on the
  # routes, so on the disconnect and message functions; reading its ARN here would close a cycle.
  sweeper_function_name = "${var.name}-sweeper"
  schedule_group_arn    = split(":", module.scheduler.schedule_group_arn) # arn:<partition>:scheduler:<region>:<account>:schedule-group/<name>
  sweeper_function_arn  = "arn:${local.schedule_group_arn[1]}:lambda:${local.schedule_group_arn[3]}:${local.schedule_group_arn[4]}:function:${local.sweeper_function_name}"

  session_environment = {
    SESSION_RESUME_WINDOW_SECONDS = tostring(var.session.resume_window_seconds)
  }

  # The key resume tokens are signed with (an HMAC over session and user ids): a SecureString the
  # module creates with a random value written write-only (see aws_ssm_parameter.session_key), or a
  # parameter or secret of your own. Only the message function reads it, once per container.
  session_key = (
    var.session.key_secret_arn != null ? { env = { SESSION_KEY_SECRET_ARN = var.session.key_secret_arn }, action = "secretsmanager:GetSecretValue", arn = var.session.key_secret_arn } :
    var.session.key_ssm_parameter_arn != null ? { env = { SESSION_KEY_SSM_PARAMETER = var.session.key_ssm_parameter_arn }, action = "ssm:GetParameter", arn = var.session.key_ssm_parameter_arn } :
    { env = { SESSION_KEY_SSM_PARAMETER = aws_ssm_parameter.session_key[0].name }, action = "ssm:GetParameter", arn = local.session_key_parameter_arn }
  )
  # Built like the sweeper's ARN above (the parameter's name starts with "/"), so it is known at plan time.
  session_key_parameter_name = "/${var.name}/session-resume-key"
  session_key_parameter_arn  = "arn:${local.schedule_group_arn[1]}:ssm:${local.schedule_group_arn[3]}:${local.schedule_group_arn[4]}:parameter${local.session_key_parameter_name}"

  session_key_policies = {
    session-key = [{
      sid       = "ReadResumeTokenKey"
      actions   = [local.session_key.action]
      resources = [local.session_key.arn]
    }]
  }

  session_expiry_environment = {
    SESSION_SCHEDULE_GROUP     = module.scheduler.schedule_group_name
    SESSION_SCHEDULER_ROLE_ARN = module.scheduler.scheduler_role_arn
    SESSION_EXPIRY_TARGET_ARN  = local.sweeper_function_arn
  }

  # The disconnect function creates a session's schedule (and deletes one an earlier disconnect of the
  # same session left, to replace it); the message function only deletes it on resume, so it gets
  # neither CreateSchedule nor the role to pass.
  session_expiry_cancel_policies = {
    session-expiry = [{
      sid       = "CancelSessionExpirySchedules"
      actions   = ["scheduler:DeleteSchedule"]
      resources = [module.scheduler.schedule_arn_pattern]
    }]
  }

  session_expiry_policies = {
    session-expiry = [
      {
        sid       = "ManageSessionExpirySchedules"
        actions   = ["scheduler:CreateSchedule", "scheduler:DeleteSchedule"]
        resources = [module.scheduler.schedule_arn_pattern]
      },
      {
        # CreateSchedule names the execution role as the target's RoleArn: passing it, and only it,
        # only to EventBridge Scheduler.
        sid       = "PassSchedulerRole"
        actions   = ["iam:PassRole"]
        resources = [module.scheduler.scheduler_role_arn]
        conditions = [{
          test     = "StringEquals"
          variable = "iam:PassedToService"
          values   = ["scheduler.amazonaws.com"]
        }]
      },
    ]
  }
}

resource "aws_ssm_parameter" "session_key" {
  count = var.session.key_ssm_parameter_arn == null && var.session.key_secret_arn == null ? 1 : 0

  name        = local.session_key_parameter_name
  description = "Signs the resume tokens of ${var.name}'s resumable sessions (HMAC-SHA256). Rotating it invalidates the tokens issued so far."
  type        = "SecureString"
  key_id      = var.kms_key_arn # null: the AWS managed key alias/aws/ssm
  tags        = var.tags

  # The key never enters the plan or the state: value_wo is write-only (Terraform 1.11), sent to SSM
  # and forgotten. It is written on creation and again exactly when value_wo_version changes, so
  # raising session_key_version rotates it. Two uuid()s are 244 random bits from Terraform's
  # cryptographic generator; an ephemeral aws_secretsmanager_random_password would call Secrets
  # Manager on every plan and cannot be mocked in terraform test.
  value_wo         = "${uuid()}${uuid()}"
  value_wo_version = var.session_key_version
}

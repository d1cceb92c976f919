# One source of truth for the functions' settings: each function declares the settings it reads in
# its `<name>.settings.ts`, and the build lists them in dist/manifest.json (`settings`: name, type,
# default, bounds, whether it is required, the Terraform variable feeding it, and whether the module
# passes it: always, in some auth modes (`modes`), or depending on another input (`when`)).
# Each run checks every function's planned environment against that list: nothing passed that its
# code never reads, nothing declared as passed (in this mode, with no other condition) missing, and
# nothing required that Terraform never passes. The bounds of the variables feeding the settings are
# checked against the declarations by test/unit/settings.test.ts (it reads variables.tf).

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

variables {
  # Written by `npm run build` beside the packages the module deploys.
  manifest = jsondecode(file("dist/manifest.json"))
  # Read by the Lambda runtime, not by the code.
  runtime_settings = ["NODE_OPTIONS"]
  functions        = ["authorizer", "connect", "disconnect", "message", "sweeper", "fanout"]
}

run "each_environment_holds_what_its_function_declares_by_default" {
  command = apply

  assert {
    condition = alltrue([for fn in var.functions : length(setsubtract(
      setsubtract(keys(output.function_environment_variables[fn]), var.runtime_settings),
      [for setting in var.manifest[fn].settings : setting.name if setting.terraform && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))],
    )) == 0])
    error_message = "A function is passed settings its code never reads: ${jsonencode({ for fn in var.functions : fn => setsubtract(setsubtract(keys(output.function_environment_variables[fn]), var.runtime_settings), [for setting in var.manifest[fn].settings : setting.name if setting.terraform && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))]) })}."
  }

  assert {
    condition = alltrue([for fn in var.functions : length(setsubtract(
      [for setting in var.manifest[fn].settings : setting.name if setting.terraform && setting.when == null && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))],
      keys(output.function_environment_variables[fn]),
    )) == 0])
    error_message = "A function lacks settings its declaration says Terraform passes: ${jsonencode({ for fn in var.functions : fn => setsubtract([for setting in var.manifest[fn].settings : setting.name if setting.terraform && setting.when == null && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))], keys(output.function_environment_variables[fn])) })}."
  }

  assert {
    condition     = alltrue([for fn in var.functions : alltrue([for setting in var.manifest[fn].settings : setting.terraform && setting.when == null if setting.required && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))])])
    error_message = "A function requires a setting Terraform does not always pass."
  }
}

run "each_environment_holds_what_its_function_declares_in_jwt_mode" {
  command   = apply
  state_key = "jwt"

  # Every optional JWT_* input set, so the settings passed `when` it is set are there too.
  variables {
    auth_mode = "jwt"
    jwt = {
      algorithms      = ["RS256"]
      issuer          = "https://id.example.com/"
      audience        = ["websocket-sessions"]
      max_age_seconds = 3600
      jwks_url        = "https://id.example.com/.well-known/jwks.json"
    }
    management_endpoint_override = "https://ws.example.com/dev"
  }

  assert {
    condition = alltrue([for fn in var.functions : length(setsubtract(
      setsubtract(keys(output.function_environment_variables[fn]), var.runtime_settings),
      [for setting in var.manifest[fn].settings : setting.name if setting.terraform && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))],
    )) == 0])
    error_message = "A function is passed settings its code never reads: ${jsonencode({ for fn in var.functions : fn => setsubtract(setsubtract(keys(output.function_environment_variables[fn]), var.runtime_settings), [for setting in var.manifest[fn].settings : setting.name if setting.terraform && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))]) })}."
  }

  assert {
    condition = alltrue([for fn in var.functions : length(setsubtract(
      [for setting in var.manifest[fn].settings : setting.name if setting.terraform && setting.when == null && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))],
      keys(output.function_environment_variables[fn]),
    )) == 0])
    error_message = "A function lacks settings its declaration says Terraform passes: ${jsonencode({ for fn in var.functions : fn => setsubtract([for setting in var.manifest[fn].settings : setting.name if setting.terraform && setting.when == null && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))], keys(output.function_environment_variables[fn])) })}."
  }

  assert {
    condition     = alltrue([for fn in var.functions : alltrue([for setting in var.manifest[fn].settings : setting.terraform && setting.when == null if setting.required && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))])])
    error_message = "A function requires a setting Terraform does not always pass."
  }
}

run "each_environment_holds_what_its_function_declares_in_two_phase_mode" {
  command   = apply
  state_key = "two_phase"

  # A static key in SSM, and the resume-token key in Secrets Manager.
  variables {
    auth_mode = "two-phase"
    jwt = {
      algorithms            = ["HS256"]
      key_ssm_parameter_arn = "arn:aws:ssm:us-east-1:123456789012:parameter/chat/jwt-key"
      key_id                = "k1"
    }
    session = {
      key_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chat/resume-key-DeF456"
    }
    action_permissions = {}
  }

  assert {
    condition = alltrue([for fn in var.functions : length(setsubtract(
      setsubtract(keys(output.function_environment_variables[fn]), var.runtime_settings),
      [for setting in var.manifest[fn].settings : setting.name if setting.terraform && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))],
    )) == 0])
    error_message = "A function is passed settings its code never reads: ${jsonencode({ for fn in var.functions : fn => setsubtract(setsubtract(keys(output.function_environment_variables[fn]), var.runtime_settings), [for setting in var.manifest[fn].settings : setting.name if setting.terraform && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))]) })}."
  }

  assert {
    condition = alltrue([for fn in var.functions : length(setsubtract(
      [for setting in var.manifest[fn].settings : setting.name if setting.terraform && setting.when == null && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))],
      keys(output.function_environment_variables[fn]),
    )) == 0])
    error_message = "A function lacks settings its declaration says Terraform passes: ${jsonencode({ for fn in var.functions : fn => setsubtract([for setting in var.manifest[fn].settings : setting.name if setting.terraform && setting.when == null && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))], keys(output.function_environment_variables[fn])) })}."
  }

  assert {
    condition     = alltrue([for fn in var.functions : alltrue([for setting in var.manifest[fn].settings : setting.terraform && setting.when == null if setting.required && (setting.modes == null || contains(coalesce(setting.modes, []), var.auth_mode))])])
    error_message = "A function requires a setting Terraform does not always pass."
  }
}

# The example's teleprinter, wired by the example's main.tf, is held to its declaration too
# (TELEPRINTER_TEXT is passed only when teleprinter_text is set).
run "teleprinter_environment_holds_what_it_declares" {
  command = apply

  module {
    source = "./examples/anonymous-resume"
  }

  assert {
    condition = length(setsubtract(
      setsubtract(keys(module.teleprinter.function_environment_variables), var.runtime_settings),
      [for setting in var.manifest.teleprinter.settings : setting.name if setting.terraform],
    )) == 0
    error_message = "The teleprinter is passed settings its code never reads: ${jsonencode(setsubtract(setsubtract(keys(module.teleprinter.function_environment_variables), var.runtime_settings), [for setting in var.manifest.teleprinter.settings : setting.name if setting.terraform]))}."
  }

  assert {
    condition = length(setsubtract(
      [for setting in var.manifest.teleprinter.settings : setting.name if setting.terraform && setting.when == null],
      keys(module.teleprinter.function_environment_variables),
    )) == 0
    error_message = "The teleprinter lacks settings its declaration says the example passes."
  }
}

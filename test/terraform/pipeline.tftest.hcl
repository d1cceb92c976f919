# examples/pipeline plans each environment from its own var file (environments/<env>.tfvars.json),
# offline: the AWS provider is mocked, its backend is not used by `terraform test`, and the zips in S3
# are those of the stub release manifest (test/terraform/mocks/s3-artifacts.tfmock.hcl). Every
# environment must deploy the identical hashes.

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

variables {
  artifacts_manifest_file = "test/terraform/fixtures/artifacts/stub-release-manifest.json"
}

run "dev" {
  command = plan

  module {
    source = "./examples/pipeline"
  }

  variables {
    environment           = jsondecode(file("examples/pipeline/environments/dev.tfvars.json")).environment
    region                = jsondecode(file("examples/pipeline/environments/dev.tfvars.json")).region
    allowed_origins       = jsondecode(file("examples/pipeline/environments/dev.tfvars.json")).allowed_origins
    artifacts_bucket      = jsondecode(file("examples/pipeline/environments/dev.tfvars.json")).artifacts_bucket
    log_retention_in_days = jsondecode(file("examples/pipeline/environments/dev.tfvars.json")).log_retention_in_days
    alarm_actions         = jsondecode(file("examples/pipeline/environments/dev.tfvars.json")).alarm_actions
  }

  assert {
    condition     = module.websocket_sessions.stage_name == "dev" && module.websocket_sessions.function_names.connect == "chat-dev-connect"
    error_message = "dev must deploy the dev stage of chat-dev."
  }

  assert {
    condition     = length(output.function_source_code_hashes) == 6
    error_message = "dev must deploy the six functions."
  }
}

run "staging" {
  command = plan

  module {
    source = "./examples/pipeline"
  }

  variables {
    environment           = jsondecode(file("examples/pipeline/environments/staging.tfvars.json")).environment
    region                = jsondecode(file("examples/pipeline/environments/staging.tfvars.json")).region
    allowed_origins       = jsondecode(file("examples/pipeline/environments/staging.tfvars.json")).allowed_origins
    artifacts_bucket      = jsondecode(file("examples/pipeline/environments/staging.tfvars.json")).artifacts_bucket
    log_retention_in_days = jsondecode(file("examples/pipeline/environments/staging.tfvars.json")).log_retention_in_days
    alarm_actions         = jsondecode(file("examples/pipeline/environments/staging.tfvars.json")).alarm_actions
  }

  assert {
    condition     = module.websocket_sessions.stage_name == "staging" && module.websocket_sessions.function_names.connect == "chat-staging-connect"
    error_message = "staging must deploy the staging stage of chat-staging."
  }

  assert {
    condition     = output.function_source_code_hashes == run.dev.function_source_code_hashes
    error_message = "staging must deploy the very zips dev deployed."
  }
}

run "prod" {
  command = plan

  module {
    source = "./examples/pipeline"
  }

  variables {
    environment           = jsondecode(file("examples/pipeline/environments/prod.tfvars.json")).environment
    region                = jsondecode(file("examples/pipeline/environments/prod.tfvars.json")).region
    allowed_origins       = jsondecode(file("examples/pipeline/environments/prod.tfvars.json")).allowed_origins
    artifacts_bucket      = jsondecode(file("examples/pipeline/environments/prod.tfvars.json")).artifacts_bucket
    log_retention_in_days = jsondecode(file("examples/pipeline/environments/prod.tfvars.json")).log_retention_in_days
    alarm_actions         = jsondecode(file("examples/pipeline/environments/prod.tfvars.json")).alarm_actions
  }

  assert {
    condition     = module.websocket_sessions.stage_name == "prod" && module.websocket_sessions.function_names.connect == "chat-prod-connect"
    error_message = "prod must deploy the prod stage of chat-prod."
  }

  assert {
    condition     = output.function_source_code_hashes == run.dev.function_source_code_hashes && output.function_source_code_hashes == run.staging.function_source_code_hashes
    error_message = "prod must deploy the very zips dev and staging deployed."
  }
}

run "rejects_an_unknown_environment" {
  command = plan

  module {
    source = "./examples/pipeline"
  }

  variables {
    environment      = "qa"
    region           = "eu-west-1"
    allowed_origins  = ["https://qa.chat.example.com"]
    artifacts_bucket = "platform-artifacts-example"
  }

  expect_failures = [var.environment]
}

# Every example must plan. Offline: the AWS provider is mocked, so the example's own
# provider configuration (region) is replaced and no credentials are needed.

mock_provider "aws" {}

run "minimal_example_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }

  assert {
    condition     = length(module.websocket_sessions.function_names) == 4
    error_message = "The minimal example must deploy the four functions."
  }

  assert {
    condition     = module.websocket_sessions.stage_name == "dev"
    error_message = "The minimal example must deploy the dev stage."
  }
}

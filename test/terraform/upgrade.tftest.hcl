# Upgrading keeps the stateful resources: the layout of commit 8e3929e (its table, API, queues and
# resume token key at their addresses, test/terraform/fixtures/upgrade-8e3929e) is applied, then the
# current module is planned against the same state. A resource whose address changed without a
# moved {} block would be planned as a new resource, whose id is unknown until apply, and fail the
# assertions. The mocked provider never plans a replacement for a changed argument, so this guards
# addresses, not arguments that force a new resource.

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

variables {
  name = "websocket-sessions"
}

run "old_layout" {
  state_key = "upgrade"

  module {
    source = "./test/terraform/fixtures/upgrade-8e3929e"
  }
}

run "new_layout_keeps_the_table_the_api_the_queues_and_the_resume_key" {
  command   = plan
  state_key = "upgrade"

  assert {
    condition     = output.table_arn == run.old_layout.table_arn
    error_message = "The table would be replaced on upgrade: its address changed without a moved block."
  }

  assert {
    condition     = output.api_id == run.old_layout.api_id
    error_message = "The WebSocket API would be replaced on upgrade: its address changed without a moved block."
  }

  assert {
    condition     = output.fanout_queue_url == run.old_layout.fanout_queue_url && output.fanout_dlq_url == run.old_layout.fanout_dlq_url
    error_message = "A fan-out queue would be replaced on upgrade: its address changed without a moved block."
  }

  assert {
    condition     = aws_ssm_parameter.session_key[0].arn == run.old_layout.session_key_parameter_arn
    error_message = "The resume token key would be replaced on upgrade: its address changed without a moved block."
  }
}

# The same upgrade taking the packages from S3 (artifacts) instead of dist/: where the code comes from
# touches no stateful resource.
run "new_layout_with_packages_from_s3_keeps_the_table_the_api_and_the_queues" {
  command   = plan
  state_key = "upgrade"

  variables {
    artifacts = { s3_bucket = "platform-artifacts", manifest = file("test/terraform/fixtures/artifacts/stub-release-manifest.json") }
  }

  assert {
    condition     = output.table_arn == run.old_layout.table_arn && output.api_id == run.old_layout.api_id
    error_message = "Deploying the packages from S3 would replace the table or the API."
  }

  assert {
    condition     = output.fanout_queue_url == run.old_layout.fanout_queue_url && output.fanout_dlq_url == run.old_layout.fanout_dlq_url
    error_message = "Deploying the packages from S3 would replace a fan-out queue."
  }
}

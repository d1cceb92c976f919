# Where the functions' packages come from: the local build (dist/, or artifacts_dir) or S3 by content
# hash (artifacts), each checked against the manifest's sha256 before anything is planned. Plans
# only, offline: S3 objects are mocked with the checksum of the stub release manifest
# (test/terraform/mocks/s3-artifacts.tfmock.hcl); a run that needs another checksum overrides it.

mock_provider "aws" {
  source = "./test/terraform/mocks"
}

variables {
  stub_manifest = file("test/terraform/fixtures/artifacts/stub-release-manifest.json")
  stub_sha256   = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

  # modules/lambda-function's inputs (the root module declares none of these): a package in S3.
  function_name    = "fn"
  artifact_s3      = { bucket = "platform-artifacts", key = "connect/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.zip" }
  source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
}

run "released_manifest_lists_the_functions_the_module_deploys" {
  command = plan

  assert {
    condition     = sort(keys(jsondecode(file("release/manifest.json")))) == sort(keys(output.function_names))
    error_message = "release/manifest.json must list exactly the functions the module deploys (run `npm run release`)."
  }

  assert {
    condition     = module.connect.function_package.filename == "./dist/connect.zip" && module.connect.function_package.s3_bucket == null
    error_message = "By default each function must be deployed from the module's dist/."
  }
}

run "a_missing_build_fails_with_one_error_naming_every_way_to_provide_the_packages" {
  command = plan

  variables {
    artifacts_dir = "test/terraform/fixtures/artifacts/no-such-build"
  }

  # Any other error (a file function's "no such file" from a function's hash) fails the run too.
  expect_failures = [terraform_data.artifacts]
}

run "a_zip_changed_after_the_build_fails_the_plan" {
  command = plan

  variables {
    # Six zips whose manifest.json holds another sha256 for connect.zip.
    artifacts_dir = "test/terraform/fixtures/artifacts/tampered"
  }

  expect_failures = [terraform_data.artifacts]
}

run "s3_artifacts_deploy_each_function_by_key_and_hash" {
  command = plan

  variables {
    artifacts = {
      s3_bucket       = "platform-artifacts"
      s3_key_prefix   = "websocket-sessions/"
      object_versions = { connect = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY" }
      manifest        = var.stub_manifest
    }
  }

  assert {
    condition     = module.connect.function_package.filename == null && module.connect.function_package.s3_bucket == "platform-artifacts" && module.connect.function_package.s3_key == "websocket-sessions/connect/${var.stub_sha256}.zip" && module.connect.function_package.s3_object_version == "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"
    error_message = "connect must be deployed from s3://<bucket>/<prefix>connect/<sha256>.zip at the pinned version."
  }

  assert {
    condition     = module.sweeper.function_package.s3_key == "websocket-sessions/sweeper/${var.stub_sha256}.zip" && module.sweeper.function_package.s3_object_version == null
    error_message = "sweeper must be deployed from its key by hash, at the latest version when none is pinned."
  }

  assert {
    condition     = toset(values(output.function_source_code_hashes)) == toset(["47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="])
    error_message = "Each function's source_code_hash must be the manifest's sha256 in base64."
  }
}

run "s3_artifacts_default_to_the_released_manifest" {
  command = plan

  variables {
    artifacts = { s3_bucket = "platform-artifacts" }
  }

  # The mocked objects carry the stub's checksum, not the release's: every object fails the check,
  # which shows the keys and hashes come from release/manifest.json.
  expect_failures = [data.aws_s3_object.artifact]
}

run "an_s3_object_that_is_not_the_manifests_zip_fails_the_plan" {
  command = plan

  variables {
    artifacts = { s3_bucket = "platform-artifacts", manifest = var.stub_manifest }
  }

  override_data {
    target = data.aws_s3_object.artifact["message"]
    values = { checksum_sha256 = "cbcGHnGlweCQH/EUKefRYWSPHmgCvOXh3saVCm8sJTQ=" }
  }

  expect_failures = [data.aws_s3_object.artifact["message"]]
}

run "an_s3_object_uploaded_without_a_checksum_fails_the_plan" {
  command = plan

  variables {
    artifacts = { s3_bucket = "platform-artifacts", manifest = var.stub_manifest }
  }

  override_data {
    target = data.aws_s3_object.artifact["fanout"]
    values = { checksum_sha256 = "" }
  }

  expect_failures = [data.aws_s3_object.artifact["fanout"]]
}

run "an_s3_manifest_without_keys_fails_the_plan" {
  command = plan

  variables {
    # The build's manifest has no S3 keys: only `npm run release` writes them.
    artifacts = { s3_bucket = "platform-artifacts", manifest = jsonencode({ for name, entry in jsondecode(var.stub_manifest) : name => { file = entry.file, sha256 = entry.sha256 } }) }
  }

  expect_failures = [terraform_data.artifacts]
}

run "rejects_an_s3_bucket_that_is_no_bucket_name" {
  command = plan

  variables {
    artifacts = { s3_bucket = "Platform_Artifacts", manifest = var.stub_manifest }
  }

  expect_failures = [var.artifacts]
}

run "rejects_an_s3_key_prefix_without_a_trailing_slash" {
  command = plan

  variables {
    artifacts = { s3_bucket = "platform-artifacts", s3_key_prefix = "websocket-sessions", manifest = var.stub_manifest }
  }

  expect_failures = [var.artifacts]
}

run "rejects_an_object_version_for_an_unknown_function" {
  command = plan

  variables {
    artifacts = { s3_bucket = "platform-artifacts", object_versions = { pusher = "v1" }, manifest = var.stub_manifest }
  }

  expect_failures = [var.artifacts]
}

run "rejects_a_manifest_that_is_not_json" {
  command = plan

  variables {
    artifacts = { s3_bucket = "platform-artifacts", manifest = "release/manifest.json" }
  }

  expect_failures = [var.artifacts]
}

run "rejects_both_a_local_directory_and_s3" {
  command = plan

  variables {
    artifacts_dir = "dist"
    artifacts     = { s3_bucket = "platform-artifacts", manifest = var.stub_manifest }
  }

  expect_failures = [var.artifacts]
}

# modules/lambda-function: one package source, and a hash for a package in S3.

run "lambda_function_deploys_an_s3_object_with_the_given_hash" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  assert {
    condition     = output.function_package.s3_key == "connect/${var.stub_sha256}.zip" && output.function_package.filename == null && output.function_source_code_hash == var.source_code_hash
    error_message = "The function must be deployed from the S3 object with the given hash."
  }
}

run "lambda_function_rejects_both_a_local_zip_and_an_s3_object" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    artifact_path = "dist/connect.zip"
  }

  expect_failures = [var.artifact_path]
}

run "lambda_function_rejects_an_s3_object_without_its_hash" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    source_code_hash = null
  }

  expect_failures = [var.artifact_s3]
}

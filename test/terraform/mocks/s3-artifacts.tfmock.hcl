# Zips in S3 (the root module's `artifacts` input): every mocked object carries the SHA-256 checksum
# of test/terraform/fixtures/artifacts/stub-release-manifest.json, whose six entries share one stub
# zip (the empty file, sha256 e3b0c442…b855), so a plan against that manifest passes the checksum
# check. Other tests never read S3 objects.
mock_data "aws_s3_object" {
  defaults = {
    checksum_sha256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
  }
}

terraform {
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  # Remote state, one state per environment: `terraform init -backend-config=environments/<env>.s3.tfbackend`
  # fills in the bucket, key and Region (placeholders in environments/*.s3.tfbackend).
  backend "s3" {}
}

locals {
  # One pattern per ARN kind, shared by every validation of the root module and the submodules.
  arn_patterns = jsondecode(file("${path.module}/../arn-patterns.json"))

  # schema.json is the single source of truth for the key schema: the local sandbox creates
  # its DynamoDB Local table from the same file, so the two can never drift apart.
  schema = jsondecode(file("${path.module}/schema.json"))

  global_secondary_indexes = {
    for index in try(local.schema.globalSecondaryIndexes, []) : index.name => {
      hash_key           = index.hashKey
      range_key          = try(index.rangeKey, null)
      projection_type    = try(index.projectionType, "ALL")
      non_key_attributes = try(index.nonKeyAttributes, null)
    }
  }
}

resource "aws_dynamodb_table" "this" {
  name                        = var.name
  billing_mode                = local.schema.billingMode
  hash_key                    = local.schema.hashKey
  range_key                   = try(local.schema.rangeKey, null)
  deletion_protection_enabled = var.deletion_protection_enabled

  dynamic "attribute" {
    for_each = local.schema.attributes

    content {
      name = attribute.value.name
      type = attribute.value.type
    }
  }

  dynamic "global_secondary_index" {
    for_each = local.global_secondary_indexes

    content {
      name               = global_secondary_index.key
      hash_key           = global_secondary_index.value.hash_key
      range_key          = global_secondary_index.value.range_key
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = global_secondary_index.value.non_key_attributes
    }
  }

  ttl {
    attribute_name = local.schema.ttlAttribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery_enabled
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}

output "table_name" {
  description = "Name of the table; passed to the functions as TABLE_NAME."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the table; used as the resource of the functions' table policies."
  value       = aws_dynamodb_table.this.arn
}

output "table_index_arn_pattern" {
  description = "ARN pattern matching every index of the table (<table_arn>/index/*); used as the resource of Query permissions on indexes."
  value       = "${aws_dynamodb_table.this.arn}/index/*"
}

output "table_hash_key" {
  description = "Partition key attribute of the table, from schema.json."
  value       = aws_dynamodb_table.this.hash_key
}

output "table_range_key" {
  description = "Sort key attribute of the table, from schema.json."
  value       = aws_dynamodb_table.this.range_key
}

output "table_global_secondary_index_names" {
  description = "Names of the table's global secondary indexes, from schema.json."
  value       = sort([for index in aws_dynamodb_table.this.global_secondary_index : index.name])
}

output "table_ttl_attribute" {
  description = "Attribute holding each item's expiry time in epoch seconds (DynamoDB TTL), from schema.json."
  value       = one(aws_dynamodb_table.this.ttl[*].attribute_name)
}

# Terraform and provider versions, the provider itself, and the values every other file derives from.
terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.25.0, < 7.0.0" # the schema make infra-schema checks against is 6.25.0
    }
  }
  # Remote state: copy backend.tf.example to backend.tf (see README.md).
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(var.tags, {
      Project     = var.name_prefix
      Environment = var.environment
      ManagedBy   = "terraform"
    })
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  # "<prefix>-<env>", e.g. "oakvale-dev": the stem of every name below.
  name       = "${var.name_prefix}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = var.aws_region

  # Bucket names carry the account id so they are globally unique: "<prefix>-<env>-<purpose>-<account_id>".
  bucket_names = {
    raw              = "${local.name}-raw-${local.account_id}"
    lakehouse        = "${local.name}-lakehouse-${local.account_id}"
    "glue-scripts"   = "${local.name}-glue-scripts-${local.account_id}"
    "athena-results" = "${local.name}-athena-results-${local.account_id}"
  }

  # S3 locations other code relies on (mirrors ingestion/config.py: raw_root, data_root/lakehouse/bronze).
  raw_root             = "s3://${aws_s3_bucket.this["raw"].id}/raw"
  data_root            = "s3://${aws_s3_bucket.this["lakehouse"].id}"
  bronze_root          = "s3://${aws_s3_bucket.this["lakehouse"].id}/lakehouse/bronze"
  silver_root          = "s3://${aws_s3_bucket.this["lakehouse"].id}/lakehouse/silver"
  gold_root            = "s3://${aws_s3_bucket.this["lakehouse"].id}/lakehouse/gold"
  athena_query_results = "s3://${aws_s3_bucket.this["athena-results"].id}/results/"
  dbt_staging_dir      = "s3://${aws_s3_bucket.this["athena-results"].id}/dbt/"

  datasets = ["movies", "reviews"]
}

# The workgroup every query goes through (dbt, dashboards, ad hoc), and named queries for the
# dashboard questions, one per gold table.

resource "aws_athena_workgroup" "main" {
  name          = local.name
  description   = "Oakvale ${var.environment}: dbt builds and dashboard queries"
  state         = "ENABLED"
  force_destroy = true # only query history and saved queries; the data lives in S3

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.athena_bytes_scanned_cutoff

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location = local.athena_query_results
      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = aws_kms_key.main.arn
      }
    }
  }
}

locals {
  # The dashboard questions, one query per gold table (oakvale_gold, built by dbt_oakvale/models/gold).
  # dashboards/queries/*.sql is the single source: the local dashboards run the same files on local gold.
  # Each file starts with a "-- <description>" line.
  dashboard_query_dir = "${path.module}/../dashboards/queries"
  dashboard_queries = {
    for f in fileset(local.dashboard_query_dir, "*.sql") : trimsuffix(f, ".sql") => file("${local.dashboard_query_dir}/${f}")
  }
}

resource "aws_athena_named_query" "dashboard" {
  for_each = local.dashboard_queries

  name        = "${local.name}-${each.key}"
  description = trimprefix(split("\n", each.value)[0], "-- ")
  workgroup   = aws_athena_workgroup.main.id
  database    = aws_glue_catalog_database.gold.name
  query       = each.value
}

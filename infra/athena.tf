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
  # Dashboard questions over the gold tables (oakvale_gold, built by dbt_oakvale/models/gold).
  dashboard_queries = {
    "top-genres" = {
      description = "Genres ranked by movie count"
      table       = "gold_genre_summary"
      query       = "SELECT * FROM gold_genre_summary ORDER BY movie_count DESC LIMIT 50"
    }
    "top-studios" = {
      description = "Studios ranked by total box office"
      table       = "gold_studio_summary"
      query       = "SELECT * FROM gold_studio_summary ORDER BY total_box_office_usd DESC LIMIT 50"
    }
    "releases-by-year" = {
      description = "Releases and results per release year, newest first"
      table       = "gold_release_year_summary"
      query       = "SELECT * FROM gold_release_year_summary ORDER BY release_year DESC LIMIT 100"
    }
    "top-movies" = {
      description = "Best-performing movies by box office"
      table       = "gold_movie_performance"
      query       = "SELECT * FROM gold_movie_performance ORDER BY box_office_usd DESC LIMIT 100"
    }
    "monthly-review-trends" = {
      description = "Review volume and ratings per month, latest first"
      table       = "gold_monthly_review_trends"
      query       = "SELECT * FROM gold_monthly_review_trends ORDER BY review_month DESC LIMIT 36"
    }
    "top-tags" = {
      description = "Most used review tags"
      table       = "gold_top_tags"
      query       = "SELECT * FROM gold_top_tags ORDER BY review_count DESC LIMIT 50"
    }
  }
}

resource "aws_athena_named_query" "dashboard" {
  for_each = local.dashboard_queries

  name        = "${local.name}-${each.key}"
  description = each.value.description
  workgroup   = aws_athena_workgroup.main.id
  database    = aws_glue_catalog_database.gold.name
  query       = each.value.query
}

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
      description = "Genres ranked by total box office"
      table       = "gold_genre_summary"
      query       = "SELECT genre, movie_count, total_box_office_usd, avg_roi, avg_rating, box_office_rank FROM gold_genre_summary ORDER BY box_office_rank LIMIT 20"
    }
    "top-studios" = {
      description = "Studios ranked by total box office"
      table       = "gold_studio_summary"
      query       = "SELECT studio, movie_count, total_box_office_usd, avg_roi, avg_rating, box_office_rank FROM gold_studio_summary ORDER BY box_office_rank LIMIT 20"
    }
    "releases-by-year" = {
      description = "Releases, box office and year-over-year growth per release year, newest first"
      table       = "gold_release_year_summary"
      query       = "SELECT release_year, movie_count, total_box_office_usd, yoy_movie_count_growth_pct, yoy_box_office_growth_pct, avg_rating FROM gold_release_year_summary ORDER BY release_year DESC LIMIT 30"
    }
    "top-movies" = {
      description = "Best-performing movies by box office, with ROI and rank in genre"
      table       = "gold_movie_performance"
      query       = "SELECT movie_id, title, primary_genre, studio, release_year, box_office_usd, roi, avg_rating, rank_in_genre FROM gold_movie_performance ORDER BY box_office_usd DESC LIMIT 100"
    }
    "monthly-review-trends" = {
      description = "Review volume, ratings and month-over-month growth, latest month first"
      table       = "gold_monthly_review_trends"
      query       = "SELECT review_month, review_count, critic_review_count, audience_review_count, avg_rating, mom_review_count_growth_pct FROM gold_monthly_review_trends ORDER BY review_month DESC LIMIT 24"
    }
    "top-tags" = {
      description = "Most used review tags"
      table       = "gold_top_tags"
      query       = "SELECT tag, review_count, movie_count, avg_rating, tag_rank FROM gold_top_tags ORDER BY tag_rank LIMIT 25"
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

# Every name another component or a person needs. README.md lists the naming scheme.

output "name" {
  description = "The \"<prefix>-<env>\" stem of every resource name."
  value       = local.name
}

output "aws_region" {
  value = local.region
}

output "kms_key_arn" {
  description = "Customer-managed key encrypting buckets, logs, topic, Lambda environment and results."
  value       = aws_kms_key.main.arn
}

output "kms_key_alias" {
  value = aws_kms_alias.main.name
}

output "bucket_names" {
  description = "Buckets by purpose: raw, lakehouse, glue-scripts, athena-results."
  value       = { for k, b in aws_s3_bucket.this : k => b.id }
}

output "raw_root" {
  description = "OAKVALE_RAW_URI of the generator and --raw_root of the bronze job."
  value       = local.raw_root
}

output "data_root" {
  description = "OAKVALE_DATA_ROOT on AWS and --data_root of the bronze job (holds lakehouse/)."
  value       = local.data_root
}

output "bronze_root" {
  value = local.bronze_root
}

output "silver_root" {
  value = local.silver_root
}

output "gold_root" {
  value = local.gold_root
}

output "glue_database_names" {
  value = {
    bronze = aws_glue_catalog_database.bronze.name
    silver = aws_glue_catalog_database.silver.name
    gold   = aws_glue_catalog_database.gold.name
  }
}

output "bronze_job_name" {
  value = aws_glue_job.bronze.name
}

output "generator_function_name" {
  value = aws_lambda_function.generator.function_name
}

output "state_machine_arn" {
  description = "Start a run: aws stepfunctions start-execution --state-machine-arn <this>"
  value       = aws_sfn_state_machine.pipeline.arn
}

output "athena_workgroup" {
  value = aws_athena_workgroup.main.name
}

output "athena_results_location" {
  value = local.athena_query_results
}

output "dbt_staging_dir" {
  description = "OAKVALE_ATHENA_S3_STAGING_DIR of the dbt athena target."
  value       = local.dbt_staging_dir
}

output "dbt_codebuild_project" {
  value = aws_codebuild_project.dbt.name
}

output "dbt_runner_repository_url" {
  description = "Push the dbt runner image here (deploy.sh does)."
  value       = aws_ecr_repository.dbt_runner.repository_url
}

output "alerts_topic_arn" {
  value = aws_sns_topic.alerts.arn
}

output "named_queries" {
  description = "Athena named query ids by dashboard question."
  value       = { for k, q in aws_athena_named_query.dashboard : k => q.id }
}

output "log_groups" {
  value = {
    generator = aws_cloudwatch_log_group.generator.name
    bronze    = local.glue_log_group_prefix
    dbt       = aws_cloudwatch_log_group.dbt.name
    pipeline  = aws_cloudwatch_log_group.pipeline.name
  }
}

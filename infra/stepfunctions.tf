# The pipeline: generate (Lambda) -> bronze (Glue, movies and reviews in parallel) -> dbt build
# (CodeBuild running the dbt runner image), with every failure published to SNS.
# The definition lives in templates/pipeline.asl.json; tests/infra checks its wiring.

resource "aws_sfn_state_machine" "pipeline" {
  name     = "${local.name}-pipeline"
  type     = "STANDARD"
  role_arn = aws_iam_role.pipeline.arn

  definition = templatefile("${path.module}/templates/pipeline.asl.json", {
    partition              = local.partition
    generator_function_arn = aws_lambda_function.generator.arn
    generator_seed         = var.generator_seed
    movies_per_day         = var.generator_movies_per_day
    reviews_per_day        = var.generator_reviews_per_day
    bronze_job_name        = aws_glue_job.bronze.name
    dbt_project_name       = aws_codebuild_project.dbt.name
    alerts_topic_arn       = aws_sns_topic.alerts.arn
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.pipeline.arn}:*"
    include_execution_data = true
    level                  = "ALL"
  }

  tracing_configuration {
    enabled = true
  }

  encryption_configuration {
    type                              = "CUSTOMER_MANAGED_KMS_KEY"
    kms_key_id                        = aws_kms_key.main.arn
    kms_data_key_reuse_period_seconds = 300
  }

  # role_arn orders this after the role, not after its policy; Step Functions checks at creation that
  # the role may deliver logs ("not authorized to access the Log Destination" on a first apply).
  depends_on = [aws_iam_role_policy.pipeline]
}

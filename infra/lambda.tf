# The raw generator: ingestion.generator.lambda_handler writes one day of one dataset's raw files to
# s3://<raw bucket>/raw/<dataset>/ingest_date=.../. The pipeline state machine invokes it once per
# dataset as its first step, and the daily EventBridge schedule starts the state machine
# (eventbridge.tf), so generation and ingestion of a day always go together.

resource "aws_lambda_function" "generator" {
  #checkov:skip=CKV_AWS_117:The function only calls S3 and KMS public endpoints; a VPC would add NAT or endpoints and no protection
  #checkov:skip=CKV_AWS_116:Invoked synchronously by Step Functions, which retries and notifies on failure; a DLQ would never receive an event
  #checkov:skip=CKV_AWS_272:Code signing needs an AWS Signer profile outside this module; the package is uploaded by terraform from a build of the tested repo
  function_name = "${local.name}-generator"
  description   = "Oakvale raw data generator (ingestion.generator)"
  role          = aws_iam_role.generator.arn
  runtime       = "python3.11"
  architectures = ["x86_64"]
  handler       = "ingestion.generator.lambda_handler"

  s3_bucket         = aws_s3_object.lambda_package.bucket
  s3_key            = aws_s3_object.lambda_package.key
  s3_object_version = aws_s3_object.lambda_package.version_id
  source_code_hash  = filebase64sha256(var.lambda_zip_path)

  timeout                        = var.lambda_timeout_seconds
  memory_size                    = var.lambda_memory_mb
  reserved_concurrent_executions = var.lambda_reserved_concurrency
  kms_key_arn                    = aws_kms_key.main.arn

  environment {
    variables = {
      OAKVALE_RAW_URI     = local.raw_root
      OAKVALE_ENVIRONMENT = var.environment
    }
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.generator.name
  }

  depends_on = [aws_cloudwatch_log_group.generator, aws_iam_role_policy.generator]
}

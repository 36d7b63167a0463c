# Log groups of every component, encrypted with the key and kept for var.log_retention_days.

resource "aws_cloudwatch_log_group" "generator" {
  name              = "/aws/lambda/${local.name}-generator"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

# Continuous logs of the bronze job (--continuous-log-logGroup). With a security configuration that
# encrypts CloudWatch logs, Glue may create further groups under /aws-glue/jobs/ itself (its role may).
resource "aws_cloudwatch_log_group" "glue_bronze" {
  name              = "/aws-glue/jobs/${local.name}-bronze"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_cloudwatch_log_group" "dbt" {
  name              = "/aws/codebuild/${local.name}-dbt"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_cloudwatch_log_group" "pipeline" {
  name              = "/aws/vendedlogs/states/${local.name}-pipeline"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

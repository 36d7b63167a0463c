# Log groups of every component, encrypted with the key and kept for var.log_retention_days.

resource "aws_cloudwatch_log_group" "generator" {
  name              = "/aws/lambda/${local.name}-generator"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

# Bronze job logs. Glue 5.0 logs every job in real time to <prefix>/output (stdout, stderr) and
# <prefix>/error (Spark, Glue logger); the job sets the prefix with --custom-logGroup-prefix.
# With a security configuration that encrypts CloudWatch logs Glue may also create groups of its own
# under /aws-glue/ (its role may).
locals {
  glue_log_group_prefix = "/aws-glue/jobs/${local.name}-bronze"
}

resource "aws_cloudwatch_log_group" "glue_bronze" {
  for_each = toset(["output", "error"])

  name              = "${local.glue_log_group_prefix}/${each.key}"
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

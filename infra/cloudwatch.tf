# Log groups of every component, encrypted with the key and kept for var.log_retention_days.

resource "aws_cloudwatch_log_group" "generator" {
  name              = "/aws/lambda/${local.name}-generator"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

# Bronze job logs. Glue 5.0 logs every job in real time to <prefix>/output (stdout, stderr) and
# <prefix>/error (Spark, Glue logger). With a security configuration that encrypts CloudWatch logs (ours
# does) Glue writes to /aws-glue/jobs/<security configuration>-role<role path><role name>/output|error
# instead, so that is the prefix of the groups managed here (retention, key), and --custom-logGroup-prefix
# names the same groups: whichever of the two Glue follows, it writes into these. AWS's docs do not
# settle the name for Glue 5.0 (infra/README.md); the role may still create groups under /aws-glue/, so
# a wrong name would leave logs in a group without retention rather than lose them.
locals {
  glue_log_group_prefix = "/aws-glue/jobs/${aws_glue_security_configuration.bronze.name}-role${aws_iam_role.glue_bronze.path}${aws_iam_role.glue_bronze.name}"
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

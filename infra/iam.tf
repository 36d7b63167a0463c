# One role per component, each scoped to the buckets, prefixes, databases and resources it uses.
# The only "*" resources are for actions AWS does not scope to a resource (X-Ray, CloudWatch
# metrics, Step Functions log delivery, the ECR login token); tests/infra keeps it that way.

locals {
  bucket_arn = { for k, b in aws_s3_bucket.this : k => b.arn }

  glue_catalog_arn = "arn:${local.partition}:glue:${local.region}:${local.account_id}:catalog"
  glue_db_arn      = { for layer, name in var.glue_database_names : layer => "arn:${local.partition}:glue:${local.region}:${local.account_id}:database/${name}" }
  glue_tables_arn  = { for layer, name in var.glue_database_names : layer => "arn:${local.partition}:glue:${local.region}:${local.account_id}:table/${name}/*" }

  kms_use_actions = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
}

# ------------------------------------------------------------------ generator Lambda

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "generator" {
  name               = "${local.name}-generator"
  description        = "Generator Lambda: writes raw files"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

data "aws_iam_policy_document" "generator" {
  statement {
    sid       = "ListRawPrefix"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn["raw"]]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["raw/*"]
    }
  }
  statement {
    sid       = "WriteRawFiles" # a re-run of a day deletes its own stale part files
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.bucket_arn["raw"]}/raw/*"]
  }
  statement {
    sid       = "UseKey"
    actions   = local.kms_use_actions
    resources = [aws_kms_key.main.arn]
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.generator.arn}:*"]
  }
  statement {
    sid       = "XRayTraces" # X-Ray has no resource-level permissions
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "generator" {
  name   = "generator"
  role   = aws_iam_role.generator.id
  policy = data.aws_iam_policy_document.generator.json
}

# ------------------------------------------------------------------ bronze Glue job

data "aws_iam_policy_document" "assume_glue" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "glue_bronze" {
  name               = "${local.name}-glue-bronze"
  description        = "Bronze Glue job: reads raw, writes bronze Delta and its catalog tables"
  assume_role_policy = data.aws_iam_policy_document.assume_glue.json
}

data "aws_iam_policy_document" "glue_bronze" {
  statement {
    sid       = "ListBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [local.bucket_arn["raw"], local.bucket_arn["lakehouse"], local.bucket_arn["glue-scripts"]]
  }
  statement {
    sid       = "ReadRaw"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn["raw"]}/raw/*"]
  }
  statement {
    sid       = "WriteBronze" # Delta tables, their logs and the job's ledger
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.bucket_arn["lakehouse"]}/lakehouse/bronze/*"]
  }
  statement {
    sid     = "ReadCode"
    actions = ["s3:GetObject"]
    resources = [
      "${local.bucket_arn["glue-scripts"]}/scripts/*",
      "${local.bucket_arn["glue-scripts"]}/wheels/*",
    ]
  }
  statement {
    sid     = "GlueTempAndSparkUi"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [
      "${local.bucket_arn["glue-scripts"]}/temp/*",
      "${local.bucket_arn["glue-scripts"]}/spark-ui/*",
    ]
  }
  statement {
    sid       = "UseKey"
    actions   = local.kms_use_actions
    resources = [aws_kms_key.main.arn]
  }
  statement {
    sid = "BronzeCatalog"
    actions = [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetTables",
      "glue:CreateTable",
      "glue:UpdateTable",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
      "glue:CreatePartition",
      "glue:BatchCreatePartition",
      "glue:UpdatePartition",
    ]
    resources = [local.glue_catalog_arn, local.glue_db_arn["bronze"], local.glue_tables_arn["bronze"]]
  }
  statement {
    sid = "JobLogs"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:AssociateKmsKey",
    ]
    resources = [
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws-glue/*",
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws-glue/*:*",
    ]
  }
  statement {
    sid       = "JobMetrics" # PutMetricData has no resource-level permissions; limited to the Glue namespace
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Glue"]
    }
  }
}

resource "aws_iam_role_policy" "glue_bronze" {
  name   = "glue-bronze"
  role   = aws_iam_role.glue_bronze.id
  policy = data.aws_iam_policy_document.glue_bronze.json
}

# ------------------------------------------------------------------ dbt runner (CodeBuild)

data "aws_iam_policy_document" "assume_codebuild" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "dbt" {
  name               = "${local.name}-dbt"
  description        = "dbt runner: Athena queries over bronze, builds silver and gold"
  assume_role_policy = data.aws_iam_policy_document.assume_codebuild.json
}

data "aws_iam_policy_document" "dbt" {
  statement {
    sid = "AthenaWorkgroup"
    actions = [
      "athena:StartQueryExecution",
      "athena:StopQueryExecution",
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:GetWorkGroup",
      "athena:BatchGetQueryExecution",
      "athena:ListQueryExecutions",
    ]
    resources = [aws_athena_workgroup.main.arn]
  }
  statement {
    sid       = "AthenaCatalog"
    actions   = ["athena:GetDataCatalog", "athena:GetDatabase", "athena:GetTableMetadata", "athena:ListDatabases", "athena:ListTableMetadata"]
    resources = ["arn:${local.partition}:athena:${local.region}:${local.account_id}:datacatalog/AwsDataCatalog"]
  }
  statement {
    sid       = "ReadBronzeCatalog"
    actions   = ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"]
    resources = [local.glue_catalog_arn, local.glue_db_arn["bronze"], local.glue_tables_arn["bronze"]]
  }
  statement {
    sid = "BuildSilverAndGoldCatalog"
    actions = [
      "glue:GetDatabase",
      "glue:GetDatabases",
      "glue:GetTable",
      "glue:GetTables",
      "glue:CreateTable",
      "glue:UpdateTable",
      "glue:DeleteTable",
      "glue:BatchDeleteTable",
      "glue:GetTableVersion",
      "glue:GetTableVersions",
      "glue:DeleteTableVersion",
      "glue:BatchDeleteTableVersion",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
      "glue:BatchCreatePartition",
      "glue:BatchDeletePartition",
    ]
    resources = [
      local.glue_catalog_arn,
      local.glue_db_arn["silver"],
      local.glue_tables_arn["silver"],
      local.glue_db_arn["gold"],
      local.glue_tables_arn["gold"],
    ]
  }
  statement {
    sid       = "ListBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [local.bucket_arn["lakehouse"], local.bucket_arn["athena-results"]]
  }
  statement {
    sid       = "ReadBronze"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn["lakehouse"]}/lakehouse/bronze/*"]
  }
  statement {
    # dbt-athena writes under s3_data_dir (lakehouse/) as <database>/<table>/<uuid> with the
    # profile's schema_table_unique naming; lakehouse/silver and lakehouse/gold (the databases'
    # locations) are allowed too for models that set their own s3_data_dir.
    sid     = "WriteSilverAndGold"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [
      "${local.bucket_arn["lakehouse"]}/lakehouse/silver/*",
      "${local.bucket_arn["lakehouse"]}/lakehouse/gold/*",
      "${local.bucket_arn["lakehouse"]}/lakehouse/${var.glue_database_names.silver}/*",
      "${local.bucket_arn["lakehouse"]}/lakehouse/${var.glue_database_names.gold}/*",
    ]
  }
  statement {
    sid       = "QueryResults"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${local.bucket_arn["athena-results"]}/*"]
  }
  statement {
    sid       = "UseKey"
    actions   = local.kms_use_actions
    resources = [aws_kms_key.main.arn]
  }
  statement {
    sid       = "PullRunnerImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.dbt_runner.arn]
  }
  statement {
    sid       = "EcrLogin" # the registry token is not scoped to a repository
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "BuildLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.dbt.arn}:*"]
  }
}

resource "aws_iam_role_policy" "dbt" {
  name   = "dbt"
  role   = aws_iam_role.dbt.id
  policy = data.aws_iam_policy_document.dbt.json
}

# ------------------------------------------------------------------ Lake Formation (opt-in, lakeformation.tf)

data "aws_iam_policy_document" "lake_formation" {
  statement {
    sid       = "LakeFormationDataAccess" # GetDataAccess has no resource-level permissions
    actions   = ["lakeformation:GetDataAccess"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "lake_formation" {
  for_each = var.lake_formation ? { glue_bronze = aws_iam_role.glue_bronze.id, dbt = aws_iam_role.dbt.id } : {}

  name   = "lake-formation"
  role   = each.value
  policy = data.aws_iam_policy_document.lake_formation.json
}

# ------------------------------------------------------------------ pipeline state machine

data "aws_iam_policy_document" "assume_states" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "pipeline" {
  name               = "${local.name}-pipeline"
  description        = "Pipeline state machine: invokes the generator, the bronze job and the dbt build"
  assume_role_policy = data.aws_iam_policy_document.assume_states.json
}

data "aws_iam_policy_document" "pipeline" {
  statement {
    sid       = "InvokeGenerator"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.generator.arn, "${aws_lambda_function.generator.arn}:*"]
  }
  statement {
    sid       = "RunBronzeJob"
    actions   = ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"]
    resources = [aws_glue_job.bronze.arn]
  }
  statement {
    sid       = "RunDbtBuild"
    actions   = ["codebuild:StartBuild", "codebuild:StopBuild", "codebuild:BatchGetBuilds"]
    resources = [aws_codebuild_project.dbt.arn]
  }
  statement {
    sid       = "CodeBuildSyncRule" # the managed rule Step Functions uses to wait for CodeBuild (.sync)
    actions   = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
    resources = ["arn:${local.partition}:events:${local.region}:${local.account_id}:rule/StepFunctionsGetEventsForCodeBuildStartBuildRule"]
  }
  statement {
    sid       = "NotifyFailure"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
  }
  statement {
    sid       = "UseKey" # encrypted topic and execution data
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.main.arn]
  }
  statement {
    sid = "LogDelivery" # CloudWatch Logs vended delivery has no resource-level permissions
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }
  statement {
    sid       = "XRayTraces" # X-Ray has no resource-level permissions
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "pipeline" {
  name   = "pipeline"
  role   = aws_iam_role.pipeline.id
  policy = data.aws_iam_policy_document.pipeline.json
}

# ------------------------------------------------------------------ daily schedule (EventBridge)

data "aws_iam_policy_document" "assume_events" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${local.name}-scheduler"
  description        = "Daily schedule: starts the pipeline state machine"
  assume_role_policy = data.aws_iam_policy_document.assume_events.json
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "StartPipeline"
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.pipeline.arn]
  }
  statement {
    sid       = "EncryptExecutionInput" # the state machine encrypts its data with the key
    actions   = ["kms:GenerateDataKey"]
    resources = [aws_kms_key.main.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "scheduler"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

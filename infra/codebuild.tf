# dbt build --target athena, in the dbt runner container. CodeBuild rather than ECS Fargate:
# no VPC, subnets or cluster to manage, logs in CloudWatch, and Step Functions waits on it (.sync).

resource "aws_codebuild_project" "dbt" {
  name           = "${local.name}-dbt"
  description    = "Oakvale dbt build on Athena (silver and gold Iceberg tables)"
  service_role   = aws_iam_role.dbt.arn
  build_timeout  = var.dbt_build_timeout_minutes
  encryption_key = aws_kms_key.main.arn

  source {
    type      = "NO_SOURCE"
    buildspec = <<-YAML
      version: 0.2
      run-as: dbt
      phases:
        build:
          commands:
            - cd /app/dbt_oakvale && dbt build --target athena --profiles-dir .
    YAML
  }

  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    compute_type                = "BUILD_GENERAL1_SMALL"
    type                        = "LINUX_CONTAINER"
    image                       = "${aws_ecr_repository.dbt_runner.repository_url}:${var.dbt_image_tag}"
    image_pull_credentials_type = "SERVICE_ROLE"
    privileged_mode             = false

    # Read by dbt_oakvale/profiles.yml (the athena target); CodeBuild sets AWS_REGION itself.
    environment_variable {
      name  = "OAKVALE_DBT_TARGET"
      value = "athena"
    }
    environment_variable {
      name  = "OAKVALE_ATHENA_WORKGROUP"
      value = aws_athena_workgroup.main.name
    }
    environment_variable {
      name  = "OAKVALE_ATHENA_S3_STAGING_DIR"
      value = local.dbt_staging_dir
    }
    environment_variable {
      name  = "OAKVALE_ATHENA_S3_DATA_DIR"
      value = "${local.data_root}/lakehouse/"
    }
    environment_variable {
      name  = "OAKVALE_DATA_ROOT"
      value = local.data_root
    }
    environment_variable {
      name  = "OAKVALE_BRONZE_DATABASE"
      value = aws_glue_catalog_database.bronze.name
    }
    environment_variable {
      name  = "OAKVALE_SILVER_DATABASE"
      value = aws_glue_catalog_database.silver.name
    }
    environment_variable {
      name  = "OAKVALE_GOLD_DATABASE"
      value = aws_glue_catalog_database.gold.name
    }
  }

  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.dbt.name
      status     = "ENABLED"
    }
    s3_logs {
      status = "DISABLED"
    }
  }
}

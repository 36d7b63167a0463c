# Glue Data Catalog databases per layer and the bronze job (raw -> Delta).

resource "aws_glue_catalog_database" "bronze" {
  name         = var.glue_database_names.bronze
  description  = "Oakvale bronze: Delta tables written by the bronze Glue job (raw fidelity)"
  location_uri = "${local.bronze_root}/"
}

resource "aws_glue_catalog_database" "silver" {
  name         = var.glue_database_names.silver
  description  = "Oakvale silver: Iceberg tables built by dbt (typed, cleaned, deduplicated)"
  location_uri = "${local.silver_root}/"
}

resource "aws_glue_catalog_database" "gold" {
  name         = var.glue_database_names.gold
  description  = "Oakvale gold: Iceberg tables built by dbt, one per dashboard question"
  location_uri = "${local.gold_root}/"
}

# Everything the job writes to S3, CloudWatch and its (unused) bookmarks is encrypted with the key.
resource "aws_glue_security_configuration" "bronze" {
  name = "${local.name}-bronze"

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = aws_kms_key.main.arn
    }
    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = aws_kms_key.main.arn
    }
    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = aws_kms_key.main.arn
    }
  }
}

# One job, run once per dataset: the state machine starts it with --dataset movies and
# --dataset reviews in parallel (max_concurrent_runs = 2), so the code and settings cannot drift apart.
resource "aws_glue_job" "bronze" {
  name                   = "${local.name}-bronze"
  description            = "Raw NDJSON -> bronze Delta (ingestion.bronze.job), one dataset per run"
  role_arn               = aws_iam_role.glue_bronze.arn
  glue_version           = "5.0"
  worker_type            = var.glue_worker_type
  number_of_workers      = var.glue_number_of_workers
  timeout                = var.glue_timeout_minutes
  max_retries            = 0 # retried by the state machine only, with backoff (templates/pipeline.asl.json)
  security_configuration = aws_glue_security_configuration.bronze.name

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = "s3://${aws_s3_object.glue_script.bucket}/${aws_s3_object.glue_script.key}"
  }

  execution_property {
    max_concurrent_runs = length(local.datasets)
  }

  default_arguments = {
    # job arguments (glue_scripts/bronze_job.py); --dataset is given per run by the state machine
    "--data_root"        = local.data_root
    "--raw_root"         = local.raw_root
    "--reject_threshold" = tostring(var.reject_threshold)
    "--catalog"          = "glue"
    "--bronze_database"  = aws_glue_catalog_database.bronze.name
    "--aws_region"       = local.region
    # Spark writes the Parquet in parallel either way; the Delta commit goes through delta-rs, whose
    # S3 commit is a conditional PUT and safe when runs of one dataset overlap (max_concurrent_runs,
    # a hand-started run). Delta Spark's default S3 log store is safe with one writer only.
    "--writer" = "parquet+delta-rs"

    # Delta through Glue's own jars; the ingestion package as a wheel
    "--datalake-formats"          = "delta"
    "--conf"                      = "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog"
    "--extra-py-files"            = "s3://${aws_s3_object.ingestion_wheel.bucket}/${aws_s3_object.ingestion_wheel.key}"
    "--additional-python-modules" = var.glue_additional_python_modules
    # No --enable-glue-datacatalog: the job reads and writes by path and registers its tables with boto3
    # (ingestion/catalog/glue.py). Spark's Glue catalog client would look up the catalog's `default`
    # database and create it when missing (a new account has none) without the job needing either.

    # The job keeps its own ledger (Delta app transactions): Glue bookmarks stay off.
    "--job-bookmark-option" = "job-bookmark-disable"

    # metrics and logs
    "--enable-metrics"               = "true"
    "--enable-observability-metrics" = "true"
    "--custom-logGroup-prefix"       = local.glue_log_group_prefix
    "--enable-job-insights"          = "true"
    "--enable-spark-ui"              = "true"
    "--spark-event-logs-path"        = "s3://${aws_s3_bucket.this["glue-scripts"].id}/spark-ui/"
    "--TempDir"                      = "s3://${aws_s3_bucket.this["glue-scripts"].id}/temp/"
  }

  # A run before the groups exist would create them itself (no retention), and the apply would then
  # fail on ResourceAlreadyExistsException.
  depends_on = [aws_cloudwatch_log_group.glue_bronze]
}

# Four buckets, one security baseline: SSE-KMS with the customer key, versioning, public access
# blocked, bucket-owner-enforced ownership, TLS-only bucket policy, EventBridge notifications.
# Lifecycle rules differ per bucket and are spelled out below.
#
#   raw             raw/<dataset>/ingest_date=YYYY-MM-DD/...     (generator Lambda writes)
#   lakehouse       lakehouse/bronze/<table>/ (Delta), lakehouse/silver/, lakehouse/gold/ (Iceberg, dbt)
#   glue-scripts    scripts/ (Glue entry), wheels/ (ingestion wheel), lambda/ (generator package), temp/, spark-ui/
#   athena-results  results/ (workgroup output), dbt/ (dbt-athena staging)

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Server access logs would need a fifth bucket that itself cannot log; CloudTrail data events are the audit trail for these buckets
  #checkov:skip=CKV_AWS_144:Cross-region replication is a disaster-recovery choice per environment, not part of this module; versioning keeps object history
  for_each = local.bucket_names

  bucket        = each.value
  force_destroy = var.force_destroy_buckets
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.bucket_names

  bucket = aws_s3_bucket.this[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.bucket_names

  bucket = aws_s3_bucket.this[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.bucket_names

  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.bucket_names

  bucket = aws_s3_bucket.this[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Deny every request that does not use TLS.
data "aws_iam_policy_document" "tls_only" {
  for_each = local.bucket_names

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = [aws_s3_bucket.this[each.key].arn, "${aws_s3_bucket.this[each.key].arn}/*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = local.bucket_names

  bucket = aws_s3_bucket.this[each.key].id
  policy = data.aws_iam_policy_document.tls_only[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

# Object events go to EventBridge (e.g. to trigger or audit on new raw files).
resource "aws_s3_bucket_notification" "this" {
  for_each = local.bucket_names

  bucket      = aws_s3_bucket.this[each.key].id
  eventbridge = true
}

# --- lifecycle, one rule set per bucket ---

resource "aws_s3_bucket_lifecycle_configuration" "raw" {
  bucket = aws_s3_bucket.this["raw"].id

  rule {
    id     = "raw-to-ia-then-glacier"
    status = "Enabled"
    filter {
      prefix = "raw/"
    }
    transition {
      days          = var.raw_transition_ia_days
      storage_class = "STANDARD_IA"
    }
    transition {
      days          = var.raw_transition_glacier_days
      storage_class = "GLACIER"
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {
      prefix = ""
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "lakehouse" {
  bucket = aws_s3_bucket.this["lakehouse"].id

  # Delta and Iceberg rewrite and vacuum files; keep deleted versions only as a short safety net.
  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {
      prefix = ""
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "glue_scripts" {
  bucket = aws_s3_bucket.this["glue-scripts"].id

  rule {
    id     = "expire-glue-temp"
    status = "Enabled"
    filter {
      prefix = "temp/"
    }
    expiration {
      days = 7
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {
      prefix = ""
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "athena_results" {
  bucket = aws_s3_bucket.this["athena-results"].id

  rule {
    id     = "expire-athena-results"
    status = "Enabled"
    filter {
      prefix = ""
    }
    expiration {
      days = var.athena_results_expiration_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# --- build artifacts, uploaded by `terraform apply` so the job never runs a script from another deploy ---

resource "aws_s3_object" "glue_script" {
  bucket      = aws_s3_bucket.this["glue-scripts"].id
  key         = "scripts/bronze_job.py"
  source      = var.glue_script_path
  source_hash = filemd5(var.glue_script_path)
  kms_key_id  = aws_kms_key.main.arn

  server_side_encryption = "aws:kms"
}

resource "aws_s3_object" "ingestion_wheel" {
  bucket      = aws_s3_bucket.this["glue-scripts"].id
  key         = "wheels/${basename(var.ingestion_wheel_path)}"
  source      = var.ingestion_wheel_path
  source_hash = filemd5(var.ingestion_wheel_path)
  kms_key_id  = aws_kms_key.main.arn

  server_side_encryption = "aws:kms"
}

resource "aws_s3_object" "lambda_package" {
  bucket      = aws_s3_bucket.this["glue-scripts"].id
  key         = "lambda/generator.zip"
  source      = var.lambda_zip_path
  source_hash = filemd5(var.lambda_zip_path)
  kms_key_id  = aws_kms_key.main.arn

  server_side_encryption = "aws:kms"
}

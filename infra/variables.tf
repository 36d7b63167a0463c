variable "environment" {
  description = "Deployment environment; part of every name (\"<prefix>-<env>\")."
  type        = string
  default     = "dev"

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be \"dev\" or \"prod\"."
  }
}

variable "aws_region" {
  description = "AWS region for every resource."
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Prefix of every resource name (lower case letters, digits and hyphens)."
  type        = string
  default     = "oakvale"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name_prefix))
    error_message = "name_prefix must be 2-21 characters of lower case letters, digits and hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "glue_database_names" {
  description = "Glue Data Catalog databases per layer. Other code (ingestion/config.py, dbt_oakvale) uses these exact names: change them together."
  type = object({
    bronze = string
    silver = string
    gold   = string
  })
  default = {
    bronze = "oakvale_bronze"
    silver = "oakvale_silver"
    gold   = "oakvale_gold"
  }
}

# --- build artifacts (infra/deploy.sh builds them and passes the paths) ---

variable "ingestion_wheel_path" {
  description = "Path of the built ingestion wheel (dist/oakvale_ingestion-<version>-py3-none-any.whl), shipped to Glue in --extra-py-files."
  type        = string
}

variable "lambda_zip_path" {
  description = "Path of the generator Lambda package (zip of the ingestion package and its generator dependencies)."
  type        = string
}

variable "glue_script_path" {
  description = "Path of the Glue entry script."
  type        = string
  default     = "../glue_scripts/bronze_job.py"
}

variable "dbt_image_tag" {
  description = "Tag of the dbt runner image in the ECR repository (tags are immutable: deploy.sh uses the git commit)."
  type        = string
  default     = "latest-build"
}

# --- runtime settings ---

variable "glue_additional_python_modules" {
  description = "Python packages the bronze job imports that Glue 5.0 does not ship (pip-installed at job start; versions from requirements.lock)."
  type        = string
  default     = "deltalake==1.6.6,duckdb==1.5.5,pydantic==2.14.3,pydantic-settings==2.16.3"
}

variable "glue_worker_type" {
  description = "Glue worker type for the bronze job."
  type        = string
  default     = "G.1X"
}

variable "glue_number_of_workers" {
  description = "Glue workers per bronze job run."
  type        = number
  default     = 2
}

variable "glue_timeout_minutes" {
  description = "Timeout of one bronze job run."
  type        = number
  default     = 60
}

variable "reject_threshold" {
  description = "Max share of rejected lines per bronze run (--reject_threshold)."
  type        = number
  default     = 0.05
}

variable "generator_schedule" {
  description = "EventBridge schedule of the daily pipeline run (generate -> bronze -> dbt)."
  type        = string
  default     = "cron(0 3 * * ? *)"
}

variable "generator_seed" {
  description = "Seed of the generator; with the date it fixes each day's raw data (reruns rewrite the same files)."
  type        = number
  default     = 42
}

variable "generator_movies_per_day" {
  description = "Movie records generated per daily run."
  type        = number
  default     = 1000
}

variable "generator_reviews_per_day" {
  description = "Review records generated per daily run."
  type        = number
  default     = 20000
}

variable "schedule_enabled" {
  description = "Whether the daily schedule is enabled."
  type        = bool
  default     = true
}

variable "lambda_timeout_seconds" {
  description = "Timeout of the generator Lambda."
  type        = number
  default     = 300
}

variable "lambda_memory_mb" {
  description = "Memory of the generator Lambda."
  type        = number
  default     = 1024
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrency of the generator. -1 (default): unreserved; Lambda refuses any reservation that leaves the account less than 100 unreserved, so a new account (quota often 10) cannot reserve at all. On an account with room, 2 caps it at one run per dataset."
  type        = number
  default     = -1

  validation {
    condition     = var.lambda_reserved_concurrency == -1 || var.lambda_reserved_concurrency >= 2
    error_message = "Use -1 (unreserved) or at least 2: the pipeline runs the generator for both datasets in parallel."
  }
}

variable "athena_bytes_scanned_cutoff" {
  description = "Per-query limit of bytes scanned in the Athena workgroup (default 10 GiB)."
  type        = number
  default     = 10737418240

  validation {
    condition     = var.athena_bytes_scanned_cutoff >= 10485760
    error_message = "Athena's smallest per-query cutoff is 10 MB (10485760 bytes)."
  }
}

variable "athena_results_expiration_days" {
  description = "Days after which Athena query results expire."
  type        = number
  default     = 30
}

variable "raw_transition_ia_days" {
  description = "Days after which raw objects move to S3 Standard-IA."
  type        = number
  default     = 30

  validation {
    condition     = var.raw_transition_ia_days >= 30
    error_message = "S3 moves objects to Standard-IA after 30 days at the earliest."
  }
}

variable "raw_transition_glacier_days" {
  description = "Days after which raw objects move to S3 Glacier Flexible Retrieval (after Standard-IA)."
  type        = number
  default     = 90

  validation {
    condition     = var.raw_transition_glacier_days >= 60
    error_message = "Objects must stay 30 days in Standard-IA: use at least 60 (with the default 30-day IA transition)."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent object versions expire (Delta/Iceberg rewrite files; versions are a safety net, not history)."
  type        = number
  default     = 30
}

variable "log_retention_days" {
  description = "Retention of the CloudWatch log groups."
  type        = number
  default     = 365
}

variable "dbt_build_timeout_minutes" {
  description = "Timeout of the dbt CodeBuild run."
  type        = number
  default     = 60
}

variable "alert_email" {
  description = "E-mail subscribed to pipeline failure notifications (empty: no subscription)."
  type        = string
  default     = ""
}

variable "force_destroy_buckets" {
  description = "Let `terraform destroy` delete non-empty buckets (dev only; keep false in prod)."
  type        = bool
  default     = false
}

variable "lake_formation" {
  description = "Grant the bronze job's and dbt's roles Lake Formation permissions on the Glue databases and their tables (lakeformation.tf). Turn on in accounts where Lake Formation governs new databases (no IAMAllowedPrincipals); the applying principal must then be a data lake administrator."
  type        = bool
  default     = false
}

# Repository of the dbt runner image (infra/docker/dbt-runner/Dockerfile); deploy.sh pushes it.

resource "aws_ecr_repository" "dbt_runner" {
  name                 = "${local.name}-dbt-runner"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_destroy_buckets

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.main.arn
  }
}

resource "aws_ecr_lifecycle_policy" "dbt_runner" {
  repository = aws_ecr_repository.dbt_runner.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the 20 most recent images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = 20
      }
      action = { type = "expire" }
    }]
  })
}

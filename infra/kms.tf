# One customer-managed key encrypts every bucket, log group, topic, the Lambda environment,
# Athena results, the Glue job's outputs and the dbt runner's image repository.
resource "aws_kms_key" "main" {
  description             = "${local.name}: data, logs and results"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.main.key_id
}

# Key policy. In a key policy "resources = [\"*\"]" means "this key"; actions stay explicit.
data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:Key policy: "*" is this key only, and administering it is the account's job (AWS's default key policy)
  #checkov:skip=CKV_AWS_111:Key policy: "*" is this key only; write use is granted to roles by IAM policies naming the key ARN
  #checkov:skip=CKV_AWS_356:Key policy: "*" is this key only (a key policy cannot name other resources)
  # The account administers and uses the key; IAM policies then decide who in it may
  # (every role in iam.tf names this key's ARN).
  statement {
    sid = "AccountAdministers"
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
    actions = [
      "kms:CancelKeyDeletion",
      "kms:Create*",
      "kms:Decrypt",
      "kms:Delete*",
      "kms:Describe*",
      "kms:Disable*",
      "kms:Enable*",
      "kms:Encrypt",
      "kms:GenerateDataKey*",
      "kms:Get*",
      "kms:List*",
      "kms:Put*",
      "kms:ReEncrypt*",
      "kms:Revoke*",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:Update*",
    ]
    resources = ["*"]
  }

  # CloudWatch Logs encrypts this stack's log groups (Lambda, Glue, CodeBuild, Step Functions).
  statement {
    sid = "CloudWatchLogsEncrypt"
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    actions = [
      "kms:Decrypt*",
      "kms:Describe*",
      "kms:Encrypt*",
      "kms:GenerateDataKey*",
      "kms:ReEncrypt*",
    ]
    resources = ["*"]
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }

  # Vended log delivery writes the state machine's logs, whose execution data this key encrypts.
  statement {
    sid = "LogDeliveryDecrypts"
    principals {
      type        = "Service"
      identifiers = ["delivery.logs.amazonaws.com"]
    }
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  # EventBridge publishes failure events to the encrypted SNS topic.
  statement {
    sid = "EventBridgePublishesToEncryptedTopic"
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# The daily schedule starts the whole pipeline (generate -> bronze -> dbt), so the generator Lambda
# runs once a day and every generated day is ingested and built; and executions that time out (after
# the definition's 4 h TimeoutSeconds) or are aborted, which bypass the state machine's own failure
# step, are sent to SNS.

resource "aws_cloudwatch_event_rule" "daily" {
  name                = "${local.name}-daily"
  description         = "Daily Oakvale pipeline run (generator Lambda first)"
  schedule_expression = var.generator_schedule
  state               = var.schedule_enabled ? "ENABLED" : "DISABLED"
}

resource "aws_cloudwatch_event_target" "daily_pipeline" {
  rule     = aws_cloudwatch_event_rule.daily.name
  arn      = aws_sfn_state_machine.pipeline.arn
  role_arn = aws_iam_role.scheduler.arn
  input    = jsonencode({ trigger = "schedule" })
}

resource "aws_cloudwatch_event_rule" "pipeline_status" {
  name        = "${local.name}-pipeline-timed-out-or-aborted"
  description = "Oakvale pipeline executions that timed out or were aborted"
  event_pattern = jsonencode({
    source        = ["aws.states"]
    "detail-type" = ["Step Functions Execution Status Change"]
    detail = {
      status          = ["TIMED_OUT", "ABORTED"]
      stateMachineArn = [aws_sfn_state_machine.pipeline.arn]
    }
  })
}

resource "aws_cloudwatch_event_target" "pipeline_status_sns" {
  rule = aws_cloudwatch_event_rule.pipeline_status.name
  arn  = aws_sns_topic.alerts.arn
}

locals {
  # Metric names come from modules/metrics.json, the list the functions emit (functions/lib/log.ts,
  # kept equal by test/unit/metric-names.test.ts): local.metric.<Name> fails the plan for a name the
  # functions do not emit. A metric logged with a reason is also published without the Reason
  # dimension, the total the alarms watch.
  metric = { for name, _ in jsondecode(file("${path.module}/modules/metrics.json")).metrics : name => name }

  region = split(":", module.websocket_api.api_execution_arn)[3] # arn:<partition>:execute-api:<region>:…

  function_names = { for key, fn in local.functions : key => fn.function_name }

  # Alarms on one metric each, beside the fan-out queue's own (dead-letter depth, oldest record's age,
  # the fanout function's errors: modules/fanout-queue/alarms.tf). The functions catch and log their
  # internal errors (answering 500 or INTERNAL), so Lambda's Errors count only crashes and timeouts:
  # the functions' own Errors metric counts the rest.
  metric_alarms = merge(
    {
      for key, name in local.function_names : "${key}_errors" => {
        description = "${name} failed invocations (crashes and timeouts)."
        namespace   = "AWS/Lambda"
        metric_name = "Errors"
        dimensions  = { FunctionName = name }
        period      = 60
        threshold   = 0
      } if key != "fanout"
    },
    {
      for key, name in local.function_names : "${key}_throttles" => {
        description = "${name} invocations throttled (reserved concurrency or the account's limit)."
        namespace   = "AWS/Lambda"
        metric_name = "Throttles"
        dimensions  = { FunctionName = name }
        period      = 60
        threshold   = 0
      }
    },
    {
      internal_errors = {
        description = "The functions logged internal errors (event internal_error or fanout_error; Reason says which)."
        namespace   = var.metrics_namespace
        metric_name = local.metric.Errors
        dimensions  = {}
        period      = 60
        threshold   = 0
      }
      authorizer_denials = {
        description = "The authorizer refused more than ${var.alarm_thresholds.authorizer_denials} handshakes in 5 minutes (Rejects by Reason tells why)."
        namespace   = var.metrics_namespace
        metric_name = local.metric.AuthorizerDenials
        dimensions  = {}
        period      = 300
        threshold   = var.alarm_thresholds.authorizer_denials
      }
      resume_gaps = {
        description = "More than ${var.alarm_thresholds.resume_gaps} RESUME_GAP frames in 5 minutes: sessions expire before their clients resume, or channel logs do not reach back far enough."
        namespace   = var.metrics_namespace
        metric_name = local.metric.ResumeGaps
        dimensions  = {}
        period      = 300
        threshold   = var.alarm_thresholds.resume_gaps
      }
    },
  )
}

resource "aws_cloudwatch_metric_alarm" "metric" {
  for_each = { for key, alarm in local.metric_alarms : key => alarm if var.alarms_enabled }

  alarm_name          = "${var.name}-${replace(each.key, "_", "-")}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = length(each.value.dimensions) == 0 ? null : each.value.dimensions
  statistic           = "Sum"
  period              = each.value.period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = var.tags
}

# The share of posts answered 410 Gone: clients vanishing without $disconnect reaching the table
# first, or a sweeper that falls behind.
resource "aws_cloudwatch_metric_alarm" "stale_connections" {
  count = var.alarms_enabled ? 1 : 0

  alarm_name          = "${var.name}-stale-connection-rate"
  alarm_description   = "More than ${var.alarm_thresholds.stale_connection_percent}% of posts in 5 minutes were answered 410 Gone."
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_thresholds.stale_connection_percent
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = var.tags

  metric_query {
    id          = "rate"
    expression  = "IF(gone + sent > 0, 100 * gone / (gone + sent), 0)"
    label       = "Posts answered 410 (%)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { gone = local.metric.StaleConnections, sent = local.metric.Delivered }

    content {
      id = metric_query.key

      metric {
        namespace   = var.metrics_namespace
        metric_name = metric_query.value
        period      = 300
        stat        = "Sum"
      }
    }
  }
}

locals {
  # Dashboard widgets: [namespace, metric, dimension, value…, options] rows, or search expressions
  # for the metrics kept per Reason.
  custom_row     = { for name, _ in local.metric : name => [var.metrics_namespace, name] }
  api_dimensions = ["ApiId", module.websocket_api.api_id, "Stage", var.stage_name]
  by_reason = { for name in [local.metric.Rejects, local.metric.AuthorizerDenials, local.metric.BadMessages, local.metric.DeadLettered] :
    name => [{ expression = "SEARCH('{${var.metrics_namespace},Reason} MetricName=\"${name}\"', 'Sum', 60)", id = "r${lower(name)}", label = "" }]
  }

  dashboard_widgets = [
    { title = "Connections", stat = "Sum", metrics = [
      concat(["AWS/ApiGateway", "ConnectCount"], local.api_dimensions),
      local.custom_row[local.metric.Connects],
      local.custom_row[local.metric.Disconnects],
    ] },
    { title = "Rejects by reason", stat = "Sum", metrics = local.by_reason[local.metric.Rejects] },
    { title = "Authorizer denials by reason", stat = "Sum", metrics = local.by_reason[local.metric.AuthorizerDenials] },
    { title = "Messages", stat = "Sum", metrics = [
      concat(["AWS/ApiGateway", "MessageCount"], local.api_dimensions),
      local.custom_row[local.metric.Published],
      local.custom_row[local.metric.BadMessages],
    ] },
    { title = "Deliveries", stat = "Sum", metrics = [
      local.custom_row[local.metric.Delivered],
      local.custom_row[local.metric.DeliveryRetries],
      local.custom_row[local.metric.StaleConnections],
      local.custom_row[local.metric.DeadLettered],
    ] },
    { title = "Fan-out lag (ms, worst record of an invocation)", stat = "Maximum", metrics = [
      local.custom_row[local.metric.FanoutLag],
      [var.metrics_namespace, local.metric.FanoutLag, { stat = "p50", label = "FanoutLag p50" }],
    ] },
    { title = "Fan-out queue (oldest record, s)", stat = "Maximum", metrics = [
      ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", module.fanout_queue.queue_name],
      ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", module.fanout_queue.dlq_name, { label = "Dead-letter queue depth" }],
    ] },
    { title = "Resumes and gaps", stat = "Sum", metrics = [
      local.custom_row[local.metric.Resumes],
      local.custom_row[local.metric.ResumeGaps],
    ] },
    { title = "Sessions", stat = "Sum", metrics = [
      local.custom_row[local.metric.SessionsStarted],
      local.custom_row[local.metric.SessionsExpired],
      local.custom_row[local.metric.SessionsEvicted],
      local.custom_row[local.metric.RefreshTokenReuse],
    ] },
    { title = "Function errors", stat = "Sum", metrics = concat(
      [for name in values(local.function_names) : ["AWS/Lambda", "Errors", "FunctionName", name]],
      [local.custom_row[local.metric.Errors]],
    ) },
    { title = "Function throttles", stat = "Sum", metrics = [for name in values(local.function_names) : ["AWS/Lambda", "Throttles", "FunctionName", name]] },
  ]

  dashboard_body = jsonencode({
    widgets = [
      for index, widget in local.dashboard_widgets : {
        type   = "metric"
        x      = (index % 2) * 12
        y      = floor(index / 2) * 6
        width  = 12
        height = 6
        properties = {
          title   = widget.title
          region  = local.region
          view    = "timeSeries"
          stacked = false
          stat    = widget.stat
          period  = 60
          metrics = widget.metrics
        }
      }
    ]
  })
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.dashboard_enabled ? 1 : 0

  dashboard_name = var.name
  dashboard_body = local.dashboard_body
}

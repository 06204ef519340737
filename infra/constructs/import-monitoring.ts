import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME } from './import-functions.ts';

export interface MonitoredRule {
  readonly rule: events.IRule;
  /** Set for rules on a custom bus: their metrics carry EventBusName as well as RuleName. */
  readonly eventBusName?: string;
}

export interface ImportMonitoringProps {
  readonly stateMachines: readonly { readonly label: string; readonly machine: sfn.IStateMachine }[];
  readonly functions: readonly { readonly name: string; readonly fn: lambda.IFunction; readonly timeout: Duration }[];
  readonly rules: readonly MonitoredRule[];
  readonly deadLetterQueues: readonly { readonly label: string; readonly queue: sqs.IQueue }[];
  /** Catalog table names: per-table failure and freshness alarms. */
  readonly tables: readonly string[];
  readonly alarmEmail?: string;
  readonly dashboardName: string;
  /** The Aurora cluster the imports write into: its load next to the import durations. */
  readonly clusterIdentifier: string;
}

const FIVE_MINUTES = Duration.minutes(5);
/** Alarm when the slowest invocation in five minutes used this share of the function's timeout. */
export const DURATION_ALARM_SHARE = 0.8;
/** Freshness: no Import Succeeded for a table in this many consecutive hours. */
export const FRESHNESS_HOURS = 2;

/**
 * The alarms of design.md section 7, all notifying one SNS topic, and the operations dashboard. AWS metrics that
 * are only emitted when non-zero treat missing data as not breaching; freshness treats it as breaching, since
 * silence is exactly what it watches for.
 */
export class ImportMonitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  private readonly action: cloudwatchActions.SnsAction;

  constructor(scope: Construct, id: string, props: ImportMonitoringProps) {
    super(scope, id);
    // CloudWatch can only publish to an encrypted topic whose customer managed key lets it.
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'aurora-imports alarm topic',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'aurora-imports alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    this.action = new cloudwatchActions.SnsAction(this.topic);

    for (const { label, machine } of props.stateMachines) {
      this.alarm(`${label}ExecutionsFailed`, machine.metricFailed({ period: FIVE_MINUTES }), {
        description: `${label}: executions failed`,
      });
      this.alarm(`${label}ExecutionsTimedOut`, machine.metricTimedOut({ period: FIVE_MINUTES }), {
        description: `${label}: executions timed out`,
      });
      this.alarm(`${label}ExecutionThrottled`, machine.metricThrottled({ period: FIVE_MINUTES }), {
        description: `${label}: execution throttled`,
      });
    }
    for (const { name, fn, timeout } of props.functions) {
      const label = pascal(name);
      this.alarm(`${label}Errors`, fn.metricErrors({ period: FIVE_MINUTES }), { description: `${name}: errors` });
      this.alarm(`${label}Throttles`, fn.metricThrottles({ period: FIVE_MINUTES }), {
        description: `${name}: throttles`,
      });
      this.alarm(
        `${label}DurationNearTimeout`,
        fn.metricDuration({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM }),
        {
          description: `${name}: an invocation took over ${DURATION_ALARM_SHARE * 100}% of its ${timeout.toSeconds()} s timeout`,
          threshold: Math.round(timeout.toMilliseconds() * DURATION_ALARM_SHARE),
          comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        },
      );
    }
    for (const { rule, eventBusName } of props.rules) {
      const label = rule.node.scope ? `${rule.node.scope.node.id}${rule.node.id}` : rule.node.id;
      for (const metricName of ['FailedInvocations', 'InvocationsFailedToBeSentToDlq']) {
        this.alarm(`${label}${metricName}`, ruleMetric(rule, metricName, eventBusName), {
          description: `EventBridge rule ${label}: ${metricName}`,
        });
      }
    }
    for (const { label, queue } of props.deadLetterQueues) {
      this.alarm(
        `${label}Depth`,
        queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM }),
        {
          description: `${label}: messages waiting in a dead-letter queue (inspect, then redrive)`,
          comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          threshold: 0,
        },
      );
    }
    for (const table of props.tables) {
      this.alarm(`ImportFailed-${table}`, importMetric('ImportFailed', table, FIVE_MINUTES), {
        description: `${table}: an import failed (Import Failed event published)`,
      });
      this.alarm(`Freshness-${table}`, importMetric('ImportSucceeded', table, Duration.hours(1)), {
        description: `${table}: no Import Succeeded for ${FRESHNESS_HOURS} hours`,
        comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        threshold: 1,
        evaluationPeriods: FRESHNESS_HOURS,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
      widgets: dashboardRows(props, this.alarms),
    });
  }

  private alarm(
    id: string,
    metric: cloudwatch.IMetric,
    options: {
      description: string;
      threshold?: number;
      comparison?: cloudwatch.ComparisonOperator;
      evaluationPeriods?: number;
      treatMissingData?: cloudwatch.TreatMissingData;
    },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      alarmDescription: `aurora-imports: ${options.description}`,
      threshold: options.threshold ?? 1,
      comparisonOperator: options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      datapointsToAlarm: options.evaluationPeriods ?? 1,
      treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}

/** A pipeline metric of one table, as Powertools emits it (dimensions service and table). */
export function importMetric(
  metricName: string,
  table: string,
  period: Duration,
  options: { statistic?: string; label?: string } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: POWERTOOLS_SERVICE_NAME, table },
    statistic: options.statistic ?? cloudwatch.Stats.SUM,
    period,
    // A label makes an alarm render as a metric query; only the dashboard sets one.
    ...(options.label ? { label: options.label } : {}),
  });
}

function ruleMetric(rule: events.IRule, metricName: string, eventBusName?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Events',
    metricName,
    dimensionsMap: eventBusName ? { EventBusName: eventBusName, RuleName: rule.ruleName } : { RuleName: rule.ruleName },
    statistic: cloudwatch.Stats.SUM,
    period: FIVE_MINUTES,
  });
}

function dashboardRows(props: ImportMonitoringProps, alarms: readonly cloudwatch.Alarm[]): cloudwatch.IWidget[][] {
  const hour = Duration.hours(1);
  const perTable = (metricName: string, statistic = 'Sum') =>
    props.tables.map((table) => importMetric(metricName, table, hour, { statistic, label: table }));
  const graph = (title: string, left: cloudwatch.IMetric[], width = 8) =>
    new cloudwatch.GraphWidget({ title, left, width, height: 6, legendPosition: cloudwatch.LegendPosition.RIGHT });
  return [
    [
      new cloudwatch.TextWidget({
        markdown:
          '# aurora-imports\nHourly imports into Aurora, one line per catalog table. A gap in **Imports** is what the freshness alarm watches; **Failures** and **Retries** say why. See docs/deploy.md, "Reading the dashboard".',
        width: 24,
        height: 2,
      }),
    ],
    [
      graph('Imports succeeded per table (per hour)', perTable('ImportSucceeded')),
      graph('Rows imported per table (per hour)', perTable('RowsImported')),
      graph('Import duration p90 per table (ms)', perTable('ImportDuration', 'p90')),
    ],
    [
      graph('Failures per table (per hour)', perTable('ImportFailed'), 6),
      graph(
        'Athena retries by cause class (per hour)',
        [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},causeClass,service} MetricName="Retries"', 'Sum', 3600)`,
            label: 'retries',
            period: hour,
            usingMetrics: {},
          }),
        ],
        6,
      ),
      graph(
        'Import slot waits by weight (per hour)',
        [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},service,weight} MetricName="SlotBusy"', 'Sum', 3600)`,
            label: 'slot busy',
            period: hour,
            usingMetrics: {},
          }),
        ],
        6,
      ),
      graph(
        'Dead-letter queues (messages visible)',
        props.deadLetterQueues.map(({ label, queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({ label, statistic: cloudwatch.Stats.MAXIMUM }),
        ),
        6,
      ),
    ],
    props.stateMachines.map(({ label, machine }) =>
      graph(
        `${label} executions`,
        [
          machine.metricStarted({ label: 'started' }),
          machine.metricSucceeded({ label: 'succeeded' }),
          machine.metricFailed({ label: 'failed' }),
          machine.metricTimedOut({ label: 'timed out' }),
          machine.metricThrottled({ label: 'throttled' }),
        ],
        12,
      ),
    ),
    [
      graph(
        'Function errors',
        props.functions.map(({ name, fn }) => fn.metricErrors({ label: name })),
        12,
      ),
      graph(
        'Function duration max (ms)',
        props.functions.map(({ name, fn }) => fn.metricDuration({ label: name, statistic: cloudwatch.Stats.MAXIMUM })),
        12,
      ),
    ],
    [
      graph(
        'Aurora cluster: CPU % and connections',
        ['CPUUtilization', 'DatabaseConnections'].map(
          (metricName) =>
            new cloudwatch.Metric({
              namespace: 'AWS/RDS',
              metricName,
              dimensionsMap: { DBClusterIdentifier: props.clusterIdentifier },
              statistic: cloudwatch.Stats.MAXIMUM,
              label: metricName,
            }),
        ),
        24,
      ),
    ],
    [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms], width: 24, height: 6 })],
  ];
}

function pascal(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

import { createHash } from 'node:crypto';
import { addHours, type Hour } from '../../functions/shared/hour.ts';

/**
 * The EMR Step Status Change event EMR would put on the default bus when the step computing `hour` completes
 * (shape as `events/samples/emr-step-completed.json`). The step id is derived from the hour, so a repeated demo of
 * the same hour is the same source data, as a duplicated delivery would be.
 */
export function emrStepCompletedEvent(hour: Hour, stepName = 'hourly-aggregations'): Record<string, unknown> {
  const digest = createHash('sha256').update(`${stepName}|${hour.text}`).digest('hex').toUpperCase();
  const stepId = `s-${digest.slice(0, 13)}`;
  const clusterId = `j-${digest.slice(13, 26)}`;
  const completedAt = new Date(addHours(hour, 1).start.getTime() + 7 * 60_000);
  const clock = completedAt.toISOString().slice(0, 16).replace('T', ' ');
  return {
    version: '0',
    id: `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`.toLowerCase(),
    'detail-type': 'EMR Step Status Change',
    source: 'aws.emr',
    account: '000000000000',
    time: completedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [],
    detail: {
      severity: 'INFO',
      actionOnFailure: 'CONTINUE',
      stepId,
      name: stepName,
      clusterId,
      state: 'COMPLETED',
      message: `Step ${stepId} (${stepName}) in Amazon EMR cluster ${clusterId} (aggregations) completed execution at ${clock} UTC.`,
    },
  };
}

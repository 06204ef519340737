import { MalformedEventError, UnrelatedEventError } from './errors.ts';

/** `source` of EMR on EC2 service events. */
export const EMR_SOURCE = 'aws.emr';
/** `source` of EMR Serverless events (delivered best-effort). */
export const EMR_SERVERLESS_SOURCE = 'aws.emr-serverless';
export const EMR_STEP_STATUS_CHANGE = 'EMR Step Status Change';
export const EMR_CLUSTER_STATE_CHANGE = 'EMR Cluster State Change';
export const EMR_SERVERLESS_JOB_RUN_STATE_CHANGE = 'EMR Serverless Job Run State Change';

export type EmrStepState = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

/** Fields every parsed EMR step event carries. */
interface StepFields {
  /** The EventBridge event id: the idempotency key. */
  readonly eventId: string;
  /** Event time (ISO-8601). */
  readonly time: string;
  readonly stepId: string;
  /** The step name: what the catalog's `producedBy` refers to. */
  readonly stepName: string;
  readonly clusterId: string;
  readonly message: string;
  readonly severity: string;
  readonly actionOnFailure: string;
}

/** What an EMR event means for us. */
export type EmrEventResult =
  /** The step finished: its output can be imported. */
  | ({ readonly kind: 'step-completed' } & StepFields)
  /** The step ended without output: report it, import nothing. */
  | ({ readonly kind: 'step-failed' | 'step-cancelled' } & StepFields)
  /** Not finished yet (PENDING / RUNNING): nothing to do. */
  | ({ readonly kind: 'step-in-progress'; readonly state: 'PENDING' | 'RUNNING' } & StepFields)
  | {
      readonly kind: 'cluster-state';
      readonly eventId: string;
      readonly time: string;
      readonly clusterId: string;
      readonly clusterName: string;
      readonly state: string;
      /** Decoded from the JSON string EMR sends; undefined when absent. */
      readonly stateChangeReason: { readonly code?: string; readonly message?: string } | undefined;
      readonly message: string;
      readonly severity: string;
    }
  | {
      readonly kind: 'serverless-job-succeeded';
      readonly eventId: string;
      readonly time: string;
      readonly applicationId: string;
      readonly jobRunId: string;
      /** The job run's name, when the run was given one. */
      readonly jobName?: string;
      readonly arn?: string;
    }
  | {
      /** Any other job run state (SUBMITTED, RUNNING, FAILED, CANCELLED, ...): not importable. */
      readonly kind: 'serverless-job-state';
      readonly eventId: string;
      readonly time: string;
      readonly applicationId: string;
      readonly jobRunId: string;
      readonly jobName?: string;
      readonly state: string;
    };

const STEP_STATES: readonly EmrStepState[] = ['PENDING', 'RUNNING', 'COMPLETED', 'CANCELLED', 'FAILED'];

/**
 * Interprets an EventBridge event from EMR. Throws {@link UnrelatedEventError} for anything that is not an EMR
 * step, cluster or Serverless job event (including CloudTrail's `aws.elasticmapreduce` API events) and
 * {@link MalformedEventError} naming the field when an EMR event lacks what we need.
 */
export function parseEmrEvent(event: unknown): EmrEventResult {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new UnrelatedEventError(`not an EventBridge event: expected a JSON object, got ${describeType(event)}`);
  }
  const envelope = event as Record<string, unknown>;
  const source = envelope.source;
  const detailType = envelope['detail-type'];
  if (source === 'aws.elasticmapreduce') {
    throw new UnrelatedEventError(
      `source 'aws.elasticmapreduce' is a CloudTrail API event (detail-type '${String(detailType)}'), not an EMR state change`,
    );
  }
  const known =
    (source === EMR_SOURCE && (detailType === EMR_STEP_STATUS_CHANGE || detailType === EMR_CLUSTER_STATE_CHANGE)) ||
    (source === EMR_SERVERLESS_SOURCE && detailType === EMR_SERVERLESS_JOB_RUN_STATE_CHANGE);
  if (!known) {
    throw new UnrelatedEventError(
      `source '${String(source)}' with detail-type '${String(detailType)}' is not an EMR step, cluster or Serverless job run event`,
    );
  }
  const what = String(detailType);
  const eventId = requireString(envelope, 'id', what);
  const time = requireString(envelope, 'time', what);
  const detail = envelope.detail;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    throw new MalformedEventError(`${what} event ${eventId}: detail must be an object, got ${describeType(detail)}`);
  }
  const fields = detail as Record<string, unknown>;
  const field = (name: string) => requireString(fields, `detail.${name}`, `${what} event ${eventId}`, name);
  const optional = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : undefined);

  if (detailType === EMR_STEP_STATUS_CHANGE) {
    const state = field('state');
    if (!(STEP_STATES as readonly string[]).includes(state)) {
      throw new MalformedEventError(
        `${what} event ${eventId}: detail.state '${state}' is not one of ${STEP_STATES.join(', ')}`,
      );
    }
    const step: StepFields = {
      eventId,
      time,
      stepId: field('stepId'),
      stepName: field('name'),
      clusterId: field('clusterId'),
      message: optional('message') ?? '',
      severity: optional('severity') ?? '',
      actionOnFailure: optional('actionOnFailure') ?? '',
    };
    switch (state as EmrStepState) {
      case 'COMPLETED':
        return { kind: 'step-completed', ...step };
      case 'FAILED':
        return { kind: 'step-failed', ...step };
      case 'CANCELLED':
        return { kind: 'step-cancelled', ...step };
      default:
        return { kind: 'step-in-progress', state: state as 'PENDING' | 'RUNNING', ...step };
    }
  }

  if (detailType === EMR_CLUSTER_STATE_CHANGE) {
    return {
      kind: 'cluster-state',
      eventId,
      time,
      clusterId: field('clusterId'),
      clusterName: optional('name') ?? '',
      state: field('state'),
      stateChangeReason: parseStateChangeReason(fields.stateChangeReason, `${what} event ${eventId}`),
      message: optional('message') ?? '',
      severity: optional('severity') ?? '',
    };
  }

  const state = field('state');
  const common = {
    eventId,
    time,
    applicationId: field('applicationId'),
    jobRunId: field('jobRunId'),
    ...(optional('jobRunName') ? { jobName: optional('jobRunName') } : {}),
  };
  if (state === 'SUCCESS') {
    return { kind: 'serverless-job-succeeded', ...common, ...(optional('arn') ? { arn: optional('arn') } : {}) };
  }
  return { kind: 'serverless-job-state', ...common, state };
}

/** EMR sends `stateChangeReason` as a JSON-encoded string, e.g. `"{\"code\":\"USER_REQUEST\",...}"`. */
function parseStateChangeReason(value: unknown, where: string): { code?: string; message?: string } | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new MalformedEventError(
      `${where}: detail.stateChangeReason must be a JSON string, got ${describeType(value)}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new MalformedEventError(
      `${where}: detail.stateChangeReason is not valid JSON text (${(error as Error).message})`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MalformedEventError(`${where}: detail.stateChangeReason must encode a JSON object`);
  }
  const reason = parsed as Record<string, unknown>;
  return {
    ...(typeof reason.code === 'string' ? { code: reason.code } : {}),
    ...(typeof reason.message === 'string' ? { message: reason.message } : {}),
  };
}

function requireString(record: Record<string, unknown>, label: string, where: string, key = label): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '') {
    throw new MalformedEventError(`${where}: ${label} must be a non-empty string, got ${describeType(value)}`);
  }
  return value;
}

function describeType(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `'${value}'` : typeof value;
}

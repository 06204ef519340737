import type { FunctionDependencies, FunctionLogic } from '../shared/runtime/function-dependencies.ts';
import { payloadObject, requiredInteger, requiredString } from '../shared/runtime/payload.ts';
import { type AthenaRetryDecision, decideAthenaRetry } from './classify-athena-error.ts';
import { retryPolicyFromEnv } from './retry-policy.ts';

const NAME = 'classify-athena-error';

/**
 * The `ClassifyAthenaError` state: decides, and when retrying publishes `Import Retrying` and counts `Retries`
 * (dimension `causeClass`), so subscribers and dashboards see every retry, not only the final outcome.
 */
export function createClassifyAthenaErrorFunction(
  deps: Pick<FunctionDependencies, 'logger' | 'metrics' | 'publisher' | 'env'>,
  random?: () => number,
): FunctionLogic<AthenaRetryDecision> {
  const policy = retryPolicyFromEnv(deps.env);
  return async (payload) => {
    const input = payloadObject(payload, NAME);
    const failure = {
      table: requiredString(input, 'table', NAME),
      hour: requiredString(input, 'hour', NAME),
      error: requiredString(input, 'error', NAME),
      cause: typeof input.cause === 'string' ? input.cause : '',
      attempt: requiredInteger(input, 'attempt', NAME),
      correlationId: requiredString(input, 'correlationId', NAME),
    };
    const decision = decideAthenaRetry(failure, policy, random);
    const log = { table: failure.table, hour: failure.hour, error: failure.error, cause: failure.cause, ...decision };
    if (!decision.retryable) {
      deps.logger.error('Athena query failed for good', log);
      return decision;
    }
    deps.logger.warn('Athena query failed, retrying', log);
    deps.metrics.add('Retries', 'Count', 1, { causeClass: decision.causeClass });
    await deps.publisher.publish([
      {
        detailType: 'Import Retrying',
        detail: {
          table: failure.table,
          hour: failure.hour,
          stage: 'athena',
          error: failure.error,
          cause: failure.cause,
          attempt: failure.attempt,
          nextDelaySeconds: decision.delaySeconds,
          correlationId: failure.correlationId,
        },
      },
    ]);
    return decision;
  };
}

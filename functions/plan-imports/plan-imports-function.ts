import { parseEmrEvent } from '../../events/emr-events.ts';
import type { FunctionDependencies, FunctionLogic } from '../shared/runtime/function-dependencies.ts';
import { InvalidPayloadError, payloadObject, requiredString } from '../shared/runtime/payload.ts';
import { type ImportPlan, planFromProducer, planFromRequest } from './plan-imports.ts';

const NAME = 'plan-imports';

function isEventBridgeEvent(input: Record<string, unknown>): boolean {
  return 'detail-type' in input || 'detail' in input || 'source' in input;
}

/**
 * The orchestrator's `PlanImports` state. Input: an EMR event as EventBridge delivers it (Step Status Change
 * COMPLETED, or EMR Serverless SUCCESS), or `{hour, tables?, force?}` for manual runs and backfills. A FAILED or
 * CANCELLED step is reported and plans nothing; a malformed or unrelated event is rejected with the reason.
 */
export function createPlanImportsFunction(
  deps: Pick<FunctionDependencies, 'catalog' | 'logger'>,
): FunctionLogic<ImportPlan> {
  return async (payload) => {
    const wrapper = payloadObject(payload, NAME);
    const correlationId = requiredString(wrapper, 'correlationId', NAME);
    const input = payloadObject(wrapper.input, `${NAME} input`);
    if (!isEventBridgeEvent(input)) {
      const tables = input.tables;
      if (tables !== undefined && (!Array.isArray(tables) || tables.some((t) => typeof t !== 'string'))) {
        throw new InvalidPayloadError(`${NAME}: 'tables' must be a list of table names, got ${JSON.stringify(tables)}`);
      }
      const plan = planFromRequest(
        deps.catalog,
        {
          hour: requiredString(input, 'hour', NAME),
          ...(tables ? { tables: tables as string[] } : {}),
          force: input.force === true,
        },
        correlationId,
      );
      deps.logger.info('planned a manual run', { hour: plan.hour, heavy: plan.heavy.length, light: plan.light.length });
      return plan;
    }
    const parsed = parseEmrEvent(input);
    if (parsed.kind === 'step-completed' || parsed.kind === 'serverless-job-succeeded') {
      const producer =
        parsed.kind === 'step-completed'
          ? { name: parsed.stepName, sourceId: parsed.stepId, completedAt: new Date(parsed.time) }
          : {
              name: parsed.jobName ?? parsed.applicationId,
              sourceId: parsed.jobRunId,
              completedAt: new Date(parsed.time),
            };
      const plan = planFromProducer(deps.catalog, producer, correlationId);
      deps.logger.info('planned imports for a completed producer', { ...producer, hour: plan.hour, note: plan.note });
      return plan;
    }
    // A failed or cancelled step produced nothing to import: report it and plan nothing.
    deps.logger.warn('EMR event does not start imports', { kind: parsed.kind, event: input });
    return { hour: '', correlationId, heavy: [], light: [], note: `EMR event of kind ${parsed.kind} starts no import` };
  };
}

import { IMPORT_DETAIL_TYPES, type ImportEvent } from '../../events/event-types.ts';
import type { FunctionDependencies, FunctionLogic } from '../shared/runtime/function-dependencies.ts';
import { InvalidPayloadError, payloadObject } from '../shared/runtime/payload.ts';

const NAME = 'publish-import-event';

/** Metrics derived from the outcome events, so alarms and the dashboard see every table's fate. */
function outcomeMetric(event: ImportEvent): [string, Record<string, string>] | undefined {
  switch (event.detailType) {
    case 'Import Succeeded':
      return ['ImportSucceeded', { table: event.detail.table }];
    case 'Import Failed':
      // Aurora-stage failures are counted by the import Lambda itself (each failed attempt); an Athena-stage
      // failure never reached it, so it is counted here. Together: every failure once.
      return event.detail.stage === 'athena' ? ['ImportFailed', { table: event.detail.table }] : undefined;
    case 'Import Skipped':
      return ['ImportSkipped', { table: event.detail.table }];
    default:
      return undefined;
  }
}

/**
 * The one way the state machines publish: `{detailType, detail}` in, onto the bus (validated against the event's
 * JSON Schema by the publisher first: an invalid event is our bug and fails loudly).
 */
export function createPublishImportEventFunction(
  deps: Pick<FunctionDependencies, 'logger' | 'metrics' | 'publisher'>,
): FunctionLogic<{ published: string }> {
  return async (payload) => {
    const input = payloadObject(payload, NAME);
    const detailType = input.detailType;
    if (typeof detailType !== 'string' || !(IMPORT_DETAIL_TYPES as readonly string[]).includes(detailType)) {
      throw new InvalidPayloadError(
        `${NAME}: detailType must be one of ${IMPORT_DETAIL_TYPES.join(', ')}, got ${JSON.stringify(detailType)}`,
      );
    }
    const event = { detailType, detail: input.detail } as ImportEvent;
    await deps.publisher.publish([event]);
    const metric = outcomeMetric(event);
    if (metric) deps.metrics.add(metric[0], 'Count', 1, metric[1]);
    deps.logger.info(`published ${detailType}`, { detailType, detail: event.detail });
    return { published: detailType };
  };
}

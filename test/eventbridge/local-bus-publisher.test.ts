import { describe, expect, it } from 'vitest';
import { EventPublishError } from '../../events/errors.ts';
import { IMPORT_FAILED_PATTERN } from '../../events/event-patterns.ts';
import type { ImportEvent } from '../../events/event-types.ts';
import { LocalEventBridge } from '../../local/eventbridge/event-bus.ts';
import { LocalBusPublisher } from '../../local/eventbridge/local-bus-publisher.ts';
import { LocalQueue } from '../../local/eventbridge/local-queue.ts';
import { queueTarget } from '../../local/eventbridge/targets.ts';

const failed: ImportEvent = {
  detailType: 'Import Failed',
  detail: {
    table: 'show_plays_hourly',
    hour: '2026-11-27T10',
    stage: 'athena',
    error: 'Athena.AmazonAthenaException',
    cause: 'TABLE_NOT_FOUND',
    attempts: 1,
    executionArn: 'local:import-1',
    correlationId: 'local:orchestrate-1',
  },
};

describe('LocalBusPublisher', () => {
  it('publishes validated events onto the local bus, where rules see the full envelope', async () => {
    const bus = new LocalEventBridge();
    const queue = new LocalQueue('alerts');
    bus.putRule({ name: 'failures', eventPattern: IMPORT_FAILED_PATTERN });
    bus.putTargets('failures', [{ id: 'q', arn: queue.arn, target: queueTarget(queue) }]);
    const report = await new LocalBusPublisher(bus).publish([failed]);
    await bus.idle();
    expect(report.published).toHaveLength(1);
    const body = JSON.parse(queue.messages[0]?.body ?? '{}');
    expect(body).toMatchObject({ source: 'aurora-imports', 'detail-type': 'Import Failed', detail: failed.detail });
    expect(body.id).toBe(report.published[0]?.eventId);
  });

  it('resends entries the bus failed (partial PutEvents failure) and throws if they never get through', async () => {
    const requestSizes: number[] = [];
    let faults = 1;
    const flaky = new LocalEventBridge({
      entryFault: (_entry, index) => {
        if (index === 0) requestSizes.push(0);
        requestSizes[requestSizes.length - 1] = (requestSizes.at(-1) ?? 0) + 1;
        return index === 1 && faults-- > 0
          ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }
          : undefined;
      },
    });
    const report = await new LocalBusPublisher(flaky).publish([failed, failed, failed]);
    expect(report.published).toHaveLength(3);
    expect(report.requests).toBe(2);
    // The resend carried only the failed entry; the bus archived each event once.
    expect(requestSizes).toEqual([3, 1]);
    expect(flaky.archivedEvents()).toHaveLength(3);

    const broken = new LocalEventBridge({
      entryFault: () => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'down' }),
    });
    await expect(new LocalBusPublisher(broken, { maxAttempts: 2 }).publish([failed])).rejects.toBeInstanceOf(
      EventPublishError,
    );
  });
});

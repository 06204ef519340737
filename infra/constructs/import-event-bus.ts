import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/** `source` of every event the pipeline publishes. */
export const EVENT_SOURCE = 'aurora-imports';

export interface ImportEventBusProps {
  readonly eventBusName: string;
  readonly archiveRetentionDays: number;
}

/** The custom bus import events are published on, with an archive so they can be replayed. */
export class ImportEventBus extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;

  constructor(scope: Construct, id: string, props: ImportEventBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName,
      description: 'aurora-imports: Import Succeeded / Retrying / Failed / Skipped, Orchestration Completed',
    });
    this.archive = this.bus.archive('Archive', {
      description: 'Every aurora-imports event, for replay (replayed events carry replay-name)',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(props.archiveRetentionDays),
    });
  }
}

import type { FunctionDependencies, FunctionLogic } from '../shared/runtime/function-dependencies.ts';
import { InvalidPayloadError } from '../shared/runtime/payload.ts';
import { type CatchUpReport, runCatchUp } from './catch-up.ts';
import { catchUpConfigFromEnv } from './catch-up-config.ts';
import type { OrchestrationStarter } from './orchestration-starter.ts';
import type { SourceDataProbe } from './source-data-probe.ts';

const NAME = 'catch-up';

/** The function's dependencies: the shared ones plus the two ports only the catch-up needs. */
export interface CatchUpFunctionDependencies extends FunctionDependencies {
  readonly probe: SourceDataProbe;
  readonly starter: OrchestrationStarter;
  /** Defaults to the system clock; used when the payload has no `scheduledTime`. */
  readonly now?: () => Date;
}

/**
 * When the sweep runs: the schedule's `scheduledTime` (EventBridge Scheduler's `<aws.scheduler.scheduled-time>`),
 * so a retried invocation computes the same window and execution names; else now.
 */
function sweepTime(payload: unknown, now: () => Date): Date {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return now();
  const scheduledTime = (payload as Record<string, unknown>).scheduledTime;
  if (scheduledTime === undefined) return now();
  const time = typeof scheduledTime === 'string' ? new Date(scheduledTime) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) {
    throw new InvalidPayloadError(
      `${NAME}: 'scheduledTime' must be an ISO-8601 time, got ${JSON.stringify(scheduledTime)}`,
    );
  }
  return time;
}

/**
 * The scheduled catch-up sweep (an EventBridge Scheduler target): starts the orchestrator for recent table-hours
 * the ledger has no success for and whose source data exists. Configuration: `CATCH_UP_WINDOW_HOURS`,
 * `CATCH_UP_MAX_HOURS_PER_RUN`, `CATCH_UP_MAX_ATTEMPTS`.
 */
export function createCatchUpFunction(deps: CatchUpFunctionDependencies): FunctionLogic<CatchUpReport> {
  const config = catchUpConfigFromEnv(deps.env);
  return async (payload) => {
    const report = await runCatchUp(
      {
        catalog: deps.catalog,
        database: deps.database,
        probe: deps.probe,
        starter: deps.starter,
        config,
        logger: deps.logger,
      },
      sweepTime(payload, deps.now ?? (() => new Date())),
    );
    deps.metrics.add('CatchUpGaps', 'Count', report.gapsFound);
    deps.metrics.add('CatchUpHoursStarted', 'Count', report.started.filter((s) => !s.alreadyStarted).length);
    deps.metrics.add('CatchUpHoursDeferred', 'Count', report.deferred.length);
    deps.metrics.add('CatchUpAttemptsExhausted', 'Count', report.exhaustedAttempts.length);
    deps.logger.info('catch-up sweep done', {
      window: report.window,
      gapsFound: report.gapsFound,
      started: report.started.map((s) => s.hour),
      skippedNoData: report.skippedNoData.length,
      deferred: report.deferred.map((d) => d.hour),
      exhaustedAttempts: report.exhaustedAttempts.length,
    });
    return report;
  };
}

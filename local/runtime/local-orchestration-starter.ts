import type {
  OrchestrationInput,
  OrchestrationStarter,
  StartedOrchestration,
} from '../../functions/catch-up/orchestration-starter.ts';
import { ExecutionAlreadyExistsError, type ExecutionDescription } from '../stepfunctions/index.ts';
import type { LocalRuntime } from './local-runtime.ts';

/**
 * Starts the orchestrator on the local engine. By default each start waits for its orchestration to end, so the
 * hours of a sweep run one after another (heavy imports never overlap on a laptop); `wait: false` only starts.
 */
export class LocalOrchestrationStarter implements OrchestrationStarter {
  readonly #runtime: Pick<LocalRuntime, 'engine' | 'orchestratorArn' | 'bus'>;
  readonly #wait: boolean;
  readonly #finished: ExecutionDescription[] = [];
  readonly #running: Promise<ExecutionDescription>[] = [];

  constructor(runtime: Pick<LocalRuntime, 'engine' | 'orchestratorArn' | 'bus'>, options: { wait?: boolean } = {}) {
    this.#runtime = runtime;
    this.#wait = options.wait ?? true;
  }

  /** Orchestrations that ended, in end order (with `wait: false`, after {@link settle}). */
  get finished(): readonly ExecutionDescription[] {
    return [...this.#finished];
  }

  async start(input: OrchestrationInput, name: string): Promise<StartedOrchestration> {
    let handle: ReturnType<LocalRuntime['engine']['startExecution']>;
    try {
      handle = this.#runtime.engine.startExecution({
        stateMachineArn: this.#runtime.orchestratorArn,
        name,
        input: { hour: input.hour, tables: [...input.tables], force: input.force === true },
      });
    } catch (error) {
      if (error instanceof ExecutionAlreadyExistsError)
        return { executionArn: error.executionArn, alreadyStarted: true };
      throw error;
    }
    const done = handle.done.then((result) => {
      this.#finished.push(result);
      return result;
    });
    this.#running.push(done);
    if (this.#wait) {
      await done;
      await this.#runtime.bus.idle();
    }
    return { executionArn: handle.executionArn, alreadyStarted: false };
  }

  /** Waits for every orchestration started so far, and for the bus to deliver their events. */
  async settle(): Promise<ExecutionDescription[]> {
    const results = await Promise.all(this.#running);
    await this.#runtime.bus.idle();
    return results;
  }
}

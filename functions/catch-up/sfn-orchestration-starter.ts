import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { OrchestrationStartError } from './errors.ts';
import type { OrchestrationInput, OrchestrationStarter, StartedOrchestration } from './orchestration-starter.ts';

export interface SfnOrchestrationStarterOptions {
  /** `ORCHESTRATOR_STATE_MACHINE_ARN`. */
  readonly stateMachineArn: string;
  readonly client?: SFNClient;
}

/** The execution ARN of a named execution: the state machine ARN with `:stateMachine:` turned into `:execution:`. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** Starts the orchestrator with StartExecution; an existing execution of the same name counts as started. */
export class SfnOrchestrationStarter implements OrchestrationStarter {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(options: SfnOrchestrationStarterOptions) {
    this.#client = options.client ?? new SFNClient({});
    this.#stateMachineArn = options.stateMachineArn;
  }

  async start(input: OrchestrationInput, name: string): Promise<StartedOrchestration> {
    try {
      const response = await this.#client.send(
        new StartExecutionCommand({
          stateMachineArn: this.#stateMachineArn,
          name,
          input: JSON.stringify({ hour: input.hour, tables: input.tables, force: input.force === true }),
        }),
      );
      if (!response.executionArn) throw new OrchestrationStartError(input.hour, 'StartExecution returned no ARN');
      return { executionArn: response.executionArn, alreadyStarted: false };
    } catch (error) {
      // A repeated sweep (scheduler retry, manual re-invoke) within the same hour: the first one started it.
      if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
        return { executionArn: executionArnOf(this.#stateMachineArn, name), alreadyStarted: true };
      }
      if (error instanceof OrchestrationStartError) throw error;
      throw new OrchestrationStartError(input.hour, `StartExecution failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

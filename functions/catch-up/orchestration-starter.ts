/** What the catch-up asks the orchestrator to do: import these tables of this hour (the manual-run input). */
export interface OrchestrationInput {
  readonly hour: string;
  readonly tables: readonly string[];
  readonly force?: boolean;
}

export interface StartedOrchestration {
  readonly executionArn: string;
  /** True when an execution of that name existed already (a repeated sweep): nothing new was started. */
  readonly alreadyStarted: boolean;
}

/** Starts the orchestrator: Step Functions StartExecution in AWS, the local engine on a laptop. */
export interface OrchestrationStarter {
  /** `name` is deterministic, so starting twice with one name starts once. */
  start(input: OrchestrationInput, name: string): Promise<StartedOrchestration>;
}

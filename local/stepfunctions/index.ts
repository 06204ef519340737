/** Local Step Functions engine: public API. */
export { type Clock, realClock, VirtualClock } from '../clock.ts';
export {
  type CreateStateMachineInput,
  type ExecutionHandle,
  type LambdaHandler,
  type StartExecutionInput,
  StepFunctionsEngine,
  type StepFunctionsEngineOptions,
  type TaskHandler,
  type TaskHandlerContext,
} from './engine.ts';
export * from './errors.ts';
export type { ExecutionDescription, ExecutionStatus } from './execution.ts';
export type { HistoryEvent, HistoryEventType, HistoryListener } from './history.ts';
export { applySubstitutions, type Substitutions } from './substitutions.ts';
export type { MachineDefinition, StateDefinition } from './types.ts';
export { validateDefinition } from './validation.ts';

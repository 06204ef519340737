import { createLambdaHandler } from '../shared/runtime/lambda-handler.ts';
import { catchUpDependencies } from './catch-up-dependencies.ts';
import { type CatchUpFunctionDependencies, createCatchUpFunction } from './catch-up-function.ts';

/** The Lambda entry point (an EventBridge Scheduler target): a thin shell over `createCatchUpFunction`. */
export const handler = createLambdaHandler(
  () => catchUpDependencies(),
  (deps) => createCatchUpFunction(deps as CatchUpFunctionDependencies),
);

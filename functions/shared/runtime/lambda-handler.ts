import type { Context } from 'aws-lambda';
import type { FunctionDependencies, FunctionLogic } from './function-dependencies.ts';

/**
 * The thin Lambda shell every function shares: dependencies built once per instance (a failed cold start is
 * retried on the next invocation), the Lambda context into the logger, metrics flushed after every invocation,
 * errors rethrown unchanged (their `name` is what the state machines' Retry and Catch match).
 */
export function createLambdaHandler<Result>(
  dependencies: () => Promise<FunctionDependencies>,
  createLogic: (deps: FunctionDependencies) => FunctionLogic<Result>,
): (event: unknown, context: Context) => Promise<Result> {
  let ready: Promise<{ deps: FunctionDependencies; logic: FunctionLogic<Result> }> | undefined;
  const load = () => {
    ready ??= dependencies()
      .then((deps) => ({ deps, logic: createLogic(deps) }))
      .catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
    return ready;
  };
  return async (event, context) => {
    const { deps, logic } = await load();
    deps.logger.addContext(context);
    try {
      return await logic(event, { remainingTimeMs: () => context.getRemainingTimeInMillis() });
    } finally {
      deps.metrics.flush();
    }
  };
}

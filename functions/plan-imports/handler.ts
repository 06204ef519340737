import { awsDependencies } from '../shared/runtime/aws-dependencies.ts';
import { createLambdaHandler } from '../shared/runtime/lambda-handler.ts';
import { createPlanImportsFunction } from './plan-imports-function.ts';

/** The Lambda entry point: a thin shell over `createPlanImportsFunction`. */
export const handler = createLambdaHandler(() => awsDependencies(), createPlanImportsFunction);

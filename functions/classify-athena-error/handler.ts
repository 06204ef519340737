import { awsDependencies } from '../shared/runtime/aws-dependencies.ts';
import { createLambdaHandler } from '../shared/runtime/lambda-handler.ts';
import { createClassifyAthenaErrorFunction } from './classify-athena-error-function.ts';

/** The Lambda entry point: a thin shell over `createClassifyAthenaErrorFunction`. */
export const handler = createLambdaHandler(() => awsDependencies(), createClassifyAthenaErrorFunction);

import { awsDependencies } from '../shared/runtime/aws-dependencies.ts';
import { createLambdaHandler } from '../shared/runtime/lambda-handler.ts';
import { createPrepareImportFunction } from './prepare-import-function.ts';

/** The Lambda entry point: a thin shell over `createPrepareImportFunction`. */
export const handler = createLambdaHandler(() => awsDependencies(), createPrepareImportFunction);

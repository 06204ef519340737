import { awsDependencies } from '../shared/runtime/aws-dependencies.ts';
import { createLambdaHandler } from '../shared/runtime/lambda-handler.ts';
import { createRecordImportFailureFunction } from './record-import-failure-function.ts';

/** The Lambda entry point: a thin shell over `createRecordImportFailureFunction`. */
export const handler = createLambdaHandler(() => awsDependencies(), createRecordImportFailureFunction);

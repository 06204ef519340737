import { awsDependencies } from '../shared/runtime/aws-dependencies.ts';
import { createLambdaHandler } from '../shared/runtime/lambda-handler.ts';
import { createPublishImportEventFunction } from './publish-import-event-function.ts';

/** The Lambda entry point: a thin shell over `createPublishImportEventFunction`. */
export const handler = createLambdaHandler(() => awsDependencies(), createPublishImportEventFunction);

import { awsDependencies } from '../shared/runtime/aws-dependencies.ts';
import { createLambdaHandler } from '../shared/runtime/lambda-handler.ts';
import { createS3ImportToAuroraFunction } from './s3-import-to-aurora-function.ts';

/**
 * The Lambda entry point: a thin shell over `createS3ImportToAuroraFunction`. Configuration from the environment
 * (`awsDependencies`): `CATALOG_PATH` (default: the bundled demo catalog), `DB_SECRET_ARN` or `DATABASE_URL`,
 * `DB_HOST_OVERRIDE` (RDS Proxy), `DB_SSL`, and the POWERTOOLS_* variables.
 */
export const handler = createLambdaHandler(() => awsDependencies(), createS3ImportToAuroraFunction);

/** The Lambda functions of the pipeline, named as the local runtime registers them (and as CDK deploys them). */
export const FUNCTION_NAMES = {
  planImports: 'aurora-imports-plan-imports',
  prepareImport: 'aurora-imports-prepare-import',
  classifyAthenaError: 'aurora-imports-classify-athena-error',
  publishImportEvent: 'aurora-imports-publish-import-event',
  s3ImportToAurora: 'aurora-imports-s3-import-to-aurora',
  recordImportFailure: 'aurora-imports-record-import-failure',
} as const;

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

export function localFunctionArn(name: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
}

/** State machine names, as in AWS. */
export const IMPORT_STATE_MACHINE_NAME = 'importFromS3ToAurora';
export const ORCHESTRATOR_STATE_MACHINE_NAME = 'orchestrateAuroraImports';

/** The local Athena workgroup's result location and the import events bus. */
export const LOCAL_ATHENA_OUTPUT_LOCATION = 's3://aurora-imports-athena-results/query-results/';
export const LOCAL_ATHENA_WORKGROUP = 'primary';
export const IMPORT_EVENT_BUS_NAME = 'aurora-imports';

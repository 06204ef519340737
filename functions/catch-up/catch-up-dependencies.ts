import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsDependencies } from '../shared/runtime/aws-dependencies.ts';
import type { CatchUpFunctionDependencies } from './catch-up-function.ts';
import { CatchUpConfigError } from './errors.ts';
import type { OrchestrationStarter } from './orchestration-starter.ts';
import { S3SourceDataProbe } from './s3-source-data-probe.ts';
import { SfnOrchestrationStarter } from './sfn-orchestration-starter.ts';
import type { SourceDataProbe } from './source-data-probe.ts';

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new CatchUpConfigError(`${name} is not set: the catch-up function needs it`);
  return value;
}

/** The catch-up's own ports from its environment: `SOURCE_DATA_BUCKET` / `SOURCE_DATA_PREFIX` and `ORCHESTRATOR_STATE_MACHINE_ARN`. */
export function catchUpPortsFromEnv(
  env: NodeJS.ProcessEnv,
  clients: { s3?: S3Client; sfn?: SFNClient } = {},
): { probe: SourceDataProbe; starter: OrchestrationStarter } {
  return {
    probe: new S3SourceDataProbe({
      bucket: required(env, 'SOURCE_DATA_BUCKET'),
      ...(env.SOURCE_DATA_PREFIX ? { prefix: env.SOURCE_DATA_PREFIX } : {}),
      client: clients.s3 ?? new S3Client({}),
    }),
    starter: new SfnOrchestrationStarter({
      stateMachineArn: required(env, 'ORCHESTRATOR_STATE_MACHINE_ARN'),
      client: clients.sfn ?? new SFNClient({}),
    }),
  };
}

/** The shared Lambda dependencies plus the catch-up's ports. */
export async function catchUpDependencies(env: NodeJS.ProcessEnv = process.env): Promise<CatchUpFunctionDependencies> {
  const ports = catchUpPortsFromEnv(env);
  return { ...(await awsDependencies(env)), ...ports };
}

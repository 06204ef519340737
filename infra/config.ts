import type { Node } from 'constructs';
import { InvalidContextError } from './errors.ts';

/** Every context key of the app lives under this prefix, e.g. `auroraImports:vpcId`. */
export const CONTEXT_PREFIX = 'auroraImports:';

/** The existing Aurora cluster the imports write into, with its network and credentials. */
export interface ExistingDatabaseConfig {
  readonly vpcId: string;
  /** Subnets (private, with a route to AWS APIs or VPC endpoints) the database functions run in. */
  readonly privateSubnetIds: readonly string[];
  /** The availability zones of `privateSubnetIds`, same order. */
  readonly availabilityZones: readonly string[];
  readonly clusterIdentifier: string;
  readonly clusterSecurityGroupId: string;
  /** Secrets Manager secret (JSON host, port, username, password, dbname). Complete or partial ARN. */
  readonly dbSecretArn: string;
  /** The customer managed KMS key of the secret, when it has one. */
  readonly dbSecretKmsKeyArn?: string;
}

/** Everything account-specific the stack needs, read from CDK context so synth runs offline. */
export interface DeploymentConfig {
  /** `undefined` when `createDevCluster` is set: the stack then makes its own VPC and cluster. */
  readonly existingDatabase?: ExistingDatabaseConfig;
  readonly createDevCluster: boolean;
  readonly dbPort: number;
  /** RDS Proxy endpoint the functions connect to instead of the secret's host. */
  readonly dbProxyEndpoint?: string;
  /** Security group of that proxy, when it is not the cluster's: it gets the same rules. */
  readonly dbProxySecurityGroupId?: string;
  /** Bucket the source tables' data lives in (read by Athena). */
  readonly dataBucketName: string;
  /** Key prefix of the source data in `dataBucketName`; empty means the whole bucket. */
  readonly dataPrefix: string;
  /** The table catalog, relative to the repository root. */
  readonly catalogPath: string;
  /**
   * EMR step names whose COMPLETED event starts the orchestrator; `*` is a wildcard. Absent: every `producedBy` of
   * the catalog.
   */
  readonly emrStepNames?: readonly string[];
  /** Also start on EMR Serverless job runs reaching SUCCESS. */
  readonly emrServerless: boolean;
  /** The source tables are governed by Lake Formation: Athena then needs lakeformation:GetDataAccess. */
  readonly lakeFormation: boolean;
  /** Light tables imported at once within one hour (Map MaxConcurrency), 1..40. */
  readonly lightMaxConcurrency: number;
  readonly eventBusName: string;
  readonly archiveRetentionDays: number;
  readonly resultsExpirationDays: number;
  readonly logLevel: string;
  readonly alarmEmail?: string;
  /** Extra function environment (slot counts, Athena attempt limits) passed through as given. */
  readonly heavySlots?: number;
  readonly lightSlots?: number;
  /** CATCH_UP_WINDOW_HOURS: hours the sweep looks back over. */
  readonly catchUpWindowHours?: number;
  /** CATCH_UP_MAX_HOURS_PER_RUN: orchestrations one sweep starts at most. */
  readonly catchUpMaxHoursPerRun?: number;
  /** CATCH_UP_MAX_ATTEMPTS: failed attempts after which the sweep leaves a table-hour to a human. */
  readonly catchUpMaxAttempts?: number;
  /** ATHENA_RETRY_DEFAULT_MAX_ATTEMPTS: Athena attempts per cause class unless overridden. */
  readonly athenaRetryDefaultMaxAttempts?: number;
  /** ATHENA_RETRY_MAX_ATTEMPTS: attempts per cause class, e.g. `{ "throttling": 8 }`. */
  readonly athenaRetryMaxAttempts?: Readonly<Record<string, number>>;
}

export const DEFAULT_CATALOG_PATH = 'functions/shared/catalog/demo-catalog.json';
const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL'];

/**
 * Reads and validates the `auroraImports:*` context. Values given on the command line (`-c key=value`) arrive as
 * strings, so lists also accept comma-separated text and booleans/numbers their text form.
 */
export function readDeploymentConfig(node: Node): DeploymentConfig {
  const context = new ContextReader(node);
  const createDevCluster = context.boolean('createDevCluster', false);
  const lightMaxConcurrency = context.integer('lightMaxConcurrency', 4);
  if (lightMaxConcurrency < 1 || lightMaxConcurrency > 40) {
    throw new InvalidContextError(
      `${CONTEXT_PREFIX}lightMaxConcurrency`,
      `must be between 1 and 40 (an inline Map runs at most 40 iterations at once), got ${lightMaxConcurrency}`,
    );
  }
  const alarmEmail = context.optionalString('alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(alarmEmail)) {
    throw new InvalidContextError(`${CONTEXT_PREFIX}alarmEmail`, `is not an e-mail address: "${alarmEmail}"`);
  }
  const logLevel = context.string('logLevel', 'INFO').toUpperCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new InvalidContextError(`${CONTEXT_PREFIX}logLevel`, `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    existingDatabase: createDevCluster ? undefined : readExistingDatabase(context),
    createDevCluster,
    dbPort: context.integer('dbPort', 5432),
    dbProxyEndpoint: context.optionalString('dbProxyEndpoint'),
    dbProxySecurityGroupId: context.optionalString('dbProxySecurityGroupId'),
    dataBucketName: context.requiredString('dataBucketName'),
    dataPrefix: context.string('dataPrefix', '').replace(/^\/+/, ''),
    catalogPath: context.string('catalogPath', DEFAULT_CATALOG_PATH),
    emrStepNames: context.optionalList('emrStepNames'),
    emrServerless: context.boolean('emrServerless', false),
    lakeFormation: context.boolean('lakeFormation', false),
    lightMaxConcurrency,
    eventBusName: context.string('eventBusName', 'aurora-imports'),
    archiveRetentionDays: context.integer('archiveRetentionDays', 30),
    resultsExpirationDays: context.integer('resultsExpirationDays', 7),
    logLevel,
    alarmEmail,
    heavySlots: context.optionalInteger('heavySlots'),
    lightSlots: context.optionalInteger('lightSlots'),
    catchUpWindowHours: context.optionalInteger('catchUpWindowHours'),
    catchUpMaxHoursPerRun: context.optionalInteger('catchUpMaxHoursPerRun'),
    catchUpMaxAttempts: context.optionalInteger('catchUpMaxAttempts'),
    athenaRetryDefaultMaxAttempts: context.optionalInteger('athenaRetryDefaultMaxAttempts'),
    athenaRetryMaxAttempts: context.optionalAttemptsByClass('athenaRetryMaxAttempts'),
  };
}

function readExistingDatabase(context: ContextReader): ExistingDatabaseConfig {
  const privateSubnetIds = context.list('privateSubnetIds');
  const availabilityZones = context.list('availabilityZones');
  if (privateSubnetIds.length !== availabilityZones.length) {
    throw new InvalidContextError(
      `${CONTEXT_PREFIX}availabilityZones`,
      `must name one zone per subnet of ${CONTEXT_PREFIX}privateSubnetIds (${privateSubnetIds.length}), got ${availabilityZones.length}`,
    );
  }
  const dbSecretArn = context.requiredString('dbSecretArn');
  if (!dbSecretArn.startsWith('arn:') || !dbSecretArn.includes(':secretsmanager:')) {
    throw new InvalidContextError(
      `${CONTEXT_PREFIX}dbSecretArn`,
      `is not a Secrets Manager secret ARN: "${dbSecretArn}"`,
    );
  }
  return {
    vpcId: context.requiredString('vpcId'),
    privateSubnetIds,
    availabilityZones,
    clusterIdentifier: context.requiredString('clusterIdentifier'),
    clusterSecurityGroupId: context.requiredString('clusterSecurityGroupId'),
    dbSecretArn,
    dbSecretKmsKeyArn: context.optionalString('dbSecretKmsKeyArn'),
  };
}

class ContextReader {
  constructor(private readonly node: Node) {}

  private raw(key: string): unknown {
    return this.node.tryGetContext(`${CONTEXT_PREFIX}${key}`);
  }

  optionalString(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new InvalidContextError(CONTEXT_PREFIX + key, 'must be a string');
    return value;
  }

  string(key: string, fallback: string): string {
    return this.optionalString(key) ?? fallback;
  }

  requiredString(key: string): string {
    const value = this.optionalString(key);
    if (value === undefined) throw new InvalidContextError(CONTEXT_PREFIX + key, 'is required');
    return value;
  }

  optionalInteger(key: string): number | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null || value === '') return undefined;
    const number = typeof value === 'string' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) {
      throw new InvalidContextError(
        CONTEXT_PREFIX + key,
        `must be a non-negative integer, got ${JSON.stringify(value)}`,
      );
    }
    return number;
  }

  integer(key: string, fallback: number): number {
    return this.optionalInteger(key) ?? fallback;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined || value === null || value === '') return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new InvalidContextError(CONTEXT_PREFIX + key, `must be true or false, got ${JSON.stringify(value)}`);
  }

  /** An object of cause class → attempts (>= 1), in cdk.json or as JSON text. */
  optionalAttemptsByClass(key: string): Record<string, number> | undefined {
    let value = this.raw(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        throw new InvalidContextError(CONTEXT_PREFIX + key, 'must be JSON like {"throttling": 8}');
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidContextError(CONTEXT_PREFIX + key, 'must be an object of cause class to attempts');
    }
    for (const [causeClass, attempts] of Object.entries(value)) {
      if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1) {
        throw new InvalidContextError(`${CONTEXT_PREFIX}${key}.${causeClass}`, 'must be an integer >= 1');
      }
    }
    return value as Record<string, number>;
  }

  optionalList(key: string): string[] | undefined {
    const value = this.raw(key);
    return value === undefined || value === null ? undefined : this.list(key);
  }

  /** A non-empty list: a JSON array of strings, or comma-separated text. */
  list(key: string): string[] {
    const value = this.raw(key);
    const items =
      typeof value === 'string'
        ? value.split(',').map((item) => item.trim())
        : Array.isArray(value) && value.every((item) => typeof item === 'string')
          ? value.map((item: string) => item.trim())
          : undefined;
    if (items === undefined) {
      throw new InvalidContextError(CONTEXT_PREFIX + key, 'is required: a list of strings (or comma-separated text)');
    }
    const nonEmpty = items.filter((item) => item !== '');
    if (nonEmpty.length === 0) throw new InvalidContextError(CONTEXT_PREFIX + key, 'must not be empty');
    return nonEmpty;
  }
}

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { MissingHandlerError } from '../errors.ts';

/** The project's Lambda functions, by the folder under `functions/` holding their `handler.ts`. */
export const FUNCTION_NAMES = [
  'plan-imports',
  'prepare-import',
  'classify-athena-error',
  'publish-import-event',
  's3-import-to-aurora',
  'record-import-failure',
  'catch-up',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

interface FunctionSpec {
  readonly description: string;
  /** Below the state machine task's TimeoutSeconds, so the task sees the function's own timeout error. */
  readonly timeout: Duration;
  readonly memorySize: number;
  /** Reads or writes Aurora: runs in the cluster's VPC with the database secret. */
  readonly database: boolean;
}

const SPECS: Record<FunctionName, FunctionSpec> = {
  'plan-imports': {
    description: 'Turns an EMR event or a manual request into the tables to import for one hour',
    timeout: Duration.seconds(30),
    memorySize: 256,
    database: false,
  },
  'prepare-import': {
    description: 'Checks the import ledger and builds the Athena query for one table-hour',
    timeout: Duration.seconds(30),
    memorySize: 256,
    database: true,
  },
  'classify-athena-error': {
    description: 'Classifies an Athena failure (retryable or not, backoff) and publishes Import Retrying',
    timeout: Duration.seconds(30),
    memorySize: 256,
    database: false,
  },
  'publish-import-event': {
    description: 'Publishes aurora-imports events to the import event bus',
    timeout: Duration.seconds(30),
    memorySize: 256,
    database: false,
  },
  's3-import-to-aurora': {
    description: 'Streams an Athena result CSV into Aurora: COPY, merge and ledger row in one transaction',
    // The task allows 900 s; the function stops itself earlier (time budget) and reports a retryable error.
    timeout: Duration.seconds(890),
    memorySize: 1024,
    database: true,
  },
  'record-import-failure': {
    description: 'Writes the ledger row of an import that failed at Athena (the import Lambda never ran)',
    timeout: Duration.seconds(30),
    memorySize: 256,
    database: true,
  },
  'catch-up': {
    description: 'Hourly sweep: starts the orchestrator for a previous hour nothing imported',
    timeout: Duration.seconds(120),
    memorySize: 256,
    database: true,
  },
};

export interface ImportFunctionsProps {
  /** Repository root: `functions/<name>/handler.ts` and `package-lock.json` are found from it. */
  readonly projectRoot: string;
  readonly eventBusName: string;
  readonly logLevel: string;
  readonly database: {
    readonly vpc: ec2.IVpc;
    readonly subnets: ec2.SubnetSelection;
    readonly securityGroup: ec2.ISecurityGroup;
    readonly secretArn: string;
    readonly hostOverride?: string;
  };
  /**
   * The table catalog (absolute path): copied into every bundle as `catalog.json` and named by CATALOG_PATH, so the
   * functions read the same catalog the stack scoped its permissions and alarms to.
   */
  readonly catalogFile: string;
  /** Passed to every function as given (HEAVY_SLOTS, LIGHT_SLOTS, ATHENA_RETRY_*...). */
  readonly extraEnvironment?: Readonly<Record<string, string>>;
}

/** Where the catalog copied into each bundle lands in the Lambda file system. */
export const BUNDLED_CATALOG_PATH = '/var/task/catalog.json';

/**
 * esbuild options for every function: an ESM bundle for Node.js 22 with source maps, plus the catalog file.
 * Exported so a test can bundle one function for real.
 */
export function bundlingOptions(catalogFile: string): nodejs.BundlingOptions {
  return {
    format: nodejs.OutputFormat.ESM,
    target: 'node22',
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    // pg and other CommonJS dependencies call require() for Node built-ins; an ESM bundle needs it defined.
    banner:
      "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    // The runtime ships the AWS SDK v3; pg-native is an optional native addon pg never needs here.
    externalModules: ['@aws-sdk/*', 'pg-native'],
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [`cp "${catalogFile}" "${outputDir}/catalog.json"`],
    },
  };
}

/** Powertools settings shared by every function; one service name so metric dimensions are predictable. */
export const POWERTOOLS_SERVICE_NAME = 'aurora-imports';
export const METRICS_NAMESPACE = 'AuroraImports';

/** The functions as NodejsFunction (esbuild, Node.js 22, arm64), each with its own log group. */
export class ImportFunctions extends Construct {
  private readonly functions = new Map<FunctionName, nodejs.NodejsFunction>();

  constructor(scope: Construct, id: string, props: ImportFunctionsProps) {
    super(scope, id);
    for (const name of FUNCTION_NAMES) this.functions.set(name, this.createFunction(name, SPECS[name], props));
  }

  get(name: FunctionName): nodejs.NodejsFunction {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no function named ${name}`);
    return fn;
  }

  all(): { name: FunctionName; fn: nodejs.NodejsFunction; timeout: Duration }[] {
    return FUNCTION_NAMES.map((name) => ({ name, fn: this.get(name), timeout: SPECS[name].timeout }));
  }

  private createFunction(name: FunctionName, spec: FunctionSpec, props: ImportFunctionsProps): nodejs.NodejsFunction {
    const id = pascalCase(name);
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: props.logLevel,
      EVENT_BUS_NAME: props.eventBusName,
      NODE_OPTIONS: '--enable-source-maps',
      ...props.extraEnvironment,
    };
    environment.CATALOG_PATH = BUNDLED_CATALOG_PATH;
    if (spec.database) {
      environment.DB_SECRET_ARN = props.database.secretArn;
      // Node.js 20+ runtimes no longer trust the Amazon CAs (RDS included) by default; TLS to Aurora is verified.
      environment.NODE_EXTRA_CA_CERTS = '/var/runtime/ca-cert.pem';
      if (props.database.hostOverride) environment.DB_HOST_OVERRIDE = props.database.hostOverride;
    }
    return new nodejs.NodejsFunction(this, id, {
      entry: this.entryFor(name, props.projectRoot),
      handler: 'handler',
      description: `aurora-imports: ${spec.description}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: spec.timeout,
      memorySize: spec.memorySize,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment,
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      ...(spec.database
        ? {
            vpc: props.database.vpc,
            vpcSubnets: props.database.subnets,
            securityGroups: [props.database.securityGroup],
          }
        : {}),
      bundling: bundlingOptions(props.catalogFile),
    });
  }

  /**
   * `functions/<name>/handler.ts`. When it does not exist yet and bundling is skipped (unit tests pass the
   * `aws:cdk:bundling-stacks: []` context), a stand-in entry keeps the synth going with a warning; a real synth
   * fails, naming the file.
   */
  private entryFor(name: FunctionName, projectRoot: string): string {
    const entry = path.join(projectRoot, 'functions', name, 'handler.ts');
    if (existsSync(entry)) return entry;
    if (Stack.of(this).bundlingRequired) {
      throw new MissingHandlerError(path.relative(projectRoot, entry), name);
    }
    Annotations.of(this).addWarningV2(
      `aurora-imports:missing-handler:${name}`,
      `${path.relative(projectRoot, entry)} does not exist; bundling is skipped, so a stand-in entry is used`,
    );
    return path.join(projectRoot, 'infra', 'missing-handler.ts');
  }
}

function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

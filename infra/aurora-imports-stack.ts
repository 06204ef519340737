import * as path from 'node:path';
import { CfnOutput, type CfnResource, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { readCatalogSources } from './catalog-sources.ts';
import type { DeploymentConfig } from './config.ts';
import { AthenaResults } from './constructs/athena-results.ts';
import { CatchUpSchedule } from './constructs/catch-up-schedule.ts';
import { DatabaseAccess } from './constructs/database-access.ts';
import { EmrTrigger } from './constructs/emr-trigger.ts';
import { EventSchemas } from './constructs/event-schemas.ts';
import { ExampleSubscriber } from './constructs/example-subscriber.ts';
import { EVENT_SOURCE, ImportEventBus } from './constructs/import-event-bus.ts';
import { ImportFunctions } from './constructs/import-functions.ts';
import { ImportMonitoring } from './constructs/import-monitoring.ts';
import { ImportStateMachines } from './constructs/import-state-machines.ts';
import { createDeadLetterQueue } from './constructs/secure-queue.ts';

export interface AuroraImportsStackProps extends StackProps {
  readonly config: DeploymentConfig;
  /** Repository root (functions, schemas, state machines and the catalog are found from it). */
  readonly projectRoot: string;
}

/**
 * Everything aurora-imports deploys. Environment-agnostic: account-specific values come from context, and nothing
 * is looked up at synth, so `cdk synth` runs offline without credentials.
 */
export class AuroraImportsStack extends Stack {
  readonly eventBus: ImportEventBus;
  readonly functions: ImportFunctions;
  readonly stateMachines: ImportStateMachines;
  readonly athena: AthenaResults;
  readonly database: DatabaseAccess;
  readonly emrTrigger: EmrTrigger;
  readonly catchUp: CatchUpSchedule;
  readonly eventSchemas: EventSchemas;
  readonly exampleSubscriber: ExampleSubscriber;
  readonly monitoring: ImportMonitoring;

  constructor(scope: Construct, id: string, props: AuroraImportsStackProps) {
    super(scope, id, props);
    const { config, projectRoot } = props;
    const catalogFile = path.resolve(projectRoot, config.catalogPath);
    const sources = readCatalogSources(catalogFile);

    this.eventBus = new ImportEventBus(this, 'Events', {
      eventBusName: config.eventBusName,
      archiveRetentionDays: config.archiveRetentionDays,
    });
    this.database = new DatabaseAccess(this, 'Database', {
      existing: config.existingDatabase,
      port: config.dbPort,
      proxySecurityGroupId: config.dbProxySecurityGroupId,
    });
    this.athena = new AthenaResults(this, 'Athena', {
      workGroupName: 'aurora-imports',
      expirationDays: config.resultsExpirationDays,
    });

    const extraEnvironment: Record<string, string> = {};
    if (config.heavySlots !== undefined) extraEnvironment.HEAVY_SLOTS = String(config.heavySlots);
    if (config.lightSlots !== undefined) extraEnvironment.LIGHT_SLOTS = String(config.lightSlots);
    if (config.athenaRetryDefaultMaxAttempts !== undefined) {
      extraEnvironment.ATHENA_RETRY_DEFAULT_MAX_ATTEMPTS = String(config.athenaRetryDefaultMaxAttempts);
    }
    if (config.athenaRetryMaxAttempts !== undefined) {
      extraEnvironment.ATHENA_RETRY_MAX_ATTEMPTS = JSON.stringify(config.athenaRetryMaxAttempts);
    }
    this.functions = new ImportFunctions(this, 'Functions', {
      projectRoot,
      eventBusName: this.eventBus.bus.eventBusName,
      logLevel: config.logLevel,
      database: {
        vpc: this.database.vpc,
        subnets: this.database.subnets,
        securityGroup: this.database.functionSecurityGroup,
        secretArn: this.database.secret.secretArn,
        hostOverride: config.dbProxyEndpoint,
      },
      catalogFile,
      extraEnvironment,
    });
    this.grantFunctionPermissions();

    this.stateMachines = new ImportStateMachines(this, 'StateMachines', {
      definitionsDir: path.join(projectRoot, 'infra', 'state-machines'),
      functions: {
        planImports: this.functions.get('plan-imports'),
        prepareImport: this.functions.get('prepare-import'),
        classifyAthenaError: this.functions.get('classify-athena-error'),
        publishImportEvent: this.functions.get('publish-import-event'),
        s3ImportToAurora: this.functions.get('s3-import-to-aurora'),
        recordImportFailure: this.functions.get('record-import-failure'),
      },
      athena: {
        workGroupRef: this.athena.workGroup.ref,
        workGroupArn: this.athena.workGroupArn,
        outputLocation: this.athena.outputLocation,
        resultsBucket: this.athena.bucket,
        resultsPrefix: AthenaResults.RESULTS_PREFIX,
      },
      sources,
      dataBucketName: config.dataBucketName,
      dataPrefix: config.dataPrefix,
      lightMaxConcurrency: config.lightMaxConcurrency,
      lakeFormation: config.lakeFormation,
    });
    const orchestrator = this.stateMachines.orchestrator;

    const catchUpFunction = this.functions.get('catch-up');
    this.configureCatchUp(catchUpFunction, config);
    catchUpFunction.addEnvironment('ORCHESTRATOR_STATE_MACHINE_ARN', orchestrator.stateMachineArn);
    catchUpFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'StartOrchestrations',
        // Duplicate starts are refused by the deterministic execution name, so no read access is needed.
        actions: ['states:StartExecution'],
        resources: [orchestrator.stateMachineArn],
      }),
    );

    const triggerDeadLetterQueue = createDeadLetterQueue(this, 'TriggerDeadLetterQueue');
    this.emrTrigger = new EmrTrigger(this, 'EmrTrigger', {
      orchestrator,
      stepNames: config.emrStepNames ?? sources.map((source) => source.producedBy),
      emrServerless: config.emrServerless,
      deadLetterQueue: triggerDeadLetterQueue,
    });
    const catchUpDeadLetterQueue = createDeadLetterQueue(this, 'CatchUpDeadLetterQueue');
    this.catchUp = new CatchUpSchedule(this, 'CatchUp', {
      catchUpFunction,
      deadLetterQueue: catchUpDeadLetterQueue,
    });

    this.eventSchemas = new EventSchemas(this, 'EventSchemas', {
      directory: path.join(projectRoot, 'schemas', 'events'),
      registryName: 'aurora-imports',
      source: EVENT_SOURCE,
    });
    this.exampleSubscriber = new ExampleSubscriber(this, 'ExampleSubscriber', { bus: this.eventBus.bus });

    this.monitoring = new ImportMonitoring(this, 'Monitoring', {
      stateMachines: [
        { label: 'ImportStateMachine', machine: this.stateMachines.importMachine },
        { label: 'Orchestrator', machine: orchestrator },
      ],
      functions: this.functions.all(),
      rules: [
        { rule: this.emrTrigger.stepRule },
        ...(this.emrTrigger.serverlessRule ? [{ rule: this.emrTrigger.serverlessRule }] : []),
        { rule: this.exampleSubscriber.rule, eventBusName: config.eventBusName },
      ],
      deadLetterQueues: [
        { label: 'TriggerDeadLetterQueue', queue: triggerDeadLetterQueue },
        { label: 'CatchUpDeadLetterQueue', queue: catchUpDeadLetterQueue },
        { label: 'ExampleSubscriberDeadLetterQueue', queue: this.exampleSubscriber.deadLetterQueue },
      ],
      tables: sources.map((source) => source.name),
      alarmEmail: config.alarmEmail,
      dashboardName: 'aurora-imports',
      clusterIdentifier: this.database.clusterIdentifier,
    });

    this.acknowledgeFunctionFindings();
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.bus.eventBusName });
    new CfnOutput(this, 'OrchestratorArn', { value: orchestrator.stateMachineArn });
    new CfnOutput(this, 'ImportStateMachineArn', { value: this.stateMachines.importMachine.stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'ExampleSubscriberQueueUrl', { value: this.exampleSubscriber.queue.queueUrl });
  }

  /** Each function gets only what its code calls beyond logging: the secret, the bus, the results prefix. */
  private grantFunctionPermissions(): void {
    const putEvents = new iam.PolicyStatement({
      sid: 'PutImportEvents',
      actions: ['events:PutEvents'],
      resources: [this.eventBus.bus.eventBusArn],
    });
    this.functions.get('publish-import-event').addToRolePolicy(putEvents);
    this.functions.get('classify-athena-error').addToRolePolicy(putEvents);
    for (const name of ['prepare-import', 's3-import-to-aurora', 'record-import-failure', 'catch-up'] as const) {
      const fn = this.functions.get(name);
      this.database.secret.grantRead(fn);
      this.database.secretKey?.grantDecrypt(fn);
    }
    const importFunction = this.functions.get('s3-import-to-aurora');
    importFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadQueryResults',
        actions: ['s3:GetObject'],
        resources: [this.athena.bucket.arnForObjects(`${AthenaResults.RESULTS_PREFIX}*`)],
      }),
    );
    const resultsBucketId = this.getLogicalId(this.athena.bucket.node.defaultChild as CfnResource);
    Validations.of(importFunction).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${resultsBucketId}.Arn>/${AthenaResults.RESULTS_PREFIX}*]`,
      reason: 'Reads Athena results, named <QueryExecutionId>.csv at runtime, under the workgroup result prefix only.',
    });
  }

  /**
   * The sweep looks for source data in the data bucket before starting an hour nothing imported: its location, and
   * a list permission limited to the data prefix.
   */
  private configureCatchUp(fn: NodejsFunction, config: DeploymentConfig): void {
    fn.addEnvironment('SOURCE_DATA_BUCKET', config.dataBucketName);
    if (config.dataPrefix !== '') fn.addEnvironment('SOURCE_DATA_PREFIX', config.dataPrefix);
    if (config.catchUpWindowHours !== undefined) {
      fn.addEnvironment('CATCH_UP_WINDOW_HOURS', String(config.catchUpWindowHours));
    }
    if (config.catchUpMaxHoursPerRun !== undefined) {
      fn.addEnvironment('CATCH_UP_MAX_HOURS_PER_RUN', String(config.catchUpMaxHoursPerRun));
    }
    if (config.catchUpMaxAttempts !== undefined) {
      fn.addEnvironment('CATCH_UP_MAX_ATTEMPTS', String(config.catchUpMaxAttempts));
    }
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListSourceData',
        actions: ['s3:ListBucket'],
        resources: [`arn:${this.partition}:s3:::${config.dataBucketName}`],
        ...(config.dataPrefix !== '' ? { conditions: { StringLike: { 's3:prefix': [`${config.dataPrefix}*`] } } } : {}),
      }),
    );
  }

  /** Findings on the functions that are acknowledged, each with its reason. */
  private acknowledgeFunctionFindings(): void {
    for (const { fn } of this.functions.all()) {
      const acknowledgements = [
        {
          id: 'AwsSolutions-L1',
          reason:
            'Node.js 22 is the runtime the project targets and tests on (issue 6); moving up is a deliberate upgrade.',
        },
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'The AWS managed basic execution policy grants only CloudWatch Logs writes.',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'X-Ray tracing: xray:PutTraceSegments and PutTelemetryRecords do not support resource-level permissions.',
        },
      ];
      if (fn.isBoundToVpc) {
        acknowledgements.push({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
          reason: 'The AWS managed VPC access policy grants only the ENI management Lambda needs to run in the VPC.',
        });
      }
      Validations.of(fn).acknowledge(...acknowledgements);
    }
  }
}

import * as path from 'node:path';
import { ArnFormat, type CfnResource, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { checkSubstitutions } from '../asl-placeholders.ts';
import type { CatalogTableSource } from '../catalog-sources.ts';

export const IMPORT_STATE_MACHINE_NAME = 'importFromS3ToAurora';
export const ORCHESTRATOR_STATE_MACHINE_NAME = 'orchestrateAuroraImports';
export const IMPORT_ASL_FILE = 'import-from-s3-to-aurora.asl.json';
export const ORCHESTRATOR_ASL_FILE = 'orchestrate-aurora-imports.asl.json';

export interface ImportStateMachinesProps {
  /** Folder holding the two `*.asl.json` files. */
  readonly definitionsDir: string;
  readonly functions: {
    readonly planImports: lambda.IFunction;
    readonly prepareImport: lambda.IFunction;
    readonly classifyAthenaError: lambda.IFunction;
    readonly publishImportEvent: lambda.IFunction;
    readonly s3ImportToAurora: lambda.IFunction;
    readonly recordImportFailure: lambda.IFunction;
  };
  readonly athena: {
    /** A token resolving to the workgroup name (so the machine depends on the workgroup). */
    readonly workGroupRef: string;
    readonly workGroupArn: string;
    readonly outputLocation: string;
    readonly resultsBucket: s3.IBucket;
    readonly resultsPrefix: string;
  };
  readonly sources: readonly CatalogTableSource[];
  readonly dataBucketName: string;
  readonly dataPrefix: string;
  readonly lightMaxConcurrency: number;
  /** Lake Formation governs the source tables: Athena reads them with credentials it vends. */
  readonly lakeFormation: boolean;
}

/**
 * importFromS3ToAurora and orchestrateAuroraImports from their ASL files, each with a role written out statement
 * by statement: the definitions come from files, so CDK cannot derive permissions from task objects.
 */
export class ImportStateMachines extends Construct {
  readonly importMachine: sfn.StateMachine;
  readonly orchestrator: sfn.StateMachine;
  readonly importRole: iam.Role;
  readonly orchestratorRole: iam.Role;

  constructor(scope: Construct, id: string, props: ImportStateMachinesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const fns = props.functions;
    // Only Step Functions acting for this account may assume the roles (confused-deputy protection).
    const statesPrincipal = new iam.ServicePrincipal('states.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    });

    this.importRole = new iam.Role(this, 'ImportRole', {
      assumedBy: statesPrincipal,
      description: `${IMPORT_STATE_MACHINE_NAME}: invoke its functions, query Athena, read the source tables`,
      inlinePolicies: { import: new iam.PolicyDocument({ statements: importStatements(stack, props) }) },
    });
    const importSubstitutions = {
      PrepareImportFunctionArn: fns.prepareImport.functionArn,
      PublishImportEventFunctionArn: fns.publishImportEvent.functionArn,
      ClassifyAthenaErrorFunctionArn: fns.classifyAthenaError.functionArn,
      S3ImportToAuroraFunctionArn: fns.s3ImportToAurora.functionArn,
      RecordImportFailureFunctionArn: fns.recordImportFailure.functionArn,
      AthenaWorkGroup: props.athena.workGroupRef,
      AthenaOutputLocation: props.athena.outputLocation,
    };
    if (props.lakeFormation) {
      this.importRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'LakeFormationDataAccess',
          actions: ['lakeformation:GetDataAccess'],
          resources: ['*'],
        }),
      );
      Validations.of(this.importRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'lakeformation:GetDataAccess supports no resource-level permission; what the role may read is decided by its Lake Formation grants on the source tables.',
      });
    }
    Validations.of(this.importRole).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${props.dataBucketName}/${props.dataPrefix}*]`,
        reason:
          "Athena reads the source tables' data files, whose keys (partitions, file names) are written by EMR; the grant is limited to the data bucket and prefix of the configuration.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.athena.resultsBucket.node.defaultChild as CfnResource)}.Arn>/${props.athena.resultsPrefix}*]`,
        reason:
          'Athena writes each result under the workgroup result prefix as <QueryExecutionId>.csv; ids are only known at runtime.',
      },
    );
    this.importMachine = this.createMachine('ImportStateMachine', {
      name: IMPORT_STATE_MACHINE_NAME,
      file: path.join(props.definitionsDir, IMPORT_ASL_FILE),
      substitutions: importSubstitutions,
      role: this.importRole,
    });

    // Built from the fixed name rather than from the machine's ARN token: the executions of a machine have a
    // different ARN form, and the managed rule is per account and region.
    const importExecutionsArn = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${IMPORT_STATE_MACHINE_NAME}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.orchestratorRole = new iam.Role(this, 'OrchestratorRole', {
      assumedBy: statesPrincipal,
      description: `${ORCHESTRATOR_STATE_MACHINE_NAME}: invoke its functions, run ${IMPORT_STATE_MACHINE_NAME} synchronously`,
      inlinePolicies: {
        orchestrate: new iam.PolicyDocument({
          statements: [
            invokeStatement([fns.planImports, fns.publishImportEvent]),
            new iam.PolicyStatement({
              sid: 'StartImportExecutions',
              actions: ['states:StartExecution'],
              resources: [this.importMachine.stateMachineArn],
            }),
            new iam.PolicyStatement({
              sid: 'FollowImportExecutions',
              actions: ['states:DescribeExecution', 'states:StopExecution'],
              resources: [importExecutionsArn],
            }),
            new iam.PolicyStatement({
              sid: 'SyncExecutionManagedRule',
              actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
              resources: [
                stack.formatArn({
                  service: 'events',
                  resource: 'rule',
                  resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule',
                }),
              ],
            }),
          ],
        }),
      },
    });
    Validations.of(this.orchestratorRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${IMPORT_STATE_MACHINE_NAME}:*]`,
      reason:
        'startExecution.sync:2 follows and may stop the child executions it starts; their names are chosen per table-hour at runtime, so the grant is every execution of importFromS3ToAurora and nothing else.',
    });
    this.orchestrator = this.createMachine('OrchestratorStateMachine', {
      name: ORCHESTRATOR_STATE_MACHINE_NAME,
      file: path.join(props.definitionsDir, ORCHESTRATOR_ASL_FILE),
      substitutions: {
        PlanImportsFunctionArn: fns.planImports.functionArn,
        PublishImportEventFunctionArn: fns.publishImportEvent.functionArn,
        ImportStateMachineArn: this.importMachine.stateMachineArn,
        LightMaxConcurrency: String(props.lightMaxConcurrency),
      },
      role: this.orchestratorRole,
    });
  }

  private createMachine(
    id: string,
    options: { name: string; file: string; substitutions: Record<string, string>; role: iam.Role },
  ): sfn.StateMachine {
    checkSubstitutions(options.file, options.substitutions);
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      // The vendedlogs prefix keeps the CloudWatch Logs resource policy small however many machines log.
      logGroupName: `/aws/vendedlogs/states/${options.name}`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const machine = new sfn.StateMachine(this, id, {
      stateMachineName: options.name,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(options.file),
      definitionSubstitutions: options.substitutions,
      role: options.role,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    // Log delivery and X-Ray statements that StateMachine adds to the role's default policy.
    Validations.of(options.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by StateMachine for logging and tracing: CloudWatch Logs vended log delivery (logs:CreateLogDelivery, DescribeResourcePolicies...) and X-Ray PutTraceSegments/GetSampling* do not support resource-level permissions.',
    });
    return machine;
  }
}

function invokeStatement(functions: readonly lambda.IFunction[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'InvokeOwnFunctions',
    actions: ['lambda:InvokeFunction'],
    // The definitions call the unqualified ARNs, so no version or alias (`:*`) is granted.
    resources: functions.map((fn) => fn.functionArn),
  });
}

function importStatements(stack: Stack, props: ImportStateMachinesProps): iam.PolicyStatement[] {
  const fns = props.functions;
  const glueArn = (resource: string, resourceName?: string) =>
    stack.formatArn({ service: 'glue', resource, ...(resourceName ? { resourceName } : {}) });
  const databases = [...new Set(props.sources.map((source) => source.database))].sort();
  const tables = [...new Set(props.sources.map((source) => `${source.database}/${source.table}`))].sort();
  const dataBucketArn = `arn:${stack.partition}:s3:::${props.dataBucketName}`;
  const resultsBucket = props.athena.resultsBucket;
  return [
    invokeStatement([
      fns.prepareImport,
      fns.classifyAthenaError,
      fns.publishImportEvent,
      fns.s3ImportToAurora,
      fns.recordImportFailure,
    ]),
    new iam.PolicyStatement({
      sid: 'QueryAthena',
      actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution'],
      resources: [props.athena.workGroupArn],
    }),
    new iam.PolicyStatement({
      sid: 'AthenaDataCatalog',
      actions: ['athena:GetDataCatalog'],
      resources: [stack.formatArn({ service: 'athena', resource: 'datacatalog', resourceName: 'AwsDataCatalog' })],
    }),
    new iam.PolicyStatement({
      sid: 'ReadSourceTables',
      actions: [
        'glue:GetDatabase',
        'glue:GetTable',
        'glue:GetPartition',
        'glue:GetPartitions',
        'glue:BatchGetPartition',
      ],
      resources: [
        glueArn('catalog'),
        ...databases.map((database) => glueArn('database', database)),
        ...tables.map((table) => glueArn('table', table)),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'ListSourceData',
      actions: ['s3:ListBucket', 's3:GetBucketLocation'],
      resources: [dataBucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'ReadSourceData',
      actions: ['s3:GetObject'],
      resources: [`${dataBucketArn}/${props.dataPrefix}*`],
    }),
    new iam.PolicyStatement({
      sid: 'ResultsBucket',
      actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
      resources: [resultsBucket.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'WriteQueryResults',
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: [resultsBucket.arnForObjects(`${props.athena.resultsPrefix}*`)],
    }),
  ];
}

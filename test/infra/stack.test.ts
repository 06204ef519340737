import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Token } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuroraImportsStack } from '../../infra/aurora-imports-stack.ts';
import { readCatalogSources } from '../../infra/catalog-sources.ts';
import { DEFAULT_CATALOG_PATH } from '../../infra/config.ts';
import { CATCH_UP_MINUTE } from '../../infra/constructs/catch-up-schedule.ts';
import { EMR_TARGET_RETRY_ATTEMPTS } from '../../infra/constructs/emr-trigger.ts';
import { schemaFiles } from '../../infra/constructs/event-schemas.ts';
import { FUNCTION_NAMES } from '../../infra/constructs/import-functions.ts';
import {
  IMPORT_STATE_MACHINE_NAME,
  ORCHESTRATOR_STATE_MACHINE_NAME,
} from '../../infra/constructs/import-state-machines.ts';
import { cdkJsonContext, projectRoot, SYNTH_TIMEOUT_MS, synthStack } from './synth-stack.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}

const catalogTables = readCatalogSources(path.join(projectRoot, DEFAULT_CATALOG_PATH));
const context = cdkJsonContext();
const logicalIdOf = (template: Template, type: string, props: object) => {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};
const actionsOf = (statement: Statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);

/** Every IAM statement of identity policies (roles' inline policies and AWS::IAM::Policy). */
function identityStatements(resources: Resources): { owner: string; statement: Statement }[] {
  const found: { owner: string; statement: Statement }[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const documents =
      resource.Type === 'AWS::IAM::Role'
        ? ((resource.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []).map(
            (policy) => policy.PolicyDocument,
          )
        : resource.Type === 'AWS::IAM::Policy'
          ? [resource.Properties.PolicyDocument as { Statement: Statement[] }]
          : [];
    for (const document of documents) for (const statement of document.Statement) found.push({ owner: id, statement });
  }
  return found;
}

describe('AuroraImportsStack (cdk.json context: existing cluster)', { timeout: SYNTH_TIMEOUT_MS }, () => {
  let stack: AuroraImportsStack;
  let template: Template;
  let resources: Resources;

  beforeAll(() => {
    ({ stack, template } = synthStack());
    resources = template.toJSON().Resources as Resources;
  }, SYNTH_TIMEOUT_MS);

  it('is environment-agnostic: account and region stay unresolved', () => {
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
  });

  describe('event bus', () => {
    it('is a custom bus with an archive of every aurora-imports event', () => {
      template.hasResourceProperties('AWS::Events::EventBus', { Name: 'aurora-imports' });
      template.hasResourceProperties('AWS::Events::Archive', {
        EventPattern: { source: ['aurora-imports'] },
        RetentionDays: 30,
        SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsBus'), 'Arn'] },
      });
    });
  });

  describe('EMR trigger', () => {
    it('matches COMPLETED steps of the catalog producers on the default bus, wildcards included', () => {
      const rules = template.findResources('AWS::Events::Rule', {
        Properties: { EventPattern: { source: ['aws.emr'] } },
      });
      expect(Object.keys(rules)).toHaveLength(1);
      const rule = Object.values(rules)[0] as { Properties: Record<string, unknown> };
      expect(rule.Properties.EventBusName).toBeUndefined();
      expect(rule.Properties.EventPattern).toEqual({
        source: ['aws.emr'],
        'detail-type': ['EMR Step Status Change'],
        detail: { state: ['COMPLETED'], name: ['hourly-aggregations', { wildcard: 'hourly-*' }] },
      });
    });

    it('targets the orchestrator with a retry policy and an SQS dead-letter queue', () => {
      const orchestrator = logicalIdOf(template, 'AWS::StepFunctions::StateMachine', {
        StateMachineName: ORCHESTRATOR_STATE_MACHINE_NAME,
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['aws.emr'] },
        Targets: [
          {
            Arn: { Ref: orchestrator },
            RetryPolicy: { MaximumRetryAttempts: EMR_TARGET_RETRY_ATTEMPTS, MaximumEventAgeInSeconds: 7200 },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TriggerDeadLetterQueue'), 'Arn'] } },
          },
        ],
      });
    });

    it('has no EMR Serverless rule unless asked', () => {
      template.resourcePropertiesCountIs('AWS::Events::Rule', { EventPattern: { source: ['aws.emr-serverless'] } }, 0);
    });
  });

  describe('queues', () => {
    it('every queue is encrypted and refuses non-TLS access', () => {
      const queues = template.findResources('AWS::SQS::Queue');
      expect(Object.keys(queues)).toHaveLength(4);
      for (const [id, queue] of Object.entries(queues)) {
        expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: Match.arrayWith([{ Ref: id }]),
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Action: 'sqs:*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      }
    });
  });

  describe('state machines', () => {
    it.each([IMPORT_STATE_MACHINE_NAME, ORCHESTRATOR_STATE_MACHINE_NAME])(
      '%s: from its ASL file, logging ALL to CloudWatch Logs, traced',
      (name) => {
        template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
          StateMachineName: name,
          StateMachineType: 'STANDARD',
          DefinitionS3Location: Match.objectLike({ Key: Match.stringLikeRegexp('\\.json$') }),
          TracingConfiguration: { Enabled: true },
          LoggingConfiguration: {
            Level: 'ALL',
            IncludeExecutionData: true,
            Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }],
          },
        });
        template.hasResourceProperties('AWS::Logs::LogGroup', {
          LogGroupName: `/aws/vendedlogs/states/${name}`,
          RetentionInDays: 90,
        });
      },
    );

    it('the orchestrator runs the import machine by reference (no cycle) with the Map concurrency substitution', () => {
      const importMachine = logicalIdOf(template, 'AWS::StepFunctions::StateMachine', {
        StateMachineName: IMPORT_STATE_MACHINE_NAME,
      });
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: ORCHESTRATOR_STATE_MACHINE_NAME,
        DefinitionSubstitutions: {
          ImportStateMachineArn: { Ref: importMachine },
          LightMaxConcurrency: '4',
          PlanImportsFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FunctionsPlanImports'), 'Arn'] },
        },
      });
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: IMPORT_STATE_MACHINE_NAME,
        DefinitionSubstitutions: {
          AthenaWorkGroup: { Ref: Match.stringLikeRegexp('^AthenaWorkGroup') },
          AthenaOutputLocation: {
            'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^AthenaBucket') }, '/results/']],
          },
        },
      });
    });
  });

  describe('IAM', () => {
    const statementsOf = (roleIdPrefix: string) =>
      identityStatements(resources)
        .filter(({ owner }) => owner.startsWith(roleIdPrefix))
        .map(({ statement }) => statement);
    const bySid = (statements: Statement[], sid: string) => {
      const statement = statements.find((candidate) => candidate.Sid === sid);
      expect(statement, sid).toBeDefined();
      return statement as Statement;
    };

    it('only Step Functions acting for this account assumes the state machine roles', () => {
      const roles = template.findResources('AWS::IAM::Role', {
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [Match.objectLike({ Principal: { Service: 'states.amazonaws.com' } })],
          },
        },
      });
      expect(Object.keys(roles)).toHaveLength(2);
      for (const role of Object.values(roles)) {
        expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain(
          '"Condition":{"StringEquals":{"aws:SourceAccount":{"Ref":"AWS::AccountId"}}}',
        );
      }
    });

    it('the import machine invokes exactly its five functions and queries Athena in its workgroup', () => {
      const statements = statementsOf('StateMachinesImportRole');
      const invoke = bySid(statements, 'InvokeOwnFunctions');
      expect(invoke.Action).toBe('lambda:InvokeFunction');
      expect(JSON.stringify(invoke.Resource)).not.toContain(':*');
      expect((invoke.Resource as { 'Fn::GetAtt': string[] }[]).map((ref) => ref['Fn::GetAtt'][0]).sort()).toEqual([
        expect.stringMatching(/^FunctionsClassifyAthenaError/),
        expect.stringMatching(/^FunctionsPrepareImport/),
        expect.stringMatching(/^FunctionsPublishImportEvent/),
        expect.stringMatching(/^FunctionsRecordImportFailure/),
        expect.stringMatching(/^FunctionsS3ImportToAurora/),
      ]);
      const athena = bySid(statements, 'QueryAthena');
      expect(athena.Action).toEqual([
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:StopQueryExecution',
      ]);
      expect(JSON.stringify(athena.Resource)).toContain(':workgroup/aurora-imports');
    });

    it('Glue read is scoped to the catalog source databases and tables', () => {
      const glue = bySid(statementsOf('StateMachinesImportRole'), 'ReadSourceTables');
      expect(actionsOf(glue).every((action) => /^glue:(Get|BatchGet)/.test(action))).toBe(true);
      const resourceText = (glue.Resource as unknown[]).map((resource) => JSON.stringify(resource));
      const tables = [...new Set(catalogTables.map((table) => `${table.database}/${table.table}`))];
      const databases = [...new Set(catalogTables.map((table) => table.database))];
      expect(resourceText).toHaveLength(1 + databases.length + tables.length);
      for (const table of tables) expect(resourceText.some((text) => text.includes(`:table/${table}"`))).toBe(true);
      for (const database of databases) {
        expect(resourceText.some((text) => text.includes(`:database/${database}"`))).toBe(true);
      }
    });

    it('S3: read on the data bucket, read/write only under the results prefix', () => {
      const statements = statementsOf('StateMachinesImportRole');
      const bucket = context['auroraImports:dataBucketName'] as string;
      expect(JSON.stringify(bySid(statements, 'ReadSourceData'))).toContain(`:s3:::${bucket}/*`);
      expect(bySid(statements, 'ReadSourceData').Action).toBe('s3:GetObject');
      const write = bySid(statements, 'WriteQueryResults');
      expect(actionsOf(write)).toContain('s3:PutObject');
      expect(JSON.stringify(write.Resource)).toContain('/results/*');
      const importFunction = statementsOf('FunctionsS3ImportToAuroraServiceRole');
      expect(JSON.stringify(bySid(importFunction, 'ReadQueryResults').Resource)).toContain('/results/*');
    });

    it('the orchestrator starts, follows and stops only import executions, through the managed .sync rule', () => {
      const statements = statementsOf('StateMachinesOrchestratorRole');
      const importMachine = logicalIdOf(template, 'AWS::StepFunctions::StateMachine', {
        StateMachineName: IMPORT_STATE_MACHINE_NAME,
      });
      expect(bySid(statements, 'StartImportExecutions')).toMatchObject({
        Action: 'states:StartExecution',
        Resource: { Ref: importMachine },
      });
      const follow = bySid(statements, 'FollowImportExecutions');
      expect(follow.Action).toEqual(['states:DescribeExecution', 'states:StopExecution']);
      expect(JSON.stringify(follow.Resource)).toContain(`:execution:${IMPORT_STATE_MACHINE_NAME}:*`);
      const rule = bySid(statements, 'SyncExecutionManagedRule');
      expect(rule.Action).toEqual(['events:PutTargets', 'events:PutRule', 'events:DescribeRule']);
      expect(JSON.stringify(rule.Resource)).toContain(':rule/StepFunctionsGetEventsForStepFunctionsExecutionRule');
      expect((bySid(statements, 'InvokeOwnFunctions').Resource as unknown[]).length).toBe(2);
    });

    it('events:PutEvents only on our bus, only for the two publishing functions', () => {
      const bus = logicalIdOf(template, 'AWS::Events::EventBus', { Name: 'aurora-imports' });
      const putEvents = identityStatements(resources).filter(({ statement }) =>
        actionsOf(statement).includes('events:PutEvents'),
      );
      expect(putEvents.map(({ owner }) => owner.replace(/ServiceRole.*$/, '')).sort()).toEqual([
        expect.stringMatching(/^FunctionsClassifyAthenaError/),
        expect.stringMatching(/^FunctionsPublishImportEvent/),
      ]);
      for (const { statement } of putEvents) expect(statement.Resource).toEqual({ 'Fn::GetAtt': [bus, 'Arn'] });
    });

    it('no "*" resource except for actions AWS does not scope (log delivery, X-Ray)', () => {
      const unscopable =
        /^(xray:|logs:(Create|Get|Update|Delete|List)LogDelivery|logs:ListLogDeliveries|logs:PutResourcePolicy|logs:DescribeResourcePolicies|logs:DescribeLogGroups)/;
      const wildcard = identityStatements(resources).filter(
        ({ statement }) =>
          JSON.stringify(statement.Resource) === '"*"' ||
          (Array.isArray(statement.Resource) && statement.Resource.includes('*')),
      );
      expect(wildcard.length).toBeGreaterThan(0);
      for (const { owner, statement } of wildcard) {
        for (const action of actionsOf(statement)) expect(action, `${owner}: ${action} on *`).toMatch(unscopable);
      }
    });

    it('the database functions read the configured secret', () => {
      const secretArn = context['auroraImports:dbSecretArn'];
      const readers = identityStatements(resources)
        .filter(({ statement }) => actionsOf(statement).includes('secretsmanager:GetSecretValue'))
        .map(({ owner, statement }) => {
          expect(statement.Resource).toBe(secretArn);
          return owner.replace(/ServiceRole.*$/, '');
        });
      expect(readers.sort()).toEqual([
        expect.stringMatching(/^FunctionsCatchUp/),
        expect.stringMatching(/^FunctionsPrepareImport/),
        expect.stringMatching(/^FunctionsRecordImportFailure/),
        expect.stringMatching(/^FunctionsS3ImportToAurora/),
      ]);
    });
  });

  describe('functions', () => {
    it('seven Node.js 22 arm64 functions with Powertools settings, traced, each with its log group', () => {
      const functions = template.findResources('AWS::Lambda::Function', {
        Properties: { Runtime: 'nodejs22.x' },
      });
      expect(Object.keys(functions)).toHaveLength(FUNCTION_NAMES.length);
      for (const fn of Object.values(functions)) {
        expect(fn.Properties).toMatchObject({
          Architectures: ['arm64'],
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
          Environment: {
            Variables: expect.objectContaining({
              POWERTOOLS_SERVICE_NAME: 'aurora-imports',
              POWERTOOLS_METRICS_NAMESPACE: 'AuroraImports',
              POWERTOOLS_LOG_LEVEL: 'INFO',
              EVENT_BUS_NAME: { Ref: expect.stringMatching(/^EventsBus/) },
              CATALOG_PATH: '/var/task/catalog.json',
            }),
          },
        });
      }
    });

    it('the database functions run in the configured subnets with the secret; the others outside the VPC', () => {
      const functions = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
        id.startsWith('Functions'),
      );
      const inVpc = functions.filter(([, fn]) => fn.Properties.VpcConfig !== undefined).map(([id]) => id);
      expect(inVpc.sort()).toEqual([
        expect.stringMatching(/^FunctionsCatchUp/),
        expect.stringMatching(/^FunctionsPrepareImport/),
        expect.stringMatching(/^FunctionsRecordImportFailure/),
        expect.stringMatching(/^FunctionsS3ImportToAurora/),
      ]);
      for (const [id, fn] of functions) {
        const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
        if (inVpc.includes(id)) {
          expect(fn.Properties.VpcConfig).toMatchObject({ SubnetIds: context['auroraImports:privateSubnetIds'] });
          expect(variables.DB_SECRET_ARN).toBe(context['auroraImports:dbSecretArn']);
          expect(variables.NODE_EXTRA_CA_CERTS).toBe('/var/runtime/ca-cert.pem');
        } else {
          expect(variables.DB_SECRET_ARN).toBeUndefined();
          expect(variables.NODE_EXTRA_CA_CERTS).toBeUndefined();
        }
        expect(variables.DB_HOST_OVERRIDE).toBeUndefined();
      }
    });

    it('the catch-up function starts orchestrations and lists the source data; the import function may run up to its task timeout', () => {
      const orchestrator = logicalIdOf(template, 'AWS::StepFunctions::StateMachine', {
        StateMachineName: ORCHESTRATOR_STATE_MACHINE_NAME,
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            ORCHESTRATOR_STATE_MACHINE_ARN: { Ref: orchestrator },
            SOURCE_DATA_BUCKET: context['auroraImports:dataBucketName'],
          }),
        },
      });
      const catchUp = identityStatements(resources)
        .filter(({ owner }) => owner.startsWith('FunctionsCatchUpServiceRole'))
        .map(({ statement }) => statement);
      expect(catchUp.find((statement) => statement.Sid === 'StartOrchestrations')).toMatchObject({
        Action: 'states:StartExecution',
        Resource: { Ref: orchestrator },
      });
      expect(JSON.stringify(catchUp.find((statement) => statement.Sid === 'ListSourceData'))).toContain(
        `:s3:::${context['auroraImports:dataBucketName']}"`,
      );
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('Streams an Athena result CSV'),
        Timeout: 890,
        MemorySize: 1024,
      });
    });

    it('the functions reach the cluster on its port only, and the cluster admits them', () => {
      const clusterSg = context['auroraImports:clusterSecurityGroupId'];
      template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        DestinationSecurityGroupId: clusterSg,
        FromPort: 5432,
        ToPort: 5432,
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: clusterSg,
        FromPort: 5432,
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('FunctionSecurityGroup'), 'GroupId'] },
      });
      template.resourceCountIs('AWS::RDS::DBCluster', 0);
    });
  });

  describe('Athena', () => {
    it('a workgroup enforcing an encrypted result location whose results expire', () => {
      template.hasResourceProperties('AWS::Athena::WorkGroup', {
        Name: 'aurora-imports',
        WorkGroupConfiguration: {
          EnforceWorkGroupConfiguration: true,
          ResultConfiguration: {
            OutputLocation: {
              'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^AthenaBucket') }, '/results/']],
            },
            EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          },
        },
      });
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ Prefix: 'results/', ExpirationInDays: 7, Status: 'Enabled' })],
        },
      });
    });
  });

  describe('catch-up schedule', () => {
    it('runs hourly, invoking the catch-up function with a retry policy and a dead-letter queue', () => {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: `cron(${CATCH_UP_MINUTE} * * * ? *)`,
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FunctionsCatchUp'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CatchUpDeadLetterQueue'), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        },
      });
    });
  });

  describe('schema registry', () => {
    it('one JSONSchemaDraft4 schema per file of schemas/events, with the file as content', () => {
      const files = schemaFiles(path.join(projectRoot, 'schemas', 'events'));
      template.resourceCountIs('AWS::EventSchemas::Registry', 1);
      const schemas = Object.values(template.findResources('AWS::EventSchemas::Schema'));
      expect(schemas).toHaveLength(files.length);
      const contents = schemas.map((schema) => schema.Properties.Content as string).sort();
      expect(contents).toEqual(files.map((file) => readFileSync(file, 'utf8')).sort());
      for (const schema of schemas) {
        expect(schema.Properties).toMatchObject({
          Type: 'JSONSchemaDraft4',
          SchemaName: expect.stringMatching(/^aurora-imports@[A-Za-z]+$/),
          RegistryName: { 'Fn::GetAtt': [expect.stringMatching(/Registry/), 'RegistryName'] },
        });
      }
    });
  });

  describe('example subscriber', () => {
    it('a rule on the import bus for Import Failed / Succeeded into a queue with a DLQ', () => {
      const bus = logicalIdOf(template, 'AWS::Events::EventBus', { Name: 'aurora-imports' });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: bus },
        EventPattern: { source: ['aurora-imports'], 'detail-type': ['Import Failed', 'Import Succeeded'] },
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExampleSubscriberQueue'), 'Arn'] },
            DeadLetterConfig: Match.anyValue(),
          }),
        ],
      });
      template.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: {
          deadLetterTargetArn: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^ExampleSubscriberDeadLetterQueue'), 'Arn'],
          },
          maxReceiveCount: 5,
        },
      });
    });
  });

  describe('alarms', () => {
    const alarms = () =>
      Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
        (alarm) => alarm.Properties as Record<string, unknown>,
      );
    const alarmsFor = (namespace: string, metricName: string) =>
      alarms().filter((alarm) => alarm.Namespace === namespace && alarm.MetricName === metricName);

    it('every alarm notifies the encrypted alarm topic', () => {
      const topic = logicalIdOf(template, 'AWS::SNS::Topic', {});
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlarmTopicKey'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            }),
          ]),
        },
      });
      for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
      template.resourceCountIs('AWS::SNS::Subscription', 0);
    });

    it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled'])(
      'Step Functions %s on both machines, >= 1, missing data not breaching',
      (metricName) => {
        const found = alarmsFor('AWS/States', metricName);
        expect(found).toHaveLength(2);
        for (const alarm of found) {
          expect(alarm).toMatchObject({
            Threshold: 1,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
            TreatMissingData: 'notBreaching',
            Statistic: 'Sum',
          });
        }
      },
    );

    it('Lambda Errors and Throttles on every function, Duration at 80% of each timeout', () => {
      expect(alarmsFor('AWS/Lambda', 'Errors')).toHaveLength(FUNCTION_NAMES.length);
      expect(alarmsFor('AWS/Lambda', 'Throttles')).toHaveLength(FUNCTION_NAMES.length);
      const durations = alarmsFor('AWS/Lambda', 'Duration');
      expect(durations).toHaveLength(FUNCTION_NAMES.length);
      for (const alarm of durations) {
        expect(alarm).toMatchObject({ Statistic: 'Maximum', ComparisonOperator: 'GreaterThanThreshold' });
      }
      expect(durations.map((alarm) => alarm.Threshold).sort((a, b) => Number(a) - Number(b))).toEqual([
        24_000, 24_000, 24_000, 24_000, 24_000, 96_000, 712_000,
      ]);
    });

    it.each(['FailedInvocations', 'InvocationsFailedToBeSentToDlq'])(
      'EventBridge %s on the EMR rule (default bus) and the subscriber rule (custom bus)',
      (metricName) => {
        const found = alarmsFor('AWS/Events', metricName);
        expect(found).toHaveLength(2);
        const dimensionNames = found.map((alarm) =>
          (alarm.Dimensions as { Name: string }[])
            .map((dimension) => dimension.Name)
            .sort()
            .join(','),
        );
        expect(dimensionNames.sort()).toEqual(['EventBusName,RuleName', 'RuleName']);
      },
    );

    it('dead-letter queue depth > 0 on the three DLQs', () => {
      const found = alarmsFor('AWS/SQS', 'ApproximateNumberOfMessagesVisible');
      expect(found).toHaveLength(3);
      for (const alarm of found) {
        expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Maximum' });
      }
    });

    it('ImportFailed per catalog table', () => {
      const found = alarmsFor('AuroraImports', 'ImportFailed');
      expect(found).toHaveLength(catalogTables.length);
      for (const alarm of found) {
        expect(alarm).toMatchObject({ Threshold: 1, TreatMissingData: 'notBreaching', Statistic: 'Sum', Period: 300 });
        expect(alarm.Dimensions).toEqual(
          expect.arrayContaining([
            { Name: 'service', Value: 'aurora-imports' },
            { Name: 'table', Value: expect.any(String) },
          ]),
        );
      }
    });

    it('freshness: no ImportSucceeded for a table in two hours, missing data breaching', () => {
      const found = alarmsFor('AuroraImports', 'ImportSucceeded');
      expect(
        found
          .map(
            (alarm) => (alarm.Dimensions as { Name: string; Value: string }[]).find((d) => d.Name === 'table')?.Value,
          )
          .sort(),
      ).toEqual(catalogTables.map((table) => table.name).sort());
      for (const alarm of found) {
        expect(alarm).toMatchObject({
          Threshold: 1,
          ComparisonOperator: 'LessThanThreshold',
          Period: 3600,
          EvaluationPeriods: 2,
          DatapointsToAlarm: 2,
          TreatMissingData: 'breaching',
        });
      }
    });
  });

  describe('dashboard', () => {
    it('shows imports, rows, durations, retries and failures per table, and both machines', () => {
      const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
      expect(dashboards).toHaveLength(1);
      const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
      for (const text of [
        'ImportSucceeded',
        'RowsImported',
        'ImportDuration',
        'Retries',
        'causeClass',
        'ImportFailed',
        'SlotBusy',
      ]) {
        expect(body).toContain(text);
      }
      for (const table of catalogTables) expect(body).toContain(table.name);
      expect(body).toContain('ExecutionsFailed');
      expect(body).toContain('ApproximateNumberOfMessagesVisible');
      expect(body).toContain(`"DBClusterIdentifier\\",\\"${context['auroraImports:clusterIdentifier']}`);
    });
  });
});

describe('AuroraImportsStack options', { timeout: SYNTH_TIMEOUT_MS }, () => {
  it('EMR Serverless, RDS Proxy, step names, alarm e-mail, Map concurrency, Lake Formation, function settings', () => {
    const { template } = synthStack({
      context: {
        emrServerless: true,
        dbProxyEndpoint: 'proxy.proxy-abc.eu-west-1.rds.amazonaws.com',
        dbProxySecurityGroupId: 'sg-0proxy',
        emrStepNames: ['hourly-aggregations', 'late-*'],
        alarmEmail: 'ops@example.com',
        heavySlots: 2,
        dataPrefix: 'warehouse/aggregations/',
        catchUpWindowHours: 48,
        catchUpMaxAttempts: 5,
        athenaRetryMaxAttempts: '{"throttling": 8}',
        lightMaxConcurrency: 7,
        lakeFormation: true,
      },
    });
    const lakeFormation = identityStatements(template.toJSON().Resources as Resources).filter(({ statement }) =>
      actionsOf(statement).includes('lakeformation:GetDataAccess'),
    );
    expect(lakeFormation.map(({ owner }) => owner)).toEqual([expect.stringMatching(/^StateMachinesImportRole/)]);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: ORCHESTRATOR_STATE_MACHINE_NAME,
      DefinitionSubstitutions: { LightMaxConcurrency: '7' },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.emr-serverless'],
        'detail-type': ['EMR Serverless Job Run State Change'],
        detail: { state: ['SUCCESS'] },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { name: ['hourly-aggregations', { wildcard: 'late-*' }] } },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      DestinationSecurityGroupId: 'sg-0proxy',
      FromPort: 5432,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0proxy', FromPort: 5432 });
    const withProxy = template.findResources('AWS::Lambda::Function', {
      Properties: {
        Environment: { Variables: { DB_HOST_OVERRIDE: 'proxy.proxy-abc.eu-west-1.rds.amazonaws.com' } },
      },
    });
    expect(Object.keys(withProxy)).toHaveLength(4);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SOURCE_DATA_PREFIX: 'warehouse/aggregations/',
          CATCH_UP_WINDOW_HOURS: '48',
          CATCH_UP_MAX_ATTEMPTS: '5',
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ListSourceData',
            Condition: { StringLike: { 's3:prefix': ['warehouse/aggregations/*'] } },
          }),
        ]),
      },
    });
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HEAVY_SLOTS: '2', ATHENA_RETRY_MAX_ATTEMPTS: '{"throttling":8}' }) },
    });
  });

  it('createDevCluster: an Aurora Serverless v2 PostgreSQL cluster in its own VPC, secret from the cluster', () => {
    const { template } = synthStack({ context: { createDevCluster: true } });
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
      DatabaseName: 'aurora_imports',
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless' });
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
    const dbFunctions = template.findResources('AWS::Lambda::Function', {
      Properties: { VpcConfig: Match.anyValue() },
    });
    expect(Object.keys(dbFunctions)).toHaveLength(4);
    for (const fn of Object.values(dbFunctions)) {
      expect(JSON.stringify(fn.Properties.VpcConfig)).toContain('DevClusterVpcfunctionsSubnet');
      expect(fn.Properties.Environment).toMatchObject({
        Variables: { DB_SECRET_ARN: { Ref: expect.stringMatching(/DevClusterSecretAttachment/) } },
      });
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DevClusterClusterSecurityGroup'), 'GroupId'] },
    });
  });
});

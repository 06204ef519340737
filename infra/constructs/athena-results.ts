import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface AthenaResultsProps {
  readonly workGroupName: string;
  /** Query results are transient: the import reads them once, minutes after the query. */
  readonly expirationDays: number;
}

/**
 * The Athena workgroup the import machine queries through, with its result location enforced (queries cannot
 * write elsewhere) in an encrypted bucket whose results expire.
 */
export class AthenaResults extends Construct {
  /** Results land under this prefix (`<QueryExecutionId>.csv`). */
  static readonly RESULTS_PREFIX = 'results/';
  readonly bucket: s3.Bucket;
  readonly workGroup: athena.CfnWorkGroup;
  readonly workGroupName: string;
  readonly workGroupArn: string;
  /** `s3://<bucket>/results/` */
  readonly outputLocation: string;

  constructor(scope: Construct, id: string, props: AthenaResultsProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-query-results',
          prefix: AthenaResults.RESULTS_PREFIX,
          expiration: Duration.days(props.expirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Transient Athena query results that expire within days; who queried what is recorded by Athena query history and CloudTrail, so server access logs would only duplicate it.',
    });
    this.outputLocation = `s3://${this.bucket.bucketName}/${AthenaResults.RESULTS_PREFIX}`;
    this.workGroupName = props.workGroupName;
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.workGroupName,
      description: 'aurora-imports: hourly aggregation queries feeding Aurora',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: this.outputLocation,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    this.workGroupArn = Stack.of(this).formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: props.workGroupName,
    });
  }
}

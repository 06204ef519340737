import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ExistingDatabaseConfig } from '../config.ts';

export interface DatabaseAccessProps {
  /** The cluster to import; absent: create a small Aurora Serverless v2 dev cluster with its own VPC. */
  readonly existing?: ExistingDatabaseConfig;
  readonly port: number;
  /** An RDS Proxy's security group: the functions reach it and it admits them, like the cluster's. */
  readonly proxySecurityGroupId?: string;
}

/**
 * Where the database functions run and how they reach Aurora: the VPC and subnets, a security group for the
 * functions that the cluster admits on the PostgreSQL port, and the credentials secret.
 */
export class DatabaseAccess extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly functionSecurityGroup: ec2.SecurityGroup;
  readonly secret: secretsmanager.ISecret;
  /** The customer managed key of an imported secret, when it has one (grantRead cannot see it). */
  readonly secretKey?: kms.IKey;
  readonly clusterIdentifier: string;

  constructor(scope: Construct, id: string, props: DatabaseAccessProps) {
    super(scope, id);
    const port = ec2.Port.tcp(props.port);
    let clusterSecurityGroup: ec2.ISecurityGroup;
    if (props.existing) {
      const existing = props.existing;
      // fromVpcAttributes, not fromLookup: synth must run offline, without credentials.
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: existing.vpcId,
        availabilityZones: [...existing.availabilityZones],
        privateSubnetIds: [...existing.privateSubnetIds],
      });
      this.subnets = { subnets: this.vpc.privateSubnets };
      Validations.of(this).acknowledge({
        id: 'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId',
        reason: 'Imported subnets only place the functions; nothing in the stack reads or changes their route tables.',
      });
      clusterSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
        this,
        'ClusterSecurityGroup',
        existing.clusterSecurityGroupId,
      );
      this.secret = /-[A-Za-z0-9]{6}$/.test(existing.dbSecretArn)
        ? secretsmanager.Secret.fromSecretCompleteArn(this, 'Secret', existing.dbSecretArn)
        : secretsmanager.Secret.fromSecretPartialArn(this, 'Secret', existing.dbSecretArn);
      if (existing.dbSecretKmsKeyArn) {
        this.secretKey = kms.Key.fromKeyArn(this, 'SecretKey', existing.dbSecretKmsKeyArn);
      }
      this.clusterIdentifier = existing.clusterIdentifier;
    } else {
      const dev = new DevCluster(this, 'DevCluster', { port: props.port });
      this.vpc = dev.vpc;
      this.subnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
      clusterSecurityGroup = dev.securityGroup;
      this.secret = dev.secret;
      this.clusterIdentifier = dev.cluster.clusterIdentifier;
    }

    // Outbound only to the cluster and to HTTPS (Secrets Manager, S3, Step Functions through endpoints or NAT).
    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'aurora-imports database functions',
      allowAllOutbound: false,
    });
    this.functionSecurityGroup.addEgressRule(clusterSecurityGroup, port, 'PostgreSQL to the Aurora cluster');
    this.functionSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs');
    clusterSecurityGroup.addIngressRule(this.functionSecurityGroup, port, 'aurora-imports functions');
    if (props.proxySecurityGroupId) {
      const proxySecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
        this,
        'ProxySecurityGroup',
        props.proxySecurityGroupId,
      );
      this.functionSecurityGroup.addEgressRule(proxySecurityGroup, port, 'PostgreSQL to the RDS Proxy');
      proxySecurityGroup.addIngressRule(this.functionSecurityGroup, port, 'aurora-imports functions');
    }
  }
}

/** A small Aurora Serverless v2 PostgreSQL cluster for a test account (`createDevCluster`). */
class DevCluster extends Construct {
  readonly vpc: ec2.Vpc;
  readonly cluster: rds.DatabaseCluster;
  readonly securityGroup: ec2.SecurityGroup;
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: { port: number }) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'functions', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
        { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogGroup', {
          retention: logs.RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      ),
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: this.vpc,
      description: 'aurora-imports dev cluster',
      allowAllOutbound: false,
    });
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }),
      writer: rds.ClusterInstance.serverlessV2('Writer', { enablePerformanceInsights: false }),
      serverlessV2MinCapacity: 0.5,
      serverlessV2MaxCapacity: 4,
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      port: props.port,
      defaultDatabaseName: 'aurora_imports',
      // The generated secret holds host, port, username, password and dbname: the shape the functions read.
      credentials: rds.Credentials.fromGeneratedSecret('aurora_imports'),
      storageEncrypted: true,
      iamAuthentication: true,
      backup: { retention: Duration.days(1) },
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    if (!this.cluster.secret) throw new Error('the dev cluster has no generated secret');
    this.secret = this.cluster.secret;
    Validations.of(this.cluster).acknowledge(
      {
        id: 'AwsSolutions-RDS10',
        reason: 'Dev cluster for a test account: it is meant to be torn down with the stack.',
      },
      {
        id: 'AwsSolutions-RDS11',
        reason:
          'The cluster is private (isolated subnets, one security group admitting only the functions); a non-default port adds nothing there and the port is configurable (dbPort).',
      },
      {
        id: 'AwsSolutions-SMG4',
        reason: 'Dev cluster credentials: rotation would need a rotation Lambda in the VPC for a throwaway database.',
      },
    );
  }
}

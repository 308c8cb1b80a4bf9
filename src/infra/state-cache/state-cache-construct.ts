/**
 * The state-cache bounded context in AWS: the Redis-compatible store of every vehicle's latest state (and
 * the detectors' per-vehicle state), as ElastiCache Serverless for Valkey inside a VPC of its own.
 */
import { Names } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { Construct } from 'constructs';

/** The port of a serverless cache's primary endpoint (always TLS). */
export const STATE_CACHE_PORT = 6379;

/** Properties of {@link FleetwireStateCache}. */
export interface FleetwireStateCacheProps {
  /**
   * A VPC to put the cache in. Whoever supplies it also provides the functions' way to AWS APIs (VPC
   * endpoints or a NAT gateway): the ingest function calls KMS, DynamoDB, EventBridge and SQS.
   *
   * @default - a new two-AZ VPC with isolated subnets only, a DynamoDB gateway endpoint and interface
   * endpoints for KMS, EventBridge and SQS
   */
  readonly vpc?: ec2.IVpc;
  /** The subnets of the cache and of the functions that use it. @default - the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The cache's name, unique in the account and region (lowercase letters, digits and hyphens, ≤ 40).
   *
   * @default - derived from the construct path, so each stack gets its own
   */
  readonly cacheName?: string;
  /**
   * The most data the cache may hold, in GB: a runaway bug then fails writes instead of billing without
   * bound (only what is stored is billed, not the limit). 10,000 vehicles' state is ≈ 100 MB.
   *
   * @default 5
   */
  readonly maxDataStorageGb?: number;
  /** Daily snapshots to keep (0 turns them off). @default 1 */
  readonly snapshotRetentionDays?: number;
}

/**
 * An ElastiCache Serverless cache (engine Valkey 8, TLS always on) in isolated subnets.
 *
 * Why Valkey serverless: billed per GB stored (≥ 100 MB) and per ECPU, so a small fleet pays a few dollars a
 * month and a large one scales without resizing nodes; Valkey is priced about a third below Redis OSS on
 * serverless, with a ten times lower minimum, and speaks the same protocol to ioredis.
 *
 * Why no NAT gateway in the VPC it creates: a NAT gateway costs ≈ $33 per AZ-month plus $0.045/GB, and
 * would give a function that sees raw VINs a route to the internet. The functions need only AWS APIs:
 * DynamoDB through a free gateway endpoint, and KMS, EventBridge and SQS through interface endpoints
 * (≈ $7.30 per endpoint-AZ-month, $0.01/GB). Kinesis needs none: Lambda's event source mapping reads the
 * streams outside the VPC, and logs and EMF metrics leave through the Lambda service too.
 */
export class FleetwireStateCache extends Construct {
  /** The VPC of the cache, and of every function that reads or writes it. */
  public readonly vpc: ec2.IVpc;
  /** Where the cache is, and where functions that use it should run. */
  public readonly vpcSubnets: ec2.SubnetSelection;
  /** The cache's security group: closed until {@link allowFrom} opens the port to a peer. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The serverless cache. */
  public readonly cache: elasticache.CfnServerlessCache;
  /** `rediss://<endpoint>:6379`, what `REDIS_URL` is set to. */
  public readonly redisUrl: string;
  /** The interface endpoints created with the VPC, by service; empty when the VPC was supplied. */
  public readonly interfaceEndpoints: ReadonlyMap<string, ec2.InterfaceVpcEndpoint>;

  public constructor(scope: Construct, id: string, props: FleetwireStateCacheProps = {}) {
    super(scope, id);

    const endpoints = new Map<string, ec2.InterfaceVpcEndpoint>();
    if (props.vpc === undefined) {
      const vpc = new ec2.Vpc(this, 'Vpc', {
        // Two AZs: what ElastiCache Serverless requires, and each interface endpoint is billed per AZ.
        maxAzs: 2,
        natGateways: 0,
        subnetConfiguration: [
          { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
        ],
        gatewayEndpoints: { DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB } },
      });
      const services: readonly [string, ec2.InterfaceVpcEndpointAwsService][] = [
        ['Kms', ec2.InterfaceVpcEndpointAwsService.KMS],
        ['EventBridge', ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE],
        ['Sqs', ec2.InterfaceVpcEndpointAwsService.SQS],
      ];
      for (const [name, service] of services) {
        // Private DNS, so SDK clients reach the endpoint under the service's regular hostname; the
        // endpoint's security group admits HTTPS from the VPC's CIDR.
        endpoints.set(name, vpc.addInterfaceEndpoint(name, { service, privateDnsEnabled: true }));
      }
      this.vpc = vpc;
    } else {
      this.vpc = props.vpc;
    }
    this.interfaceEndpoints = endpoints;
    this.vpcSubnets = props.vpcSubnets ?? {};

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: 'Fleetwire state cache: Redis over TLS from the functions allowed to use it',
      allowAllOutbound: false,
    });

    this.cache = new elasticache.CfnServerlessCache(this, 'Cache', {
      serverlessCacheName: props.cacheName ?? Names.uniqueResourceName(this, { maxLength: 40 }).toLowerCase(),
      description: 'Fleetwire: latest vehicle state and detector state',
      engine: 'valkey',
      majorEngineVersion: '8',
      subnetIds: this.vpc.selectSubnets(this.vpcSubnets).subnetIds,
      securityGroupIds: [this.securityGroup.securityGroupId],
      cacheUsageLimits: { dataStorage: { maximum: props.maxDataStorageGb ?? 5, unit: 'GB' } },
      snapshotRetentionLimit: props.snapshotRetentionDays ?? 1,
    });
    this.redisUrl = `rediss://${this.cache.attrEndpointAddress}:${STATE_CACHE_PORT}`;
  }

  /** Opens the cache's port to `peer` (a function in this VPC, say). */
  public allowFrom(peer: ec2.IConnectable): void {
    this.securityGroup.connections.allowFrom(peer, ec2.Port.tcp(STATE_CACHE_PORT), 'Redis over TLS');
  }
}

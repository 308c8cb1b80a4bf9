/**
 * The real-time API bounded context in AWS (DESIGN.md §6): the Cognito user pool dashboards sign in to, and
 * the AppSync GraphQL API built from the very schema and APPSYNC_JS resolver files the local server runs,
 * with its data sources and the IAM role EventBridge calls the `publish*` mutations with.
 */
import { readFileSync } from 'node:fs';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  ALERT_RULES_TABLE,
  GEOFENCES_TABLE,
  TENANT_SETTINGS_TABLE,
  VEHICLES_TABLE,
  VIN_VAULT_TABLE,
} from '../../adapters/aws/dynamodb/table-definitions.ts';
import { bundleResolver } from '../../graphql/resolvers/bundle.ts';
import {
  DATA_SOURCES,
  RESOLVERS,
  resolverPath,
  SCHEMA_PATH,
  type DataSourceName,
  type ResolverDefinition,
} from '../../graphql/resolvers/manifest.ts';
import type { GraphqlMutationTargets } from '../events/rule-targets.ts';
import type { FleetwireKeys } from '../keys/keys-construct.ts';
import type { FleetwireStateCache } from '../state-cache/state-cache-construct.ts';
import type { FleetwireStorage } from '../storage/storage-construct.ts';
import { API_FUNCTION_TIMEOUT, fleetwireFunction } from '../shared/fleetwire-function.ts';
import { publishMutationOperations } from '../../graphql/publish-operations.ts';

/**
 * The user pool's custom attribute holding the user's tenant; tokens carry it as `custom:tenantId`, the
 * claim every resolver and subscription filter takes the tenant from (never from an argument).
 */
export const TENANT_ID_ATTRIBUTE = 'tenantId';
/** The token claim of {@link TENANT_ID_ATTRIBUTE}. */
export const TENANT_ID_CLAIM = `custom:${TENANT_ID_ATTRIBUTE}`;

/** The roles of DESIGN.md §5 as user pool groups; tokens carry a user's in `cognito:groups`. */
export const API_USER_GROUPS = [
  { name: 'admin', description: 'Everything in the tenant, and approves sensitive commands' },
  { name: 'dispatcher', description: 'Reads the fleet and sends commands' },
  { name: 'viewer', description: 'Reads the fleet' },
  { name: 'auditor', description: "Reads the fleet and the commands' audit trail" },
] as const;
/** A user pool group (role) name. */
export type ApiUserGroupName = (typeof API_USER_GROUPS)[number]['name'];

/**
 * Cognito threat protection, on the Plus feature plan (≈ $0.02 per monthly active user: cents a month for
 * a fleet's operators).
 * - `audit`: risk is scored and logged, nothing is blocked. AWS advises running so for two weeks or more
 *   before enforcing, to see what enforcement would block.
 * - `enforced`: sign-ins and password changes with credentials known to have leaked are blocked; a risky
 *   sign-in must pass MFA when the user has set it up (medium risk) or always (high risk, so a user
 *   without MFA is blocked).
 * - `off`: the Essentials plan (free up to 10,000 monthly active users), without threat protection.
 */
export type ThreatProtection = 'enforced' | 'audit' | 'off';

/** Properties of {@link FleetwireApi}. */
export interface FleetwireApiProps {
  /** The tables: the vehicle directory is read by resolvers, both tables written by registration. */
  readonly storage: FleetwireStorage;
  /** The keys: registration pseudonymizes with the HMAC key and seals the VIN with the vault key. */
  readonly keys: FleetwireKeys;
  /** The latest-state cache: the state reader runs in its VPC. */
  readonly stateCache: FleetwireStateCache;
  /**
   * The `CommandApi` data source's function, which the commands context builds and grants (it starts the
   * `vehicle-command` state machine and reads the audit log); the API only puts it behind its fields.
   */
  readonly commandApi: lambda.IFunction;
  /**
   * The `Webhooks` data source's function, which the webhooks context builds and grants (it alone may
   * encrypt signing secrets); the API only puts it behind its fields.
   */
  readonly webhooksApi: lambda.IFunction;
  /** The AppSync API's name (not unique in an account). @default 'fleetwire' */
  readonly apiName?: string;
  /**
   * Whether the API answers introspection queries. Off in AWS by default: clients build against
   * `schema.graphql` in this repository, and a public endpoint need not describe itself to strangers.
   *
   * @default false
   */
  readonly introspection?: boolean;
  /** @default 'audit' */
  readonly threatProtection?: ThreatProtection;
  /**
   * Whether Cognito refuses to delete the user pool. Turn it off only for throwaway stacks: the users,
   * their MFA devices and their tenant assignments exist nowhere else.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
  /** What CloudFormation does with the user pool when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default RESOLVERS of `src/graphql/resolvers/manifest.ts` */
  readonly resolvers?: readonly ResolverDefinition[];
  /** @default lambda.Runtime.NODEJS_24_X, as ingest (nodejs20.x is deprecated in Lambda) */
  readonly runtime?: lambda.Runtime;
}

/**
 * The user pool, its groups and the dashboard's app client; the GraphQL API (user pool JWTs by default,
 * IAM for EventBridge), its data sources and one unit resolver per manifest entry.
 */
export class FleetwireApi extends Construct {
  /** Dashboard users; each carries an immutable `custom:tenantId`. */
  public readonly userPool: cognito.UserPool;
  /** The groups (roles), by name. */
  public readonly groups: ReadonlyMap<ApiUserGroupName, cognito.UserPoolGroup>;
  /** The dashboard's public client (SRP sign-in, no secret); the only client the API accepts tokens of. */
  public readonly dashboardClient: cognito.UserPoolClient;
  /** The GraphQL API. */
  public readonly api: appsync.GraphqlApi;
  /** `https://<id>.appsync-api.<region>.amazonaws.com/graphql` */
  public readonly graphqlUrl: string;
  /** `wss://<id>.appsync-realtime-api.<region>.amazonaws.com/graphql`, where subscriptions connect. */
  public readonly realtimeUrl: string;
  /** The API's log group (errors only, without request or response content). */
  public readonly logGroup: logs.LogGroup;
  /** The data sources, by the names the resolver manifest uses. */
  public readonly dataSources: ReadonlyMap<DataSourceName, appsync.BaseDataSource>;
  /** The resolvers, by `<typeName>.<fieldName>`. */
  public readonly resolvers: ReadonlyMap<string, appsync.Resolver>;
  /** The `StateReader` data source's function: reads Redis, writes nothing. */
  public readonly stateReader: nodejs.NodejsFunction;
  /** The `VehicleRegistrar` data source's function: the one place in the API a VIN is handled. */
  public readonly vehicleRegistrar: nodejs.NodejsFunction;
  /** The `FleetConfig` data source's function: geofences, alert rules and tenant settings, nothing else. */
  public readonly fleetConfig: nodejs.NodejsFunction;
  /** The role EventBridge assumes to call the `publish*` mutations, and nothing else of the API. */
  public readonly publishRole: iam.Role;
  /** What the events context's `RuleTargetRegistry` needs to target the `publish*` mutations. */
  public readonly mutationTargets: GraphqlMutationTargets;

  public constructor(scope: Construct, id: string, props: FleetwireApiProps) {
    super(scope, id);

    this.userPool = this.buildUserPool(props);
    const groups = new Map<ApiUserGroupName, cognito.UserPoolGroup>();
    for (const group of API_USER_GROUPS) {
      // No IAM roles and so no precedence: the groups are roles the resolvers read from `cognito:groups`.
      groups.set(
        group.name,
        this.userPool.addGroup(`Group-${group.name}`, {
          groupName: group.name,
          description: group.description,
        }),
      );
    }
    this.groups = groups;
    this.dashboardClient = this.userPool.addClient('DashboardClient', {
      // SRP only: the password never leaves the browser, and there is no secret a browser could not keep.
      authFlows: { userSrp: true },
      generateSecret: false,
      // The dashboard signs in through the SDK, not the hosted UI; no OAuth flows to misconfigure.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // Tokens may read the tenant, but no user can write it (it is also immutable once set at creation).
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, preferredUsername: true })
        .withCustomAttributes(TENANT_ID_ATTRIBUTE),
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ preferredUsername: true }),
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      // A working shift rather than Cognito's 30 days: these users can unlock vehicles, so a leaked refresh
      // token should not outlive the day.
      refreshTokenValidity: Duration.hours(12),
    });

    this.api = new appsync.GraphqlApi(this, 'Api', {
      name: props.apiName ?? 'fleetwire',
      definition: appsync.Definition.fromFile(SCHEMA_PATH),
      authorizationConfig: {
        defaultAuthorization: {
          authorizationType: appsync.AuthorizationType.USER_POOL,
          userPoolConfig: {
            userPool: this.userPool,
            // Tokens of any other client of the pool (an admin tool, say) are refused.
            appIdClientRegex: this.dashboardClient.userPoolClientId,
            defaultAction: appsync.UserPoolDefaultAction.ALLOW,
          },
        },
        // EventBridge's AppSync targets sign with IAM; without this mode a rule cannot target the API.
        additionalAuthorizationModes: [{ authorizationType: appsync.AuthorizationType.IAM }],
      },
      xrayEnabled: true,
      introspectionConfig: props.introspection
        ? appsync.IntrospectionConfig.ENABLED
        : appsync.IntrospectionConfig.DISABLED,
    });
    const cfnApi = this.api.node.defaultChild as appsync.CfnGraphQLApi;
    this.graphqlUrl = this.api.graphqlUrl;
    this.realtimeUrl = cfnApi.attrRealtimeUrl;
    this.logGroup = this.configureLogging(cfnApi);

    const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;
    this.stateReader = this.buildStateReader(props, runtime);
    this.vehicleRegistrar = this.buildVehicleRegistrar(props, runtime);
    this.fleetConfig = this.buildFleetConfig(props, runtime);
    this.dataSources = this.buildDataSources(props);
    this.resolvers = this.buildResolvers(props.resolvers ?? RESOLVERS);

    const operations = publishMutationOperations(readFileSync(SCHEMA_PATH, 'utf8'));
    this.publishRole = new iam.Role(this, 'PublishRole', {
      description: 'EventBridge rules call the publish* mutations of the Fleetwire API with this role',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
    });
    // Only the publish* fields: were another mutation ever open to IAM by mistake, rules still could not call it.
    this.api.grantMutation(this.publishRole, ...Object.keys(operations));
    this.mutationTargets = { api: this.api, operations, role: this.publishRole };
  }

  /**
   * Field errors only, and never the request, response or resolver context: arguments (the VIN given to
   * `registerVehicle`) and results must not reach the logs.
   *
   * Set on the L1 resource because `GraphqlApiProps.logConfig` always adds CDK's log-retention custom
   * resource (a Lambda function creating the group outside CloudFormation, with a `Resource: *` policy),
   * which would also race this log group for its name. AppSync logs to the group of its fixed name.
   */
  private configureLogging(cfnApi: appsync.CfnGraphQLApi): logs.LogGroup {
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/appsync/apis/${this.api.apiId}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'LogsRole', {
      description: 'AppSync writes the Fleetwire API field error logs with this role',
      assumedBy: new iam.ServicePrincipal('appsync.amazonaws.com'),
      // What AWS documents (and CDK attaches) for AppSync logging.
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSAppSyncPushToCloudWatchLogs'),
      ],
    });
    cfnApi.logConfig = {
      cloudWatchLogsRoleArn: role.roleArn,
      fieldLogLevel: appsync.FieldLogLevel.ERROR,
      excludeVerboseContent: true,
    };
    return logGroup;
  }

  private buildUserPool(props: FleetwireApiProps): cognito.UserPool {
    const threatProtection = props.threatProtection ?? 'audit';
    const userPool = new cognito.UserPool(this, 'UserPool', {
      // Operators are invited by an admin of their tenant (who sets the tenant); nobody signs up alone.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        // Immutable: a user moved to another tenant is a new user, so a token can never change tenant. As
        // long as the event catalog's TenantId (1-64 characters); the resolvers check its shape.
        [TENANT_ID_ATTRIBUTE]: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: false }),
      },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: cognito.Mfa.OPTIONAL,
      // An authenticator app; SMS costs per message and is the weaker factor.
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: threatProtection === 'off' ? cognito.FeaturePlan.ESSENTIALS : cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode:
        threatProtection === 'enforced'
          ? cognito.StandardThreatProtectionMode.FULL_FUNCTION
          : threatProtection === 'audit'
            ? cognito.StandardThreatProtectionMode.AUDIT_ONLY
            : undefined,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    if (threatProtection === 'enforced') {
      // Explicit, so that enforcement means the same in every account; no notifications, which would need
      // an SES identity.
      new cognito.CfnUserPoolRiskConfigurationAttachment(this, 'RiskConfiguration', {
        userPoolId: userPool.userPoolId,
        clientId: 'ALL',
        compromisedCredentialsRiskConfiguration: {
          actions: { eventAction: 'BLOCK' },
          eventFilter: ['SIGN_IN', 'PASSWORD_CHANGE'],
        },
        accountTakeoverRiskConfiguration: {
          actions: {
            lowAction: { eventAction: 'NO_ACTION', notify: false },
            mediumAction: { eventAction: 'MFA_IF_CONFIGURED', notify: false },
            highAction: { eventAction: 'MFA_REQUIRED', notify: false },
          },
        },
      });
    }
    return userPool;
  }

  private buildStateReader(props: FleetwireApiProps, runtime: lambda.Runtime): nodejs.NodejsFunction {
    const { stateCache } = props;
    const fn = fleetwireFunction(this, 'StateReaderFunction', {
      description: 'Fleetwire API: latest vehicle and fleet state from the state cache (read-only)',
      entry: DATA_SOURCES.StateReader.entry,
      serviceName: 'fleetwire-state-reader',
      // Queries wait on it (p99 < 100 ms): 1 GB buys the CPU for a fast cold start and JSON work.
      memorySize: 1024,
      timeout: API_FUNCTION_TIMEOUT,
      runtime,
      vpc: stateCache.vpc,
      vpcSubnets: stateCache.vpcSubnets,
      environment: { REDIS_URL: stateCache.redisUrl },
    });
    // Redis is all it reads (keys are per tenant); no table and no key is granted.
    stateCache.allowFrom(fn);
    return fn;
  }

  private buildVehicleRegistrar(props: FleetwireApiProps, runtime: lambda.Runtime): nodejs.NodejsFunction {
    const { stateCache, storage, keys } = props;
    // In the cache's isolated VPC although it needs no Redis: it holds real VINs, and there it reaches KMS
    // and DynamoDB through the VPC endpoints and nothing else; outside a VPC it could reach the internet.
    const fn = fleetwireFunction(this, 'VehicleRegistrarFunction', {
      description: 'Fleetwire API: registers a vehicle (VIN → pseudonym, directory entry, sealed VIN)',
      entry: DATA_SOURCES.VehicleRegistrar.entry,
      serviceName: 'fleetwire-vehicle-registrar',
      memorySize: 512,
      timeout: API_FUNCTION_TIMEOUT,
      runtime,
      vpc: stateCache.vpc,
      vpcSubnets: stateCache.vpcSubnets,
    });
    keys.grantGenerateMac(fn);
    // Seals, never opens: kms:Decrypt on the vault key belongs to command dispatch alone.
    keys.grantVaultEncrypt(fn);
    // Reads the directory (is the vehicle registered, and to whom?) and adds to it.
    storage.grantReadWriteData(fn, VEHICLES_TABLE);
    // Only puts sealed VINs: reading the vault back is command dispatch's business, not registration's.
    storage.table(VIN_VAULT_TABLE).grantWriteData(fn);
    for (const [name, value] of Object.entries(storage.environmentFor(VIN_VAULT_TABLE))) {
      fn.addEnvironment(name, value);
    }
    return fn;
  }

  private buildFleetConfig(props: FleetwireApiProps, runtime: lambda.Runtime): nodejs.NodejsFunction {
    const { storage } = props;
    // No VPC: it handles no VIN and needs no Redis, only the three configuration tables.
    const fn = fleetwireFunction(this, 'FleetConfigFunction', {
      description: 'Fleetwire API: manages geofences, alert rules and tenant settings',
      entry: DATA_SOURCES.FleetConfig.entry,
      serviceName: 'fleetwire-fleet-config',
      memorySize: 512,
      timeout: API_FUNCTION_TIMEOUT,
      runtime,
    });
    // Read/write on exactly the configuration tables; no other table, no key.
    storage.grantReadWriteData(fn, GEOFENCES_TABLE);
    storage.grantReadWriteData(fn, ALERT_RULES_TABLE);
    storage.grantReadWriteData(fn, TENANT_SETTINGS_TABLE);
    return fn;
  }

  private buildDataSources(props: FleetwireApiProps): ReadonlyMap<DataSourceName, appsync.BaseDataSource> {
    const { VehiclesTable, StateReader, VehicleRegistrar, CommandApi, None } = DATA_SOURCES;
    const { GeofencesTable, AlertRulesTable, FleetConfig } = DATA_SOURCES;
    const { Webhooks } = DATA_SOURCES;
    const { TripsTable, ChargingSessionsTable, AlertsTable } = DATA_SOURCES;
    const { TelemetryHistoryTable } = DATA_SOURCES;
    const dataSources: readonly appsync.BaseDataSource[] = [
      // The history query reads its table directly; only the ingest path writes it.
      new appsync.DynamoDbDataSource(this, TelemetryHistoryTable.name, {
        api: this.api,
        name: TelemetryHistoryTable.name,
        description: TelemetryHistoryTable.description,
        table: props.storage.table(TelemetryHistoryTable.table),
        readOnlyAccess: true,
      }),
      new appsync.DynamoDbDataSource(this, VehiclesTable.name, {
        api: this.api,
        name: VehiclesTable.name,
        description: VehiclesTable.description,
        table: props.storage.table(VehiclesTable.table),
        // The resolvers only get and query; registration writes through VehicleRegistrar.
        readOnlyAccess: VehiclesTable.access === 'read',
      }),
      this.api.addLambdaDataSource(StateReader.name, this.stateReader, {
        name: StateReader.name,
        description: StateReader.description,
      }),
      this.api.addLambdaDataSource(VehicleRegistrar.name, this.vehicleRegistrar, {
        name: VehicleRegistrar.name,
        description: VehicleRegistrar.description,
      }),
      this.api.addLambdaDataSource(CommandApi.name, props.commandApi, {
        name: CommandApi.name,
        description: CommandApi.description,
      }),
      this.api.addLambdaDataSource(Webhooks.name, props.webhooksApi, {
        name: Webhooks.name,
        description: Webhooks.description,
      }),
      this.api.addNoneDataSource(None.name, { name: None.name, description: None.description }),
      // The configuration queries read their table directly; every change goes through FleetConfig.
      ...[GeofencesTable, AlertRulesTable].map(
        (definition) =>
          new appsync.DynamoDbDataSource(this, definition.name, {
            api: this.api,
            name: definition.name,
            description: definition.description,
            table: props.storage.table(definition.table),
            readOnlyAccess: definition.access === 'read',
          }),
      ),
      this.api.addLambdaDataSource(FleetConfig.name, this.fleetConfig, {
        name: FleetConfig.name,
        description: FleetConfig.description,
      }),
      // The records queries read their table directly (the projector writes them); acknowledgeAlert
      // updates an alert, so that table's data source may also UpdateItem, and still never put or delete.
      ...[TripsTable, ChargingSessionsTable, AlertsTable].map((definition) => {
        const table = props.storage.table(definition.table);
        const dataSource = new appsync.DynamoDbDataSource(this, definition.name, {
          api: this.api,
          name: definition.name,
          description: definition.description,
          table,
          readOnlyAccess: true,
        });
        if (definition.access === 'read-update') {
          table.grant(dataSource, 'dynamodb:UpdateItem');
        }
        return dataSource;
      }),
    ];
    return new Map(dataSources.map((dataSource) => [dataSource.name as DataSourceName, dataSource]));
  }

  private buildResolvers(definitions: readonly ResolverDefinition[]): ReadonlyMap<string, appsync.Resolver> {
    const resolvers = new Map<string, appsync.Resolver>();
    for (const definition of definitions) {
      const key = `${definition.typeName}.${definition.fieldName}`;
      if (resolvers.has(key)) {
        throw new Error(`The resolver manifest lists ${key} twice.`);
      }
      const dataSource = this.dataSources.get(definition.dataSource);
      if (dataSource === undefined) {
        throw new Error(`Resolver ${key} names data source '${definition.dataSource}', which the API lacks.`);
      }
      resolvers.set(
        key,
        new appsync.Resolver(this, `Resolver-${definition.typeName}-${definition.fieldName}`, {
          api: this.api,
          typeName: definition.typeName,
          fieldName: definition.fieldName,
          dataSource,
          runtime: appsync.FunctionRuntime.JS_1_0_0,
          // The same bundle the local engine runs: the file with its `lib/` helpers inlined.
          code: appsync.Code.fromInline(bundleResolver(resolverPath(definition))),
        }),
      );
    }
    return resolvers;
  }
}

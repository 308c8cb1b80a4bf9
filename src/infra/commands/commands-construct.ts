/**
 * The commands bounded context in AWS (DESIGN.md §5): the `vehicle-command` state machine, the commands
 * and command-audit tables, the three functions the workflow calls (authorize, approval, dispatch), the
 * `CommandApi` function behind the GraphQL command fields, and the Fleet API token in Secrets Manager.
 *
 * Least privilege is the point of this construct: the VIN vault key's `kms:Decrypt` and the Fleet API
 * token go to the dispatch function alone, the state machine may do exactly its direct integrations, and
 * no principal may rewrite the audit log.
 */
import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  COMMAND_AUDIT_TABLE,
  COMMANDS_TABLE,
  VEHICLES_TABLE,
  VIN_VAULT_TABLE,
} from '../../adapters/aws/dynamodb/table-definitions.ts';
import { DATA_SOURCES } from '../../graphql/resolvers/manifest.ts';
import {
  VEHICLE_COMMAND_ASL_PATH,
  VEHICLE_COMMAND_STATE_MACHINE_NAME,
  type VehicleCommandSubstitutions,
} from '../../workflows/vehicle-command.ts';
import type { FleetwireKeys } from '../keys/keys-construct.ts';
import { API_FUNCTION_TIMEOUT, fleetwireFunction } from '../shared/fleetwire-function.ts';
import { FleetwireStorage } from '../storage/storage-construct.ts';

/**
 * Tesla's Fleet API for North America and Asia-Pacific (other than China). Europe, the Middle East and
 * Africa use `https://fleet-api.prd.eu.vn.cloud.tesla.com`.
 */
export const TESLA_FLEET_API_NA_URL = 'https://fleet-api.prd.na.vn.cloud.tesla.com';

/** The environment variables the dispatch function reads (see `src/functions/commands/dispatch`). */
export const FLEET_API_BASE_URL_ENV = 'FLEET_API_BASE_URL';
/** The environment variable holding the ARN of the secret with the Fleet API token. */
export const FLEET_API_TOKEN_SECRET_ARN_ENV = 'FLEET_API_TOKEN_SECRET_ARN';
/** The environment variable the `CommandApi` function starts executions of. */
export const STATE_MACHINE_ARN_ENV = 'STATE_MACHINE_ARN';

/** The workflow functions' handlers, relative to the repository root. */
const WORKFLOW_FUNCTION_ENTRIES = {
  authorize: 'src/functions/commands/authorize/handler.ts',
  approval: 'src/functions/commands/approval/handler.ts',
  dispatch: 'src/functions/commands/dispatch/handler.ts',
} as const;

/**
 * Writes no principal may make to the audit table, whatever its IAM policies say: the log is append-only
 * (conditional `PutItem` by the state machine) and the deny keeps it so even for an account administrator,
 * short of removing the policy, which CloudTrail records. `BatchWriteItem` can delete, so it goes too.
 */
export const AUDIT_TABLE_DENIED_ACTIONS = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
] as const;

/** A task token lives at most a year (a Standard execution's limit). */
const MAX_APPROVAL_TIMEOUT_SECONDS = 365 * 24 * 60 * 60;

/** Where a function runs when it must be in a VPC. */
export interface FunctionPlacement {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
}

/** Properties of {@link FleetwireCommands}. */
export interface FleetwireCommandsProps {
  /** The tables of the storage context: the machine reads the vehicle directory, dispatch the VIN vault. */
  readonly storage: FleetwireStorage;
  /** The keys: dispatch, and only dispatch, may decrypt with the VIN vault key. */
  readonly keys: FleetwireKeys;
  /** The bus the machine puts `Command.*` events on (source `fleetwire.commands`). */
  readonly bus: events.IEventBus;
  /**
   * Where dispatch sends commands. Signed vehicle commands (every command of vehicles built since late
   * 2023, and all of them on newer firmware) must go through Tesla's vehicle-command proxy
   * (`tesla-http-proxy`), which holds the fleet's private key and signs them; point this at the proxy,
   * which forwards to the Fleet API. Tesla's Fleet API itself only suits unsigned commands and `wake_up`.
   *
   * @default TESLA_FLEET_API_NA_URL
   */
  readonly fleetApiBaseUrl?: string;
  /**
   * The secret holding the Fleet API access token (the plain token as the secret string). Only dispatch
   * can read it.
   *
   * @default - a new secret with a random placeholder value, which is not a valid token: set the real one
   * with `aws secretsmanager put-secret-value --secret-id <FleetApiTokenSecretArn> --secret-string <token>`
   * before sending commands (until then, dispatch fails with the Fleet API's 401).
   */
  readonly fleetApiTokenSecret?: secretsmanager.ISecret;
  /**
   * How long a sensitive command waits for an admin's approval before it fails as timed out. Short by
   * default: an unlock approved after the requester has walked away unlocks an unattended vehicle.
   *
   * @default Duration.minutes(15)
   * @throws Error (from the constructor) below 1 second or above a year, or for a fraction of a second.
   */
  readonly approvalTimeout?: Duration;
  /**
   * Where dispatch runs. It must reach the Fleet API (or the proxy) and AWS (DynamoDB, KMS, Secrets
   * Manager): in a VPC, give it subnets with a NAT gateway or a route to the proxy, plus the endpoints.
   *
   * @default - no VPC (Lambda's own internet access)
   */
  readonly dispatchPlacement?: FunctionPlacement;
  /** The state machine's name. @default VEHICLE_COMMAND_STATE_MACHINE_NAME (`fleetwire-vehicle-command`) */
  readonly stateMachineName?: string;
  /**
   * Whether DynamoDB refuses `DeleteTable` on the commands table. The audit table is always protected.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * What CloudFormation does with the commands table when it leaves the stack. The audit table is always
   * retained: auditors need it to outlive the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** A customer-managed key for both tables, as {@link FleetwireStorage}'s. @default - an AWS-owned key */
  readonly encryptionKey?: kms.IKey;
  /** How long the state machine's log is kept. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** @default lambda.Runtime.NODEJS_24_X, as the other functions */
  readonly runtime?: lambda.Runtime;
}

/**
 * The vehicle command workflow and its audit trail.
 *
 * The tables are built from the same definitions (`TABLES`) as the local stack's, by
 * {@link FleetwireStorage}, so they get the same billing, recovery and encryption as the other tables.
 */
export class FleetwireCommands extends Construct {
  /** The commands table (`COMMANDS_TABLE`): one item per command, its current status. */
  public readonly commandsTable: dynamodb.TableV2;
  /** The append-only audit table (`COMMAND_AUDIT_TABLE`): one item per step outcome; retained. */
  public readonly auditTable: dynamodb.TableV2;
  /** Both tables, with the grant helpers that also set the functions' table environment variables. */
  public readonly tables: FleetwireStorage;
  /** The `vehicle-command` state machine (Standard). */
  public readonly stateMachine: sfn.StateMachine;
  /** The state machine's log group (every event, no execution data). */
  public readonly logGroup: logs.LogGroup;
  /** The authorization policy step: pure, no AWS access. */
  public readonly authorizeFunction: nodejs.NodejsFunction;
  /** The approval step: stores the task token on the command item. */
  public readonly approvalFunction: nodejs.NodejsFunction;
  /** The dispatch step: the one function that can decrypt a VIN and read the Fleet API token. */
  public readonly dispatchFunction: nodejs.NodejsFunction;
  /** The `CommandApi` AppSync data source's function: starts, decides and reads commands. */
  public readonly commandApi: nodejs.NodejsFunction;
  /** The secret with the Fleet API token. */
  public readonly fleetApiTokenSecret: secretsmanager.ISecret;
  /** The substitutions the definition was deployed with (tokens until deployment). */
  public readonly definitionSubstitutions: VehicleCommandSubstitutions;

  public constructor(scope: Construct, id: string, props: FleetwireCommandsProps) {
    super(scope, id);
    const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;

    if (COMMAND_AUDIT_TABLE.timeToLiveAttribute !== undefined) {
      // An expiring audit log is no audit log; refuse rather than silently deploy one.
      throw new Error('The command-audit table must not have a TTL attribute.');
    }
    this.tables = new FleetwireStorage(this, 'Tables', {
      tables: [COMMANDS_TABLE],
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
      encryptionKey: props.encryptionKey,
    });
    const auditTables = new FleetwireStorage(this, 'AuditTables', {
      tables: [COMMAND_AUDIT_TABLE],
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: props.encryptionKey,
    });
    this.commandsTable = this.tables.table(COMMANDS_TABLE);
    this.auditTable = auditTables.table(COMMAND_AUDIT_TABLE);
    this.auditTable.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AppendOnlyAuditLog',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...AUDIT_TABLE_DENIED_ACTIONS],
        // A table's resource policy cannot name the table's own ARN without a circular reference.
        resources: ['*'],
      }),
    );

    this.fleetApiTokenSecret =
      props.fleetApiTokenSecret ??
      new secretsmanager.Secret(this, 'FleetApiToken', {
        description:
          'Fleetwire: Tesla Fleet API access token used by command dispatch. The generated value is a ' +
          'placeholder; put the real token with `aws secretsmanager put-secret-value`.',
        generateSecretString: { excludePunctuation: true, passwordLength: 32 },
      });

    this.authorizeFunction = fleetwireFunction(this, 'AuthorizeFunction', {
      description: 'Fleetwire commands: authorization policy (tenant, role, command, parameters)',
      entry: WORKFLOW_FUNCTION_ENTRIES.authorize,
      serviceName: 'fleetwire-command-authorize',
      // Pure policy over the input: little memory, a short timeout.
      memorySize: 256,
      timeout: Duration.seconds(10),
      runtime,
    });

    this.approvalFunction = fleetwireFunction(this, 'ApprovalFunction', {
      description: 'Fleetwire commands: parks a sensitive command until an admin approves it',
      entry: WORKFLOW_FUNCTION_ENTRIES.approval,
      serviceName: 'fleetwire-command-approval',
      memorySize: 256,
      timeout: Duration.seconds(10),
      runtime,
    });
    // Only stores the task token on the command item (a conditional update); reads and writes nothing else.
    this.commandsTable.grant(this.approvalFunction, 'dynamodb:UpdateItem');
    this.addTableEnvironment(this.approvalFunction, this.tables.environmentFor(COMMANDS_TABLE));

    this.dispatchFunction = fleetwireFunction(this, 'DispatchFunction', {
      description: 'Fleetwire commands: decrypts the VIN and sends the command to the Fleet API',
      entry: WORKFLOW_FUNCTION_ENTRIES.dispatch,
      serviceName: 'fleetwire-command-dispatch',
      memorySize: 512,
      // Worst case: the command (Fleet API calls time out after 20 s), wake_up, up to 15 s waiting for the
      // vehicle, the command again. Below the Dispatch state's 120 s, which then retries with backoff.
      timeout: Duration.seconds(90),
      runtime,
      vpc: props.dispatchPlacement?.vpc,
      vpcSubnets: props.dispatchPlacement?.vpcSubnets,
      environment: {
        [FLEET_API_BASE_URL_ENV]: props.fleetApiBaseUrl ?? TESLA_FLEET_API_NA_URL,
        [FLEET_API_TOKEN_SECRET_ARN_ENV]: this.fleetApiTokenSecret.secretArn,
      },
    });
    // The only kms:Decrypt on the vault key in the whole app: this is where a real VIN is revealed.
    props.keys.grantVaultDecrypt(this.dispatchFunction);
    // Reads one sealed VIN by vehicle id; never lists the vault, never writes it.
    props.storage.table(VIN_VAULT_TABLE).grant(this.dispatchFunction, 'dynamodb:GetItem');
    this.addTableEnvironment(this.dispatchFunction, props.storage.environmentFor(VIN_VAULT_TABLE));
    this.fleetApiTokenSecret.grantRead(this.dispatchFunction);

    const vehiclesTable = props.storage.table(VEHICLES_TABLE);
    const approvalTimeoutSeconds = (props.approvalTimeout ?? Duration.minutes(15)).toSeconds();
    if (approvalTimeoutSeconds < 1 || approvalTimeoutSeconds > MAX_APPROVAL_TIMEOUT_SECONDS) {
      throw new Error(
        `approvalTimeout must be between 1 second and 1 year (a task token's lifetime), got ${approvalTimeoutSeconds} s.`,
      );
    }
    this.definitionSubstitutions = {
      CommandsTable: this.commandsTable.tableName,
      AuditTable: this.auditTable.tableName,
      VehiclesTable: vehiclesTable.tableName,
      EventBusName: props.bus.eventBusName,
      AuthorizeFunctionArn: this.authorizeFunction.functionArn,
      ApprovalFunctionArn: this.approvalFunction.functionArn,
      DispatchFunctionArn: this.dispatchFunction.functionArn,
      ApprovalTimeoutSeconds: String(approvalTimeoutSeconds),
    };

    // The vended-logs prefix keeps CloudWatch Logs' account-wide resource policy from growing per group.
    this.logGroup = new logs.LogGroup(this, 'StateMachineLogGroup', {
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 400 })}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName ?? VEHICLE_COMMAND_STATE_MACHINE_NAME,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(VEHICLE_COMMAND_ASL_PATH),
      definitionSubstitutions: { ...this.definitionSubstitutions },
      // Every event, so the log traces each execution beyond the 90 days Step Functions keeps its history,
      // but without input and output: command parameters (a navigation destination, say) stay out of
      // the logs, as the audit table already records them under tighter access. Commands are rare, so
      // logging every event costs next to nothing.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    this.grantDirectIntegrations(vehiclesTable, props.bus);

    this.commandApi = fleetwireFunction(this, 'CommandApiFunction', {
      description: 'Fleetwire API: sends, approves and reads vehicle commands and their audit trail',
      entry: DATA_SOURCES.CommandApi.entry,
      serviceName: 'fleetwire-command-api',
      // Mutations and audit queries wait on it.
      memorySize: 512,
      timeout: API_FUNCTION_TIMEOUT,
      runtime,
      environment: { [STATE_MACHINE_ARN_ENV]: this.stateMachine.stateMachineArn },
    });
    this.tables.grantReadWriteData(this.commandApi, COMMANDS_TABLE);
    auditTables.grantReadData(this.commandApi, COMMAND_AUDIT_TABLE);
    // Appends only: refused approval attempts (a requester approving their own command, say) never reach
    // the workflow, so the API writes their audit entries itself, with a conditional put. No update, no
    // delete; the table's resource policy refuses those to everyone anyway.
    this.auditTable.grant(this.commandApi, 'dynamodb:PutItem');
    this.stateMachine.grantStartExecution(this.commandApi);
    // SendTaskSuccess/SendTaskFailure, to approve or reject with the stored task token.
    this.stateMachine.grantTaskResponse(this.commandApi);
    // DescribeExecution and GetExecutionHistory, for the audit trail.
    this.stateMachine.grantRead(this.commandApi);
  }

  /**
   * Exactly the machine's direct integrations: `GetItem` on the vehicle directory, `PutItem` on the audit
   * log, `UpdateItem` on the commands table, `PutEvents` on the bus, and invoking its three functions.
   */
  private grantDirectIntegrations(vehiclesTable: dynamodb.ITableV2, bus: events.IEventBus): void {
    vehiclesTable.grant(this.stateMachine, 'dynamodb:GetItem');
    this.auditTable.grant(this.stateMachine, 'dynamodb:PutItem');
    this.commandsTable.grant(this.stateMachine, 'dynamodb:UpdateItem');
    bus.grantPutEventsTo(this.stateMachine);
    for (const fn of [this.authorizeFunction, this.approvalFunction, this.dispatchFunction]) {
      fn.grantInvoke(this.stateMachine);
    }
  }

  private addTableEnvironment(fn: lambda.Function, environment: Record<string, string>): void {
    for (const [name, value] of Object.entries(environment)) {
      fn.addEnvironment(name, value);
    }
  }
}

/**
 * The command workflow offline: the `vehicle-command` state machine created on the edge's Step Functions
 * with the real `SFNClient` (the same ASL CDK deploys, rendered with local names), its three Lambda
 * functions registered in-process with the same factories their handlers wrap, and the `CommandApi`
 * function for the local AppSync engine.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import {
  CreateStateMachineCommand,
  SFNClient,
  StateMachineAlreadyExists,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { awsClientConfig } from '../adapters/aws/client-config.ts';
import { DynamoDbAuditLog } from '../adapters/aws/dynamodb/audit-log.ts';
import { DynamoDbCommandStore } from '../adapters/aws/dynamodb/command-store.ts';
import { KmsVinVault } from '../adapters/aws/kms.ts';
import { StepFunctionsCommandWorkflow } from '../adapters/aws/stepfunctions/command-workflow.ts';
import { FleetApiClient, FleetApiRequestError } from '../adapters/http/fleet-api-client.ts';
import { createApprovalFunction } from '../functions/commands/approval/approval.ts';
import { createAuthorizeFunction } from '../functions/commands/authorize/authorize.ts';
import { createCommandApi } from '../functions/commands/command-api/command-api.ts';
import { createDispatchFunction } from '../functions/commands/dispatch/dispatch.ts';
import type { FleetApi } from '../ports/fleet-api.ts';
import {
  renderVehicleCommandDefinition,
  VEHICLE_COMMAND_STATE_MACHINE_NAME,
} from '../workflows/vehicle-command.ts';
import type { LocalEdge } from './edge/local-edge.ts';
import { SFN_ACCOUNT_ID } from './stepfunctions/arns.ts';

/** The default wait for an approval in `npm start`: the same 15 minutes CDK deploys. */
export const DEFAULT_LOCAL_APPROVAL_TIMEOUT_SECONDS = 900;

/** The local functions' names, as their ARNs end. */
export const LOCAL_COMMAND_FUNCTIONS = {
  authorize: 'fleetwire-command-authorize',
  approval: 'fleetwire-command-approval',
  dispatch: 'fleetwire-command-dispatch',
} as const;

/** How to run the command workflow on a local edge. */
export interface LocalCommandsOptions {
  readonly edge: Pick<LocalEdge, 'url' | 'stepFunctions'>;
  readonly dynamodb: DynamoDBClient;
  readonly kms: KMSClient;
  /** Physical table names. */
  readonly tables: {
    readonly commands: string;
    readonly audit: string;
    readonly vehicles: string;
    readonly vinVault: string;
  };
  readonly vinVaultKeyId: string;
  readonly eventBusName: string;
  /** Where dispatch sends commands (the simulated Fleet API); absent: every dispatch fails as `internal`. */
  readonly fleetApi?: { readonly baseUrl: string; readonly token: string } | undefined;
  /** Default {@link DEFAULT_LOCAL_APPROVAL_TIMEOUT_SECONDS}. */
  readonly approvalTimeoutSeconds?: number;
  /** Longest wait for a woken vehicle inside one dispatch. Default 15 s. */
  readonly wakeWaitMs?: number;
  /** Between two looks at a waking vehicle. Default 1 s. */
  readonly wakePollMs?: number;
  /** Default `us-east-1`. */
  readonly region?: string;
}

/** The running workflow. */
export interface LocalCommands {
  readonly stateMachineArn: string;
  /** The `CommandApi` data source's function, for the AppSync engine's `lambdas`. */
  readonly commandApi: (event: unknown) => Promise<unknown>;
  stop(): Promise<void>;
}

/** Dispatch without a Fleet API (`--no-simulator`): says so instead of calling nowhere. */
class NoFleetApi implements FleetApi {
  private fail(): never {
    throw new FleetApiRequestError(
      'no Fleet API is configured offline: the simulated one runs with the simulator (drop --no-simulator)',
      null,
    );
  }
  async sendCommand(): Promise<never> {
    this.fail();
  }
  async wakeUp(): Promise<never> {
    this.fail();
  }
  async vehicleState(): Promise<never> {
    this.fail();
  }
}

/**
 * Creates (or updates, when a `--data-dir` kept an older definition) the state machine, registers its
 * functions and builds the CommandApi function.
 */
export async function startLocalCommands(options: LocalCommandsOptions): Promise<LocalCommands> {
  const region = options.region ?? 'us-east-1';
  const functionArn = (name: string) => `arn:aws:lambda:${region}:${SFN_ACCOUNT_ID}:function:${name}`;
  const { stepFunctions } = options.edge;
  stepFunctions.registerFunction(LOCAL_COMMAND_FUNCTIONS.authorize, createAuthorizeFunction());
  const commands = new DynamoDbCommandStore(options.dynamodb, options.tables.commands);
  stepFunctions.registerFunction(LOCAL_COMMAND_FUNCTIONS.approval, createApprovalFunction(commands));
  const dispatch = createDispatchFunction({
    vault: new KmsVinVault(options.kms, options.dynamodb, options.tables.vinVault, options.vinVaultKeyId),
    fleetApi: options.fleetApi
      ? new FleetApiClient({ baseUrl: options.fleetApi.baseUrl, token: async () => options.fleetApi!.token })
      : new NoFleetApi(),
    ...(options.wakeWaitMs === undefined ? {} : { wakeWaitMs: options.wakeWaitMs }),
    ...(options.wakePollMs === undefined ? {} : { wakePollMs: options.wakePollMs }),
  });
  stepFunctions.registerFunction(LOCAL_COMMAND_FUNCTIONS.dispatch, (event, context) =>
    dispatch(event, context),
  );

  const definition = renderVehicleCommandDefinition({
    CommandsTable: options.tables.commands,
    AuditTable: options.tables.audit,
    VehiclesTable: options.tables.vehicles,
    EventBusName: options.eventBusName,
    AuthorizeFunctionArn: functionArn(LOCAL_COMMAND_FUNCTIONS.authorize),
    ApprovalFunctionArn: functionArn(LOCAL_COMMAND_FUNCTIONS.approval),
    DispatchFunctionArn: functionArn(LOCAL_COMMAND_FUNCTIONS.dispatch),
    ApprovalTimeoutSeconds: String(options.approvalTimeoutSeconds ?? DEFAULT_LOCAL_APPROVAL_TIMEOUT_SECONDS),
  });
  const sfn = new SFNClient(awsClientConfig({ endpoint: options.edge.url, region }));
  try {
    const stateMachineArn = await createOrUpdate(sfn, definition, region);
    const commandApi = createCommandApi({
      commands,
      audit: new DynamoDbAuditLog(options.dynamodb, options.tables.audit),
      workflow: new StepFunctionsCommandWorkflow(sfn, stateMachineArn),
    });
    return {
      stateMachineArn,
      commandApi,
      stop: async () => sfn.destroy(),
    };
  } catch (error) {
    sfn.destroy();
    throw error;
  }
}

async function createOrUpdate(sfn: SFNClient, definition: string, region: string): Promise<string> {
  const roleArn = `arn:aws:iam::${SFN_ACCOUNT_ID}:role/${VEHICLE_COMMAND_STATE_MACHINE_NAME}`;
  try {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: VEHICLE_COMMAND_STATE_MACHINE_NAME,
        definition,
        roleArn,
        type: 'STANDARD',
      }),
    );
    if (!stateMachineArn) throw new Error('CreateStateMachine answered without a stateMachineArn');
    return stateMachineArn;
  } catch (error) {
    // A data dir keeps the machine; with another definition (a new timeout, new table names) it is updated.
    if (!(error instanceof StateMachineAlreadyExists)) throw error;
    const arn = `arn:aws:states:${region}:${SFN_ACCOUNT_ID}:stateMachine:${VEHICLE_COMMAND_STATE_MACHINE_NAME}`;
    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition, roleArn }));
    return arn;
  }
}

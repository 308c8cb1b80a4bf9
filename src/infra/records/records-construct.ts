/**
 * The records bounded context in AWS: the projector function that the `records` rule
 * (`RECORDS_RULE` in `src/domain/events/rules.ts`) sends trip, charging, alert and error events to, and
 * which keeps the `trips`, `charging-sessions` and `alerts` tables the GraphQL queries read.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import {
  ALERTS_TABLE,
  CHARGING_SESSIONS_TABLE,
  TENANT_SETTINGS_TABLE,
  TRIPS_TABLE,
} from '../../adapters/aws/dynamodb/table-definitions.ts';
import { fleetwireFunction } from '../shared/fleetwire-function.ts';
import type { FleetwireStorage } from '../storage/storage-construct.ts';

/** Properties of {@link FleetwireRecords}. */
export interface FleetwireRecordsProps {
  /** The record tables and the tenant settings table (retention). */
  readonly storage: FleetwireStorage;
  /** @default lambda.Runtime.NODEJS_24_X, as the other functions */
  readonly runtime?: lambda.Runtime;
}

/** The records projector, granted exactly what it reads and writes. */
export class FleetwireRecords extends Construct {
  /** The projector: register it as the rule target named `RECORDS_PROJECTOR_TARGET` (`records-projector`). */
  public readonly projector: nodejs.NodejsFunction;

  public constructor(scope: Construct, id: string, props: FleetwireRecordsProps) {
    super(scope, id);
    const { storage } = props;
    // No VPC: it reads no Redis and handles no VIN, only DynamoDB.
    this.projector = fleetwireFunction(this, 'ProjectorFunction', {
      description: 'Fleetwire records: projects trip, charging, alert and error events onto their records',
      entry: 'src/functions/records-projector/handler.ts',
      serviceName: 'fleetwire-records-projector',
      memorySize: 256,
      // One event per invocation, a few DynamoDB calls; long enough for a few conflict retries.
      timeout: Duration.seconds(15),
      runtime: props.runtime ?? lambda.Runtime.NODEJS_24_X,
    });
    // Read the record, write it back conditionally: GetItem and UpdateItem only, no Put, no Delete, no
    // index reads (the projector addresses every record by its key).
    for (const definition of [TRIPS_TABLE, CHARGING_SESSIONS_TABLE, ALERTS_TABLE]) {
      const table = storage.table(definition);
      this.projector.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          resources: [table.tableArn],
        }),
      );
      this.projector.addEnvironment(definition.envVar, table.tableName);
    }
    // The retention settings, read only (through the tenant configuration source, which also queries).
    storage.grantReadData(this.projector, TENANT_SETTINGS_TABLE);
  }
}

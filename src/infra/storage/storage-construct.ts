/**
 * The storage bounded context in AWS: Fleetwire's DynamoDB tables, built from the same definitions
 * (`src/adapters/aws/dynamodb/table-definitions.ts`) the local stack creates its tables from, so keys and
 * indexes cannot drift between the laptop and the cloud.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { TABLES, type TableDefinition } from '../../adapters/aws/dynamodb/table-definitions.ts';

/** Properties of {@link FleetwireStorage}. */
export interface FleetwireStorageProps {
  /** The tables to build. @default TABLES */
  readonly tables?: readonly TableDefinition[];
  /**
   * Whether DynamoDB refuses `DeleteTable`. Turn it off only for throwaway stacks: the vehicle directory
   * and the VIN vault cannot be rebuilt from anything else.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
  /** What CloudFormation does with a table removed from the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * A customer-managed key to encrypt every table with; never the VIN vault's key, since every function
   * granted a table would then be granted `kms:Decrypt` on it. Needs a stack with an explicit region:
   * TableV2 names the key per replica region, which an environment-agnostic stack cannot render.
   *
   * @default - an AWS-owned key: free, no KMS request charges, and enough because the tables hold only
   * pseudonyms and the vault's rows are already ciphertext under the vault key.
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Fleetwire's DynamoDB tables: on-demand (telemetry-driven load follows the fleet's day, and an idle demo
 * stack then costs nothing), point-in-time recovery, TTL where a definition names an attribute, and the
 * definitions' global secondary indexes. Functions receive a table's physical name through the environment
 * variable of its definition, which the grant methods set.
 */
export class FleetwireStorage extends Construct {
  /** The tables, by definition id (`vehicles`, `vin-vault`, …). */
  public readonly tables: ReadonlyMap<string, dynamodb.TableV2>;
  /** The definitions the tables were built from, by id. */
  public readonly definitions: ReadonlyMap<string, TableDefinition>;

  public constructor(scope: Construct, id: string, props: FleetwireStorageProps = {}) {
    super(scope, id);
    const tables = new Map<string, dynamodb.TableV2>();
    const definitions = new Map<string, TableDefinition>();
    const encryption =
      props.encryptionKey === undefined
        ? dynamodb.TableEncryptionV2.dynamoOwnedKey()
        : dynamodb.TableEncryptionV2.customerManagedKey(props.encryptionKey);
    for (const definition of props.tables ?? TABLES) {
      if (tables.has(definition.id)) {
        throw new Error(`Table '${definition.id}' is defined twice.`);
      }
      // No physical name: CloudFormation's generated names let two stacks (dev, prod) share an account, and
      // functions read the name from the environment anyway.
      const table = new dynamodb.TableV2(this, `Table-${definition.id}`, {
        partitionKey: stringAttribute(definition.partitionKey),
        sortKey: optionalStringAttribute(definition.sortKey),
        billing: dynamodb.Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: props.deletionProtection ?? true,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
        timeToLiveAttribute: definition.timeToLiveAttribute,
        encryption,
        globalSecondaryIndexes: (definition.globalSecondaryIndexes ?? []).map((index) => ({
          indexName: index.name,
          partitionKey: stringAttribute(index.partitionKey),
          sortKey: optionalStringAttribute(index.sortKey),
          // As `createTableInput` does offline: the directory's tenant queries read whole items.
          projectionType: dynamodb.ProjectionType.ALL,
        })),
      });
      tables.set(definition.id, table);
      definitions.set(definition.id, definition);
    }
    this.tables = tables;
    this.definitions = definitions;
  }

  /**
   * The table built from `definition` (or the definition with that id).
   *
   * @throws Error when this construct did not build it.
   */
  public table(definition: TableDefinition | string): dynamodb.TableV2 {
    const id = typeof definition === 'string' ? definition : definition.id;
    const table = this.tables.get(id);
    if (table === undefined) {
      throw new Error(`FleetwireStorage has no table '${id}'.`);
    }
    return table;
  }

  /** The environment variables (`<definition.envVar>` → physical table name) for the given tables. */
  public environmentFor(...definitions: readonly TableDefinition[]): Record<string, string> {
    return Object.fromEntries(
      definitions.map((definition) => [definition.envVar, this.table(definition).tableName]),
    );
  }

  /** Grants `fn` reads (and its indexes) of the table, and tells it the table's name. */
  public grantReadData(fn: lambda.Function, definition: TableDefinition): iam.Grant {
    this.addEnvironment(fn, definition);
    return this.table(definition).grantReadData(fn);
  }

  /** Grants `fn` reads and writes of the table, and tells it the table's name. */
  public grantReadWriteData(fn: lambda.Function, definition: TableDefinition): iam.Grant {
    this.addEnvironment(fn, definition);
    return this.table(definition).grantReadWriteData(fn);
  }

  private addEnvironment(fn: lambda.Function, definition: TableDefinition): void {
    for (const [name, value] of Object.entries(this.environmentFor(definition))) {
      fn.addEnvironment(name, value);
    }
  }
}

/** Every key attribute of the definitions is a string (see `createTableInput`). */
function stringAttribute(name: string): dynamodb.Attribute {
  return { name, type: dynamodb.AttributeType.STRING };
}

function optionalStringAttribute(name: string | undefined): dynamodb.Attribute | undefined {
  return name === undefined ? undefined : stringAttribute(name);
}

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientConfig } from '../../adapters/aws/client-config.ts';
import { KmsMacProvider } from '../../adapters/aws/kms.ts';
import { Pseudonymizer } from '../../domain/pseudonym/pseudonym.ts';
import {
  decodeRecord,
  TeslaDecodeError,
  TESLA_TOPICS,
  type DecodedRecord,
  type TeslaTopic,
} from '../../domain/tesla/index.ts';
import { CliError } from '../cli-error.ts';
import { endpointOf } from './vehicles.ts';

/**
 * What `fleetwire decode` prints for a record: everything but the VIN, which is replaced by the vehicle id
 * (or null offline), so the output can be pasted into an issue.
 */
export function decodedView(record: DecodedRecord, vehicleId: string | null): Record<string, unknown> {
  const base = { topic: record.topic, vehicleId, createdAt: record.createdAt };
  switch (record.topic) {
    case 'V':
      return { ...base, isResend: record.isResend, signals: record.signals };
    case 'alerts':
      return {
        ...base,
        alerts: record.alerts.map(({ name, audiences, startedAt, endedAt }) => ({
          name,
          audiences,
          startedAt,
          endedAt,
        })),
      };
    case 'errors':
      return { ...base, errors: record.errors.map(({ name, tags, body }) => ({ name, tags, body })) };
    case 'connectivity':
      return {
        ...base,
        status: record.status,
        connectionId: record.connectionId,
        networkInterface: record.networkInterface,
      };
  }
}

/** `fleetwire decode --topic T [FILE|-]`. */
export function registerDecodeCommand(program: Command): void {
  program
    .command('decode')
    .description(
      'decode one Kinesis data blob of a Tesla topic to one JSON line (the VIN becomes the vehicle id)',
    )
    .requiredOption('--topic <topic>', `one of ${TESLA_TOPICS.join(', ')}`)
    .argument('[file]', 'the blob; - or nothing for standard input', '-')
    .option('--offline', 'do not ask KMS for the vehicle id (prints vehicleId null)')
    .option('--endpoint <url>', 'the local edge whose KMS key makes vehicle ids')
    .option('--aws', 'use KMS in AWS')
    .action(
      async (
        file: string,
        options: { topic: string; offline?: boolean; endpoint?: string; aws?: boolean },
      ) => {
        if (!(TESLA_TOPICS as readonly string[]).includes(options.topic)) {
          throw new CliError(
            `--topic must be one of ${TESLA_TOPICS.join(', ')}, got ${JSON.stringify(options.topic)}`,
          );
        }
        let blob: Buffer;
        try {
          blob = readFileSync(file === '-' ? 0 : file);
        } catch (error) {
          throw new CliError(
            `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          );
        }
        let record: DecodedRecord;
        try {
          record = decodeRecord(options.topic as TeslaTopic, blob);
        } catch (error) {
          if (error instanceof TeslaDecodeError) throw new CliError(`cannot decode: ${error.message}`, 1);
          throw error;
        }
        let vehicleId: string | null = null;
        if (!options.offline) {
          const kms = new KMSClient(awsClientConfig({ endpoint: endpointOf(options) }));
          try {
            vehicleId = await new Pseudonymizer(new KmsMacProvider(kms)).vehicleIdOf(record.vin);
          } catch (error) {
            throw new CliError(
              `cannot make the vehicle id (${(error as Error).message}); is the stack running? use --offline to skip it`,
              1,
            );
          } finally {
            kms.destroy();
          }
        }
        process.stdout.write(`${JSON.stringify(decodedView(record, vehicleId))}\n`);
      },
    );
}

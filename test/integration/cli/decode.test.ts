import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../../../src/adapters/aws/client-config.ts';
import { KmsMacProvider } from '../../../src/adapters/aws/kms.ts';
import { Pseudonymizer } from '../../../src/domain/pseudonym/pseudonym.ts';
import { startLocalEdge, type LocalEdge } from '../../../src/local/edge/local-edge.ts';
import { provisionLocalResources } from '../../../src/local/provision.ts';
import { alertsRecord, randomBytes, vehicleDataRecord } from '../../support/tesla-records.ts';
import { runCli } from '../../support/cli.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/tesla/${name}`, import.meta.url));

describe('fleetwire decode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetwire-decode-'));
  let edge: LocalEdge;
  beforeAll(async () => {
    edge = await startLocalEdge({ port: 0, provisioningDelayMs: 10 });
    const config = awsClientConfig({ endpoint: edge.url });
    await provisionLocalResources(
      {
        dynamodb: new DynamoDBClient(config),
        kinesis: new KinesisClient(config),
        kms: new KMSClient(config),
        sqs: new SQSClient(config),
      },
      { streams: [], queues: [] },
    );
  });
  afterAll(async () => {
    await edge?.stop();
  });

  it('prints one JSON line of a V record with the vehicle id in place of the VIN', async () => {
    // prepare
    const file = join(dir, 'v.bin');
    writeFileSync(
      file,
      vehicleDataRecord({
        vin: '5YJ3E1EA7JF000123',
        createdAt: { seconds: 1_700_000_000 },
        data: [
          { key: 'VehicleSpeed', value: { stringValue: '65.5' } },
          { key: 'Gear', value: { shiftStateValue: 'ShiftStateD' } },
          { key: 'Location', value: { stringValue: '(37.41 S, 122.14 E)' } },
        ],
      }),
    );
    const expectedId = await new Pseudonymizer(
      new KmsMacProvider(new KMSClient(awsClientConfig({ endpoint: edge.url }))),
    ).vehicleIdOf('5YJ3E1EA7JF000123');
    // act
    const result = await runCli(['decode', '--topic', 'V', file, '--endpoint', edge.url]);
    // assess
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('5YJ3E1EA7JF000123');
    expect(JSON.parse(result.stdout)).toEqual({
      topic: 'V',
      vehicleId: expectedId,
      createdAt: '2023-11-14T22:13:20.000Z',
      isResend: false,
      signals: { VehicleSpeed: 65.5, Gear: 'D', Location: { latitude: -37.41, longitude: 122.14 } },
    });
  });

  it.each([
    [
      'connectivity',
      'integration_connectivity_connected.bin',
      { status: 'CONNECTED', networkInterface: 'wifi' },
    ],
    [
      'V',
      'integration_V_as_dispatched_to_kinesis.bin',
      {
        signals: {
          VehicleName: 'My Test Vehicle',
          Location: { latitude: -37.412374, longitude: 122.145867 },
        },
      },
    ],
  ])('decodes the %s fixture offline', async (topic, name, expected) => {
    const result = await runCli(['decode', '--topic', topic, fixture(name), '--offline']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ topic, vehicleId: null, ...expected });
  });

  it('prints alerts with their names, audiences and times', async () => {
    const file = join(dir, 'alerts.bin');
    writeFileSync(file, alertsRecord());
    const result = await runCli(['decode', '--topic', 'alerts', file, '--offline']);
    const view = JSON.parse(result.stdout) as { alerts: Record<string, unknown>[] };
    expect(view.alerts.length).toBeGreaterThan(0);
    expect(Object.keys(view.alerts[0]!).sort()).toEqual(['audiences', 'endedAt', 'name', 'startedAt']);
  });

  it.each([
    ['an undecodable blob', ['--topic', 'V'], randomBytes(40, 9), 1, /cannot decode: .*V record/],
    ['an unknown topic', ['--topic', 'X'], vehicleDataRecord(), 2, /--topic must be one of/],
  ])('exits non-zero with the reason for %s', async (_case, args, blob, code, reason) => {
    const file = join(dir, `bad-${code}.bin`);
    writeFileSync(file, blob);
    const result = await runCli(['decode', ...args, file, '--offline']);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(reason);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { startTestEdge, type TestEdge } from '../support/aws-edge-fixture.ts';
import { AwsServiceError, type AwsJsonService } from '../../src/local/edge/aws-json.ts';

/** A service whose operations fail the way real ones can, to see how the edge answers. */
const failingService: AwsJsonService = {
  name: 'failing',
  targetPrefix: 'Failing_2024',
  jsonVersion: '1.1',
  async handle(operation) {
    if (operation === 'Modelled') throw new AwsServiceError('NotFoundException', 'no such thing');
    if (operation === 'Crash') throw new TypeError('boom');
    return { operation };
  },
};

async function post(url: string, headers: Record<string, string>, body: string) {
  const response = await fetch(url, { method: 'POST', headers, body });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (await response.json()) as { __type: string; message: string },
  };
}

describe('edge: bad requests get AWS-shaped errors and never crash the edge', () => {
  let edge: TestEdge;
  const internalErrors: unknown[] = [];
  beforeAll(async () => {
    edge = await startTestEdge({
      services: [failingService],
      onInternalError: (error) => internalErrors.push(error),
    });
  });
  afterAll(async () => {
    await edge?.stop();
  });

  it.each([
    ['no X-Amz-Target', {}, '{}', 400, 'UnknownOperationException', /X-Amz-Target/],
    [
      'an unknown service',
      { 'X-Amz-Target': 'Nope_2020.Do' },
      '{}',
      400,
      'UnknownOperationException',
      /Nope_2020/,
    ],
    [
      'a query-protocol form',
      { 'Content-Type': 'application/x-www-form-urlencoded' },
      'Action=ListQueues',
      400,
      'UnknownOperationException',
      /query protocol/,
    ],
    [
      'a body that is not JSON',
      { 'X-Amz-Target': 'Failing_2024.Any' },
      '{not json',
      400,
      'SerializationException',
      /not valid JSON/,
    ],
    [
      'a JSON body that is not an object',
      { 'X-Amz-Target': 'Failing_2024.Any' },
      '[1,2]',
      400,
      'SerializationException',
      /JSON object/,
    ],
    [
      'a modelled service error',
      { 'X-Amz-Target': 'Failing_2024.Modelled' },
      '{}',
      400,
      'NotFoundException',
      /no such thing/,
    ],
    ['a bug in a service', { 'X-Amz-Target': 'Failing_2024.Crash' }, '{}', 500, 'InternalFailure', /boom/],
  ])('%s', async (_case, headers, body, status, type, message) => {
    const response = await post(edge.url, headers as Record<string, string>, body);
    expect(response.status).toBe(status);
    expect(response.type).toMatch(/^application\/(x-amz-)?json/);
    expect(response.body.__type).toBe(type);
    expect(response.body.message).toMatch(message);
  });

  it('reports a bug in a service to the edge operator', () => {
    expect(internalErrors).toEqual([expect.objectContaining({ message: 'boom' })]);
  });

  it('passes kinesalite its own validation errors, e.g. an unsigned request', async () => {
    const response = await post(
      edge.url,
      { 'X-Amz-Target': 'Kinesis_20131202.ListStreams', 'Content-Type': 'application/x-amz-json-1.1' },
      '{}',
    );
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe('MissingAuthenticationTokenException');
  });

  it('drops a malformed HTTP request and keeps serving', async () => {
    // act
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(edge.url).port), '127.0.0.1', () =>
        socket.write('GARBAGE\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    const kinesis = new KinesisClient(edge.clientConfig);
    const streams = await kinesis.send(new ListStreamsCommand({}));
    kinesis.destroy();
    // assess
    expect(reply).toMatch(/^HTTP\/1.1 400/);
    expect(streams.StreamNames).toEqual([]);
  });

  it('reports its health and services', async () => {
    const response = await fetch(`${edge.url}/_edge/health`);
    expect(await response.json()).toEqual({ status: 'ok', services: ['kinesis', 'dynamodb', 'failing'] });
  });
});

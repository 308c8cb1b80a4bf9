import { describe, expect, it } from 'vitest';
import {
  afterAgeDiscard,
  batchLimit,
  consumePieces,
  expiredPrefixLength,
  FRESH_RETRY_STATE,
  interpretResponse,
  nextBatchLength,
  planAfterInvocation,
  type BufferedRecord,
  type InvocationOutcome,
  type RetryPolicy,
  type RetryState,
} from '../../../src/local/kinesis-poller/batch-plan.ts';

const records = (count: number, arrivalMs = 1_000, dataBytes = 10): BufferedRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    sequenceNumber: String(49_000_000_000n + BigInt(i)),
    partitionKey: `pk-${i}`,
    data: new Uint8Array(dataBytes),
    arrivalMs: arrivalMs + i,
  }));

const failure: InvocationOutcome = { kind: 'failure', cause: 'function-error', message: 'boom' };
const noBisect: RetryPolicy = { bisectBatchOnFunctionError: false, maximumRetryAttempts: -1 };
const bisect: RetryPolicy = { bisectBatchOnFunctionError: true, maximumRetryAttempts: -1 };
const invoked = (state: RetryState): RetryState => ({ ...state, headInvocations: state.headInvocations + 1 });

describe('kinesis poller: reading the function response', () => {
  const batch = records(4);

  it('takes undefined, null, an empty object and an empty or null list as a complete success', () => {
    for (const response of [undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
      expect(interpretResponse(response, batch, true)).toEqual({ kind: 'success' });
    }
  });

  it('ignores the response when ReportBatchItemFailures is off', () => {
    const response = { batchItemFailures: [{ itemIdentifier: batch[1]!.sequenceNumber }] };
    expect(interpretResponse(response, batch, false)).toEqual({ kind: 'success' });
  });

  it('retries from the lowest failed sequence number whatever the order of the list', () => {
    const response = {
      batchItemFailures: [
        { itemIdentifier: batch[3]!.sequenceNumber },
        { itemIdentifier: batch[1]!.sequenceNumber },
      ],
    };
    expect(interpretResponse(response, batch, true)).toEqual({ kind: 'partial', failedIndex: 1 });
  });

  it('takes an empty, null or misnamed itemIdentifier as a complete failure', () => {
    for (const entry of [
      { itemIdentifier: '' },
      { itemIdentifier: null },
      { itemIdentifer: batch[0]!.sequenceNumber },
    ]) {
      expect(interpretResponse({ batchItemFailures: [entry] }, batch, true)).toMatchObject({
        kind: 'failure',
        cause: 'invalid-response',
      });
    }
  });

  it('takes a sequence number outside the batch or a list that is not a list as a complete failure', () => {
    expect(interpretResponse({ batchItemFailures: [{ itemIdentifier: '1' }] }, batch, true).kind).toBe(
      'failure',
    );
    expect(interpretResponse({ batchItemFailures: 'all' }, batch, true).kind).toBe('failure');
    expect(interpretResponse('ok', batch, true).kind).toBe('failure');
  });
});

describe('kinesis poller: what follows an invocation', () => {
  it('checkpoints the whole batch on success and forgets the retries', () => {
    const plan = planAfterInvocation(
      invoked({ pieces: [], headFailures: 2, headInvocations: 2 }),
      5,
      { kind: 'success' },
      noBisect,
    );
    expect(plan).toMatchObject({ commit: 5, discard: 0, willRetry: false, next: FRESH_RETRY_STATE });
  });

  it('checkpoints before the failed record of a partial response and retries from it', () => {
    const plan = planAfterInvocation(
      invoked(FRESH_RETRY_STATE),
      10,
      { kind: 'partial', failedIndex: 3 },
      noBisect,
    );
    expect(plan).toMatchObject({ commit: 3, discard: 0, willRetry: true });
    expect(plan.next).toEqual({ pieces: [], headFailures: 1, headInvocations: 1 });
    // Without bisection the retry is a fresh batch from the failed record: up to batchSize again.
    expect(batchLimit(plan.next, 10)).toBe(10);
  });

  it('with bisection, a partial response retries only the remaining records as their own batch', () => {
    const plan = planAfterInvocation(
      invoked(FRESH_RETRY_STATE),
      10,
      { kind: 'partial', failedIndex: 3 },
      bisect,
    );
    expect(plan).toMatchObject({ commit: 3, bisected: false });
    expect(plan.next.pieces).toEqual([7]);
  });

  it('counts repeated failures of the same head record and discards after MaximumRetryAttempts retries', () => {
    const policy: RetryPolicy = { bisectBatchOnFunctionError: false, maximumRetryAttempts: 2 };
    let state = FRESH_RETRY_STATE;
    const plans = [];
    for (let i = 0; i < 3; i++) {
      state = invoked(state);
      const plan = planAfterInvocation(state, 4, failure, policy);
      plans.push(plan);
      state = plan.next;
    }
    // The first invocation and two retries fail: the third failure exceeds the quota of 2.
    expect(plans.map((p) => p.discard)).toEqual([0, 0, 4]);
    expect(plans[2]).toMatchObject({
      commit: 0,
      discardedInvocations: 3,
      willRetry: false,
      next: FRESH_RETRY_STATE,
    });
  });

  it('discards at once with MaximumRetryAttempts 0', () => {
    const plan = planAfterInvocation(invoked(FRESH_RETRY_STATE), 3, failure, {
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: 0,
    });
    expect(plan).toMatchObject({ discard: 3, discardedInvocations: 1 });
  });

  it('discards the failed records of a partial response once the quota is spent, keeping the successes', () => {
    const policy: RetryPolicy = { bisectBatchOnFunctionError: false, maximumRetryAttempts: 0 };
    const plan = planAfterInvocation(
      invoked(FRESH_RETRY_STATE),
      6,
      { kind: 'partial', failedIndex: 2 },
      policy,
    );
    expect(plan).toMatchObject({ commit: 2, discard: 4 });
  });

  it('bisects a failed batch without counting a retry, down to the bad record', () => {
    const policy: RetryPolicy = { bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 };
    // 8 records, the 1st is bad: [8] fails → [4,4]; [4] fails → [2,2,4]; [2] → [1,1,2,4]; [1] fails → discard.
    let state = invoked(FRESH_RETRY_STATE);
    const sizes: number[] = [];
    let plan = planAfterInvocation(state, 8, failure, policy);
    while (plan.bisected) {
      state = invoked(plan.next);
      sizes.push(batchLimit(state, 8));
      plan = planAfterInvocation(state, batchLimit(state, 8), failure, policy);
    }
    expect(sizes).toEqual([4, 2, 1]);
    expect(plan).toMatchObject({ commit: 0, discard: 1, discardedInvocations: 4 });
    // What remains of the split is delivered piece by piece, then batching resumes.
    expect(plan.next.pieces).toEqual([1, 2, 4]);
  });

  it('splits an odd batch with the larger half first', () => {
    const plan = planAfterInvocation(invoked(FRESH_RETRY_STATE), 5, failure, bisect);
    expect(plan.next.pieces).toEqual([3, 2]);
  });

  it('moves through bisected pieces on success', () => {
    const plan = planAfterInvocation(
      invoked({ pieces: [3, 2], headFailures: 0, headInvocations: 1 }),
      3,
      { kind: 'success' },
      bisect,
    );
    expect(plan.next.pieces).toEqual([2]);
  });

  it('forgets the retries of records that aged out', () => {
    expect(afterAgeDiscard({ pieces: [2, 2], headFailures: 3, headInvocations: 4 }, 3)).toEqual({
      pieces: [1],
      headFailures: 0,
      headInvocations: 0,
    });
  });

  it('consumes pieces across their boundaries', () => {
    expect(consumePieces([2, 3, 4], 4)).toEqual([1, 4]);
    expect(consumePieces([2], 5)).toEqual([]);
  });
});

describe('kinesis poller: cutting batches', () => {
  it('takes at most the limit and at most what is buffered', () => {
    expect(nextBatchLength(records(10), 4, 300)).toBe(4);
    expect(nextBatchLength(records(3), 4, 300)).toBe(3);
  });

  it('stops before the 6 MB invocation payload limit, but always delivers one record', () => {
    const big = records(10, 1_000, 1_000_000); // ~1.33 MB each in base64
    expect(nextBatchLength(big, 10, 300)).toBe(4);
    expect(nextBatchLength(records(2, 1_000, 100), 2, 300, 10)).toBe(1);
  });

  it('finds the records older than the maximum age at the head', () => {
    const batch = records(5, 1_000); // arrivals 1000..1004
    expect(expiredPrefixLength(batch, 3_002, 2_000)).toBe(2);
    expect(expiredPrefixLength(batch, 3_002, -1)).toBe(0);
  });
});

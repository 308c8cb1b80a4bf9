/**
 * Ingest throughput: the whole ingest pipeline (decode, pseudonymize with a warm cache, identify the
 * tenant, coalesce, merge into the latest state, pack and serialize Telemetry.Updated) against bare
 * protobufjs decoding of the same records, one process, one core. The target (DESIGN.md §8) is a ratio
 * of at least 0.5. The last line printed is JSON, for scripts.
 *
 * The pipeline is `ingestBatch` itself with in-process adapters: the state store is the in-memory one
 * (Redis round trips are I/O, measured end to end elsewhere), the publisher keeps the serialized entries.
 */
import { createHmac } from 'node:crypto';
import { teslaRoot } from '../src/domain/tesla/schema.ts';
import { ingestBatch, type IngestRecord } from '../src/domain/ingest/ingest-batch.ts';
import { Pseudonymizer } from '../src/domain/pseudonym/pseudonym.ts';
import { MemoryLatestStateStore } from '../src/adapters/memory/latest-state-store.ts';
import { MemoryDetectorStateStore } from '../src/adapters/memory/detector-state-store.ts';
import { StaticTenantConfigSource } from '../src/adapters/memory/tenant-config.ts';
import { DetectorDocumentCache } from '../src/domain/ingest/vehicle-detectors.ts';
import type { VehicleRegistration } from '../src/ports/vehicle-directory.ts';
import type { EventEntry } from '../src/ports/event-publisher.ts';
import { drivingCorpus, teslaVin } from '../test/support/tesla-records.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const VEHICLES = 1_000;
const TENANTS = 10;
const BATCH = 1_000; // records per Lambda invocation
const ROUNDS = 3;

const corpus = drivingCorpus({ records: RECORDS, vehicles: VEHICLES, signalsPerRecord: 15, seed: 42 });
const records: IngestRecord[] = corpus.map((data, i) => ({
  sequenceNumber: String(i),
  streamName: 'fleetwire_V',
  shardId: 'shardId-000000000000',
  partitionKey: 'pk',
  data,
  approximateArrivalTimestamp: 1_700_000_000 + i / 1000,
}));

// bare protobufjs decoding
const Payload = teslaRoot.lookupType('telemetry.vehicle_data.Payload');
function bareDecode(): number {
  const started = performance.now();
  let fields = 0;
  for (const data of corpus) fields += (Payload.decode(data) as unknown as { data: unknown[] }).data.length;
  if (fields === 0) throw new Error('decoded nothing');
  return performance.now() - started;
}

// the pipeline, with a warm pseudonym cache and a known directory
const pseudonyms = new Pseudonymizer({
  generateMac: async (m) => createHmac('sha256', 'bench').update(m).digest(),
});
const registrations = new Map<string, VehicleRegistration>();
for (let v = 0; v < VEHICLES; v++) {
  const vehicleId = await pseudonyms.vehicleIdOf(teslaVin(v));
  registrations.set(vehicleId, {
    vehicleId,
    tenantId: `tenant-${v % TENANTS}`,
    name: `v${v}`,
    registeredAt: '',
  });
}
let published = 0;
let publishedBytes = 0;
async function pipeline(withDetectors = false): Promise<number> {
  const deps = {
    pseudonyms,
    directory: {
      lookup: async (ids: readonly string[]) =>
        new Map(ids.flatMap((id) => (registrations.has(id) ? [[id, registrations.get(id)!] as const] : []))),
      register: async () => {},
      list: async () => [],
    },
    state: new MemoryLatestStateStore(),
    events: {
      publish: async (entries: readonly EventEntry[]) => {
        published += entries.length;
        for (const entry of entries) publishedBytes += entry.Detail.length;
        return [];
      },
    },
    deadLetters: { send: async () => {} },
    namespace: 'fleetwire',
    eventBusName: 'fleetwire',
    // The detectors as ingest runs them (state store and tenant config in memory, no history writes).
    ...(withDetectors
      ? {
          detectors: {
            states: new MemoryDetectorStateStore(),
            tenantConfig: new StaticTenantConfigSource(),
            cache: new DetectorDocumentCache(),
          },
        }
      : {}),
  };
  const started = performance.now();
  for (let i = 0; i < records.length; i += BATCH) {
    const result = await ingestBatch(records.slice(i, i + BATCH), deps);
    if (result.batchItemFailures.length > 0) throw new Error('the benchmark batch failed');
  }
  return performance.now() - started;
}

const rate = (ms: number) => Math.round((RECORDS / ms) * 1000);
bareDecode();
await pipeline(); // warm-up: JIT and caches
const bare = Math.min(...Array.from({ length: ROUNDS }, bareDecode));
published = 0;
publishedBytes = 0;
const pipelineRounds: number[] = [];
for (let round = 0; round < ROUNDS; round++) pipelineRounds.push(await pipeline());
const pipe = Math.min(...pipelineRounds);
const entriesPerRound = published / ROUNDS;
const averageEntryBytes = Math.round(publishedBytes / published);
await pipeline(true); // warm-up of the detectors' code
const detectorRounds: number[] = [];
for (let round = 0; round < ROUNDS; round++) detectorRounds.push(await pipeline(true));
const withDetectors = Math.min(...detectorRounds);

const decodeRecordsPerSec = rate(bare);
const pipelineRecordsPerSec = rate(pipe);
const ratio = Math.round((pipelineRecordsPerSec / decodeRecordsPerSec) * 100) / 100;
const detectorRecordsPerSec = rate(withDetectors);
const detectorRatio = Math.round((detectorRecordsPerSec / decodeRecordsPerSec) * 100) / 100;
console.log(
  `records: ${RECORDS} (${VEHICLES} vehicles, ${TENANTS} tenants, 15 signals, batches of ${BATCH})`,
);
console.log(`bare protobufjs decode: ${decodeRecordsPerSec.toLocaleString('en')} records/s`);
console.log(
  `ingest pipeline:        ${pipelineRecordsPerSec.toLocaleString('en')} records/s (detectors off)`,
);
console.log(
  `with the detectors:     ${detectorRecordsPerSec.toLocaleString('en')} records/s (${detectorRatio} of bare decoding)`,
);
console.log(`Telemetry.Updated entries per round: ${entriesPerRound}, average ${averageEntryBytes} bytes`);
console.log(`ratio: ${ratio} without the detectors, ${detectorRatio} with them (target >= 0.5)`);
console.log(
  JSON.stringify({ pipelineRecordsPerSec, detectorRecordsPerSec, decodeRecordsPerSec, ratio, detectorRatio }),
);

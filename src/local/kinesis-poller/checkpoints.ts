/**
 * Where a poller keeps, per shard, the sequence number of the last record it is done with (processed or
 * discarded), so that a restarted poller resumes after it instead of at its starting position.
 */
export interface CheckpointStore {
  /** The last checkpoint of a shard, or undefined when it has none. */
  load(streamName: string, shardId: string): Promise<string | undefined>;
  save(streamName: string, shardId: string, sequenceNumber: string): Promise<void>;
}

/**
 * Checkpoints in memory: a poller restarted in the same process resumes (share the store), a new process
 * starts over at the starting position.
 */
export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly checkpoints = new Map<string, string>();

  async load(streamName: string, shardId: string): Promise<string | undefined> {
    return this.checkpoints.get(`${streamName}/${shardId}`);
  }

  async save(streamName: string, shardId: string, sequenceNumber: string): Promise<void> {
    this.checkpoints.set(`${streamName}/${shardId}`, sequenceNumber);
  }
}

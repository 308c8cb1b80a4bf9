import { MemoryLatestStateStore } from '../../../src/adapters/memory/latest-state-store.ts';
import { latestStateStoreContract } from '../../support/latest-state-store-contract.ts';

const store = new MemoryLatestStateStore();
latestStateStoreContract('MemoryLatestStateStore', () => store);

import { MemoryStorage, type Storage } from 'botbuilder';
import { BlobsStorage } from 'botbuilder-azure-blobs';

/** Where botbuilder keeps conversation and user state between turns. */
export type ConversationStateStorageConfig = { kind: 'memory' } | { kind: 'blob'; connectionString: string; container: string };

/** Azure's container naming rule: 3-63 lowercase letters, digits and single hyphens, no edge hyphens. */
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Returns the botbuilder `Storage` for conversation state. One instance can keep it in memory; with
 * several instances behind a load balancer the next turn may land elsewhere, so state goes to Azure
 * Blob Storage (one JSON blob per key, ETag-checked writes, container created on first use). Throws
 * at once for a container name Azure would reject, rather than on the first turn.
 */
export function createConversationStateStorage(config: ConversationStateStorageConfig): Storage {
  if (config.kind === 'memory') return new MemoryStorage();
  if (!CONTAINER_NAME.test(config.container)) {
    throw new Error('the state blob container name must be 3-63 lowercase letters, digits and single hyphens');
  }
  return new BlobsStorage(config.connectionString, config.container);
}

import type { BulkFlows } from '../../src/features/bulk/bulk-flows';
import type { Harness, HarnessOptions } from '../support/harness';
import { startHarness } from '../support/harness';

export interface BulkHarness extends Harness {
  /** The bot's own bulk flows, as wired by src/index.ts. */
  bulk: BulkFlows;
}

/**
 * `startHarness` for bulk stories: the emulator and the bot in-process, the bot's BulkFlows at
 * hand so a test can wait for its jobs (`whenIdle`) or resume them as a restart would.
 */
export async function startBulkHarness(options: HarnessOptions = {}): Promise<BulkHarness> {
  const h = await startHarness(options);
  return { ...h, bulk: h.bot.bulk, reset: () => h.reset(), stop: () => h.stop() };
}

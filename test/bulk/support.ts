import type { Emulator, LoggedRequest } from '../../emulator';
import type { Conversation } from '../../emulator/teams-client';
import { cardText } from '../support/harness';

export const TENANT = '00000000-0000-0000-0000-000000000001';
export const ENGINEERING = '00000000-0000-0000-0000-000000000032';
export const MY_TEAM = '00000000-0000-0000-0000-000000000031';
export const LEGACY = '19:eng-legacy@thread.tacv2';
export const VENDOR = '19:eng-vendor@thread.tacv2';
export const FALCON = '19:myteam-falcon@thread.tacv2';

/** General plus "Channel 01" … "Channel 63" of Contoso Engineering: the channels a bulk start runs on. */
export const ENGINEERING_FRESH: string[] = ['19:eng-general@thread.tacv2', ...Array.from({ length: 63 }, (_, i) => `19:eng-ch${String(i + 1).padStart(2, '0')}@thread.tacv2`)];

/** Emulator limits (spec §5 shape) matching the bot's BULK_TEAM_RPS / BULK_TENANT_RPS in these tests. */
export const TEAM_RPS = 8;
export const TENANT_RPS = 30;
export const throttled = { enabled: true, perAppPerTenant: TENANT_RPS, channelsListPerAppPerTenant: 60, perAppPerTeam: TEAM_RPS, perAppPerThread: 1 };
export const bulkEnv = { BULK_TEAM_RPS: String(TEAM_RPS), BULK_TENANT_RPS: String(TENANT_RPS) };

/** Graph requests that reached the emulator for one thread's `startMigration` / `completeMigration`. */
export function writesTo(emulator: Emulator, threadId: string, action: 'startMigration' | 'completeMigration'): LoggedRequest[] {
  return emulator.requests({ service: 'graph', method: 'POST' }).filter((r) => {
    const path = decodeURIComponent(r.path);
    return path.includes(`/${threadId}/`) && path.endsWith(`/${action}`);
  });
}

/** Requests Graph actually served (not throttled, not an injected fault). */
export const served = (requests: LoggedRequest[]) => requests.filter((r) => r.status !== 429 && r.status !== 0 && r.status < 500);

/** Every text of the current version of each card the bot updated in a conversation. */
export function updatedCardTexts(emulator: Emulator, conversation: Conversation): string[] {
  return emulator.connector
    .updates(conversation.conversationId)
    .map((a) => cardText(a.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content));
}

/** Waits until the bot updates a card in this conversation so that it reads `pattern`. */
export async function waitForCardUpdate(emulator: Emulator, conversation: Conversation, pattern: RegExp, timeoutMs = 45000): Promise<string> {
  const found = await emulator.connector.waitFor(
    (a) =>
      a.operation === 'update' &&
      a.conversationId === conversation.conversationId &&
      pattern.test(cardText(a.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content)),
    timeoutMs,
  );
  return cardText(found.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content);
}

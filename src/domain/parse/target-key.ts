import type { TargetSpec } from './command-parser';
import { isChannelId, isChatId, isGuid } from './ids';

/**
 * Parses a target key from a card button (`channel:{team}:{channel}` / `chat:{id}`, as
 * `targetKey` writes them) back into a target; null for anything not of exactly that shape, since
 * button data comes from the client and is untrusted.
 */
export function specFromTargetKey(key: unknown): TargetSpec | null {
  if (typeof key !== 'string' || key.length > 600) return null;
  const channel = /^channel:([^:]+):(.+)$/.exec(key);
  if (channel && isGuid(channel[1]) && isChannelId(channel[2])) return { kind: 'channel', team: channel[1], channel: channel[2] };
  const chat = /^chat:(.+)$/.exec(key);
  if (chat && isChatId(chat[1])) return { kind: 'chat', chatId: chat[1] };
  return null;
}

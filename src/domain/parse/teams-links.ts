import { isChannelId, isChatId, isGuid } from './ids';

export type TeamsLink =
  | { kind: 'channel'; teamId: string; channelId: string; tenantId: string | null; channelName: string | null }
  | { kind: 'chat'; chatId: string; tenantId: string | null };

export type LinkParseResult = { ok: true; link: TeamsLink } | { ok: false; message: string };

const HOSTS = new Set(['teams.microsoft.com', 'teams.cloud.microsoft']);

/** Decodes percent-encoding once or twice (links are sometimes encoded twice); null on malformed escapes. */
function decode(segment: string): string | null {
  try {
    let s = decodeURIComponent(segment);
    if (/%[0-9a-f]{2}/i.test(s)) s = decodeURIComponent(s);
    return s;
  } catch {
    return null;
  }
}

/** True when the text looks like a URL (so the command parser treats it as a link). */
export function looksLikeLink(text: string): boolean {
  return /^https?:\/\//i.test(text.trim());
}

/**
 * Parses a Teams link an admin pasted (spec §8): a channel link, a message in a channel, a chat, or
 * a message in a chat. Ids may be URL-encoded. Pure; returns a specific message for anything else.
 */
export function parseTeamsLink(text: string): LinkParseResult {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, message: 'That link could not be read. Copy it again from Teams ("Get link to channel" or "Copy link").' };
  }
  if (url.protocol !== 'https:' || !HOSTS.has(url.hostname.toLowerCase())) {
    return {
      ok: false,
      message: `Only Teams links are accepted (https://teams.microsoft.com/l/… or https://teams.cloud.microsoft/l/…), not ${url.hostname || 'that address'}.`,
    };
  }
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] !== 'l' || parts.length < 3) {
    return {
      ok: false,
      message: 'That Teams link does not point to a channel, a chat or a message. Use "Get link to channel" on a channel, or "Copy link" on a message.',
    };
  }
  const kind = parts[1];
  const threadId = decode(parts[2]);
  if (threadId === null) return { ok: false, message: 'That link has a broken id (bad % encoding). Copy it again from Teams.' };
  const groupIdRaw = url.searchParams.get('groupId');
  const tenantRaw = url.searchParams.get('tenantId');
  const tenantId = tenantRaw && isGuid(tenantRaw) ? tenantRaw.toLowerCase() : null;
  if (tenantRaw && !tenantId) return { ok: false, message: 'That link has a tenantId that is not a GUID. Copy it again from Teams.' };

  if (kind === 'channel' || (kind === 'message' && groupIdRaw)) {
    if (!isChannelId(threadId)) return { ok: false, message: 'That link does not contain a valid channel id (19:…@thread.tacv2).' };
    if (!groupIdRaw || !isGuid(groupIdRaw)) {
      return { ok: false, message: 'That channel link has no team (groupId). Use "Get link to channel" in Teams, which includes it.' };
    }
    const nameRaw = kind === 'channel' && parts[3] ? decode(parts[3]) : url.searchParams.get('channelName');
    return { ok: true, link: { kind: 'channel', teamId: groupIdRaw.toLowerCase(), channelId: threadId, tenantId, channelName: nameRaw ?? null } };
  }
  if (kind === 'chat' || kind === 'message') {
    if (!isChatId(threadId)) {
      return {
        ok: false,
        message: isChannelId(threadId)
          ? 'That message link is from a channel but has no team (groupId). Use "Get link to channel" instead.'
          : 'That link does not contain a valid chat id (19:…@thread.v2 or 19:…@unq.gbl.spaces).',
      };
    }
    return { ok: true, link: { kind: 'chat', chatId: threadId, tenantId } };
  }
  return { ok: false, message: `Teams links of type "${kind.slice(0, 30)}" are not supported. Paste a channel, chat or message link.` };
}

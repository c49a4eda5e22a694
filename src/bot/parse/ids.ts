/** Shapes of the ids admins paste. Anything else is refused before any Graph call. */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Channel thread ids: `19:<opaque>@thread.tacv2` (or the older `@thread.skype`). */
const CHANNEL_ID = /^19:[A-Za-z0-9_\-.=]{1,200}@thread\.(tacv2|skype)$/;
/** Chat ids: group/meeting `19:<opaque>@thread.v2`, one-on-one `19:<guid>_<guid>@unq.gbl.spaces`. */
const CHAT_ID = /^19:[A-Za-z0-9_\-.=]{1,200}@(thread\.v2|unq\.gbl\.spaces|thread\.skype)$/;

export const isGuid = (s: string): boolean => GUID.test(s);
export const isChannelId = (s: string): boolean => CHANNEL_ID.test(s);
export const isChatId = (s: string): boolean => CHAT_ID.test(s);

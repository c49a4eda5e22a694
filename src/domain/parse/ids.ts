/**
 * Shapes of the ids admins paste. Anything else is refused before any Graph call. The shapes are
 * defined once, in `graph/graph-ids`, which every Graph path builder also checks.
 */
import { isGraphId } from '../../graph/graph-ids';

export const isGuid = (s: string): boolean => isGraphId('team', s);
export const isChannelId = (s: string): boolean => isGraphId('channel', s);
export const isChatId = (s: string): boolean => isGraphId('chat', s);
export const isUserRef = (s: string): boolean => isGraphId('userRef', s);

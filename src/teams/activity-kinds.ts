import { ActivityTypes } from 'botbuilder';

/** The activity types the bot tells apart, as plain strings: `activity.type` is a string, botbuilder's `ActivityTypes` an enum. */
export const MESSAGE: string = ActivityTypes.Message;
export const INVOKE: string = ActivityTypes.Invoke;

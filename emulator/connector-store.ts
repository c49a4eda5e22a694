import { asObject } from './json';
import type { ConnectorRecorder, DeletedActivity, FileConsentCardSent, FileInfoCardSent, RecordedActivity } from './types';

/** Content type of the card asking the user to accept a file the bot wants to send. */
export const FILE_CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';
/** Content type of the card showing a file the bot uploaded to the user's OneDrive. */
export const FILE_INFO_CARD = 'application/vnd.microsoft.teams.card.file.info';

/**
 * Records what the bot sends to the emulated Bot Framework connector: new activities, updates and
 * the Authorization header of every connector call. Tests read it through ConnectorRecorder.
 */
export class ConnectorStore implements ConnectorRecorder {
  private sends: RecordedActivity[] = [];
  private edits: RecordedActivity[] = [];
  private auths: (string | null)[] = [];
  private deletes: DeletedActivity[] = [];
  private notInstalled = new Set<string>();
  private counter = 0;

  /** A new activity id, unique within this emulator run. */
  nextId(): string {
    this.counter += 1;
    return `1${String(Date.now()).slice(-9)}${String(this.counter).padStart(4, '0')}`;
  }

  /** Stores a sent (POST) or updated (PUT) activity. */
  record(entry: RecordedActivity): void {
    (entry.operation === 'send' ? this.sends : this.edits).push(entry);
  }

  /** Stores a DELETE of an activity. */
  recordDeletion(conversationId: string, activityId: string): void {
    this.deletes.push({ conversationId, activityId, at: Date.now() });
  }

  /** Stores the Authorization header of a connector call (null when absent). */
  recordAuthorization(header: string | null): void {
    this.auths.push(header);
  }

  /** Forgets everything (the bot is installed for everyone again). */
  clear(): void {
    this.sends = [];
    this.edits = [];
    this.auths = [];
    this.deletes = [];
    this.notInstalled.clear();
  }

  uninstallBotFor(userKey: string): void {
    this.notInstalled.add(userKey);
  }

  /** False once a test has uninstalled the bot for this fixture user. */
  isInstalledFor(userKey: string): boolean {
    return !this.notInstalled.has(userKey);
  }

  sent(conversationId?: string): RecordedActivity[] {
    return this.sends.filter((a) => conversationId === undefined || a.conversationId === conversationId);
  }

  updates(conversationId?: string): RecordedActivity[] {
    return this.edits.filter((a) => conversationId === undefined || a.conversationId === conversationId);
  }

  current(activityId: string): RecordedActivity | undefined {
    const edits = this.edits.filter((a) => a.id === activityId);
    if (edits.length > 0) return edits[edits.length - 1];
    return this.sends.find((a) => a.id === activityId);
  }

  /** True when the activity is the latest version of itself (not superseded by a later update). */
  isCurrent(a: RecordedActivity): boolean {
    return this.current(a.id) === a;
  }

  waitFor(predicate: (a: RecordedActivity) => boolean, timeoutMs = 5000): Promise<RecordedActivity> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const poll = (): void => {
        const hit = [...this.sends, ...this.edits]
          .sort((x, y) => x.at - y.at)
          .find((a) => {
            try {
              return predicate(a);
            } catch {
              return false;
            }
          });
        if (hit) return resolve(hit);
        if (Date.now() >= deadline) return reject(new Error(`connector: no matching activity within ${timeoutMs} ms`));
        setTimeout(poll, 20);
      };
      poll();
    });
  }

  authorizations(): (string | null)[] {
    return [...this.auths];
  }

  deletions(conversationId?: string): DeletedActivity[] {
    return this.deletes.filter((d) => conversationId === undefined || d.conversationId === conversationId).map((d) => ({ ...d }));
  }

  fileConsentCards(conversationId?: string): FileConsentCardSent[] {
    return this.cardsOfType(FILE_CONSENT_CARD, conversationId).map(({ activity, attachment }) => {
      const content = asObject(attachment.content) ?? {};
      const card: FileConsentCardSent = {
        activityId: activity.id,
        conversationId: activity.conversationId,
        name: typeof attachment.name === 'string' ? attachment.name : '',
        acceptContext: content.acceptContext,
        declineContext: content.declineContext,
      };
      if (typeof content.description === 'string') card.description = content.description;
      if (typeof content.sizeInBytes === 'number') card.sizeInBytes = content.sizeInBytes;
      return card;
    });
  }

  fileInfoCards(conversationId?: string): FileInfoCardSent[] {
    return this.cardsOfType(FILE_INFO_CARD, conversationId).map(({ activity, attachment }) => {
      const content = asObject(attachment.content) ?? {};
      const card: FileInfoCardSent = {
        activityId: activity.id,
        conversationId: activity.conversationId,
        name: typeof attachment.name === 'string' ? attachment.name : '',
        contentUrl: typeof attachment.contentUrl === 'string' ? attachment.contentUrl : '',
      };
      if (typeof content.uniqueId === 'string') card.uniqueId = content.uniqueId;
      if (typeof content.fileType === 'string') card.fileType = content.fileType;
      if (content.etag !== undefined) card.etag = content.etag;
      return card;
    });
  }

  /** Attachments of one content type in the latest version of every sent activity, in send order. */
  private cardsOfType(contentType: string, conversationId?: string): { activity: RecordedActivity; attachment: Record<string, unknown> }[] {
    const found: { activity: RecordedActivity; attachment: Record<string, unknown> }[] = [];
    for (const sent of this.sent(conversationId)) {
      const activity = this.current(sent.id) ?? sent;
      const attachments = asObject(activity.raw)?.attachments;
      if (!Array.isArray(attachments)) continue;
      for (const item of attachments) {
        const attachment = asObject(item);
        if (attachment?.contentType === contentType) found.push({ activity, attachment });
      }
    }
    return found;
  }
}

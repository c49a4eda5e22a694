import type { ConnectorRecorder, RecordedActivity } from './types';

/**
 * Records what the bot sends to the emulated Bot Framework connector: new activities, updates and
 * the Authorization header of every connector call. Tests read it through ConnectorRecorder.
 */
export class ConnectorStore implements ConnectorRecorder {
  private sends: RecordedActivity[] = [];
  private edits: RecordedActivity[] = [];
  private auths: (string | null)[] = [];
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

  /** Stores the Authorization header of a connector call (null when absent). */
  recordAuthorization(header: string | null): void {
    this.auths.push(header);
  }

  /** Forgets everything (the bot is installed for everyone again). */
  clear(): void {
    this.sends = [];
    this.edits = [];
    this.auths = [];
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
}

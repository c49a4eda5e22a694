/** The conversation-reference aggregate: where to reach an admin proactively (reminders, recovery). */

/** Where to reach an admin proactively (reminders), keyed by their aadObjectId. */
export interface StoredConversationReference {
  aadObjectId: string;
  tenantId: string;
  reference: Record<string, unknown>;
  updatedAt: string;
}

/** The conversation-reference port: the newest reference per admin, replaced on each save. */
export interface ConversationReferenceStore {
  saveConversationReference(ref: StoredConversationReference): Promise<void>;
  getConversationReference(aadObjectId: string): Promise<StoredConversationReference | null>;
}

import { randomUUID } from 'node:crypto';
import type { Caller } from './admin-policy';
import type { AdaptiveCardJson } from '../../cards/renderer';
import type { LedgerEntry, LedgerStore } from '../../store/ports/ledger';

/** The person acting and where: everything a flow needs to know about the turn, nothing of botbuilder. */
export interface ActingContext extends Caller {
  conversationId: string;
  /** IANA zone from the client (Teams `clientInfo.timezone`), or null for UTC. */
  timeZone: string | null;
  /** Personal chat, channel or group chat; unknown when a test or a job acts outside a turn. */
  conversationKind?: 'personal' | 'channel' | 'groupChat';
}

/**
 * What a flow answers with. The route decides how to deliver it: a new message for a typed
 * command, an in-place card replacement for a button.
 */
export type FlowReply =
  | { kind: 'text'; text: string }
  | {
      kind: 'card';
      card: AdaptiveCardJson;
      /** Set on confirmations: the opaque id of the pending operation the card shows. */
      pendingId?: string;
      /**
       * A confirmation's heading ("Start migration?"), repeated on the summary others see in channels
       * and group chats, so the edge never reads it back out of the rendered card.
       */
      title?: string;
      /** What a confirmation is about, for the summary others see in channels and group chats. */
      shareAs?: string;
      /** Show only to the person who pressed (their private view). */
      interactorOnly?: boolean;
      /**
       * A card with inputs that is not a confirmation (the form): in channels and group chats it is
       * shared as a summary whose refresh runs this verb for the requester.
       */
      privateVerb?: string;
      /**
       * Pressed on a card someone else may own (a form reached from a channel's summary): the card
       * everyone sees stays as it is, and a confirmation's summary is posted as a message of its own.
       */
      keepsSharedMessage?: boolean;
      /**
       * The message that shows this operation (where its confirmation was posted). A result pressed on
       * a card shown over another message (a form opened from someone else's summary) belongs there.
       */
      messageId?: string;
    }
  | {
      /**
       * Offers a file: a Teams file consent card in the personal chat (nowhere else). The user's
       * Accept or Decline comes back with `offerId` only; what the file holds is kept on the server.
       */
      kind: 'file';
      /** The file name shown on the card and given to the upload (`<something>.csv`). */
      name: string;
      /** One line about the file, shown on the card. */
      description: string;
      sizeInBytes: number;
      /** The opaque id of the stored offer (a pending operation of kind `report`). */
      offerId: string;
    };

export const text = (t: string): FlowReply => ({ kind: 'text', text: t });
export const card = (c: AdaptiveCardJson, pendingId?: string): FlowReply => ({ kind: 'card', card: c, pendingId });

/** What a flow says of an action; the actor and conversation come from the acting context. */
export type LedgerFacts = Omit<LedgerEntry, 'id' | 'at' | 'actor' | 'tenantId' | 'conversationId'>;

/** Who a ledger line names: the acting context, or less of it for someone who is not served (tenant refusals). */
export type LedgerActor = Pick<ActingContext, 'aadObjectId' | 'name' | 'tenantId'> & { conversationId: string | null };

/** One audit entry with the actor and conversation filled in from the acting context, written `at` (now by default). */
export function ledgerEntry(who: LedgerActor, facts: LedgerFacts, at: Date = new Date()): LedgerEntry {
  return {
    id: randomUUID(),
    at: at.toISOString(),
    actor: { aadObjectId: who.aadObjectId, name: who.name },
    tenantId: who.tenantId,
    conversationId: who.conversationId,
    ...facts,
  };
}

/** Appends one audit entry with the actor and conversation filled in from the acting context. */
export async function recordInLedger(store: LedgerStore, who: ActingContext, facts: LedgerFacts): Promise<void> {
  await store.appendLedger(ledgerEntry(who, facts));
}

import { randomBytes } from 'node:crypto';
import type { AdminDecision, AdminPolicy } from './admin-policy';
import type { AdaptiveCardJson, OutcomeView } from '../../cards/renderer';
import { renderOutcome } from '../../cards/renderer';
import type { LedgerEntry, LedgerStore } from '../../store/ports/ledger';
import type { PendingKind, PendingOperation, PendingOperationStore } from '../../store/ports/pending-operations';
import type { ActingContext, FlowReply } from './acting';
import { card, recordInLedger, text } from './acting';

/** A new opaque, unguessable id for a pending operation (128 bits, URL-safe). */
export function newOperationId(): string {
  return randomBytes(16).toString('base64url');
}

/** True when `who` is the person who asked for the operation. */
export function isRequester(op: PendingOperation, who: ActingContext): boolean {
  return !!who.aadObjectId && who.aadObjectId.toLowerCase() === op.requestedBy.aadObjectId?.toLowerCase();
}

/** A reply about an operation, marked with the message that shows it (see FlowReply `messageId`). */
export function onItsMessage(reply: FlowReply, op: Pick<PendingOperation, 'activityId'>): FlowReply {
  return reply.kind === 'card' && op.activityId ? { ...reply, messageId: op.activityId } : reply;
}

/**
 * What every state-changing flow does around its Graph call: check the admin role at the moment
 * of acting (recording refusals), keep the pre-flighted operation on the server under an opaque
 * id, and make each operation run at most once however often its button is pressed.
 */
export class OperationGuard {
  constructor(
    private readonly admin: AdminPolicy,
    private readonly store: LedgerStore & PendingOperationStore,
    private readonly pendingTtlMinutes: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Checks the admin role; on refusal records it in the ledger and returns the message to show. */
  async refuseNonAdmin(who: ActingContext, attempted: string, parameters: Record<string, unknown>): Promise<FlowReply | null> {
    const decision = await this.admin.check(who);
    if (decision.allowed) return null;
    await this.recordRefusal(who, attempted, parameters, decision);
    return text(decision.message);
  }

  /**
   * The admin decision itself, for a caller that must tell "not an administrator" from "the check
   * could not be made" (a running bulk job waits and retries the latter). Only a definite refusal
   * is recorded in the ledger; a failed check is in the log already, under its correlation id.
   */
  async decideAdmin(who: ActingContext, attempted: string, parameters: Record<string, unknown>): Promise<AdminDecision> {
    const decision = await this.admin.check(who);
    if (!decision.allowed && decision.reason !== 'check-failed') await this.recordRefusal(who, attempted, parameters, decision);
    return decision;
  }

  private async recordRefusal(
    who: ActingContext,
    attempted: string,
    parameters: Record<string, unknown>,
    decision: Exclude<AdminDecision, { allowed: true }>,
  ): Promise<void> {
    await recordInLedger(this.store, who, {
      action: 'refused',
      target: null,
      targetKey: null,
      parameters: { ...parameters, attempted, reason: decision.reason },
      outcome: 'refused',
      error: { message: decision.message },
      requestId: null,
      before: null,
      after: null,
      jobId: null,
    });
  }

  /**
   * Stores a pre-flighted operation with its confirmation card (rendered by `render` from the new
   * opaque id and expiry) and returns the reply showing that card. Only the id goes on the card;
   * the card itself is kept for the requester's private view in channels. `title` is the card's
   * heading, which the summary shown to everyone else in a channel repeats.
   */
  async create(
    who: ActingContext,
    kind: PendingKind,
    payload: Record<string, unknown>,
    title: string,
    render: (opId: string, expiresAt: string) => AdaptiveCardJson,
  ): Promise<FlowReply> {
    const now = this.now();
    const id = newOperationId();
    const expiresAt = new Date(now.getTime() + this.pendingTtlMinutes * 60000).toISOString();
    const confirmation = render(id, expiresAt);
    const op: PendingOperation = {
      id,
      kind,
      tenantId: who.tenantId!,
      requestedBy: { aadObjectId: who.aadObjectId, name: who.name },
      conversationId: who.conversationId,
      // Kept for the requester's private view in channels and group chats (`privateView`); a
      // personal chat shows the card itself, so there it is not stored (nor read back on Confirm).
      payload: who.conversationKind === 'personal' ? payload : { ...payload, card: confirmation },
      createdAt: now.toISOString(),
      expiresAt,
      state: 'pending',
      result: null,
      activityId: null,
      claimedAt: null,
    };
    await this.store.createPending(op);
    return { kind: 'card', card: confirmation, pendingId: id, title, shareAs: typeof payload.targetName === 'string' ? payload.targetName : undefined };
  }

  /**
   * For a button press: admin check, then the operation behind `opId`, checked to be of `kinds`,
   * of the presser's tenant and conversation, unexpired, and claimed by this press (so it runs
   * once). Returns the claimed operation, or the reply to show instead.
   */
  async claimForButton(who: ActingContext, opId: unknown, kinds: PendingKind[], attempted: string): Promise<PendingOperation | FlowReply> {
    const refusal = await this.refuseNonAdmin(who, attempted, { button: attempted });
    if (refusal) return refusal;
    const op = await this.load(who, opId, kinds);
    if (!('state' in op)) return op;
    const notYours = this.refuseNonRequester(op, who);
    if (notYours) return notYours;
    if (op.state === 'pending' && Date.parse(op.expiresAt) < this.now().getTime()) {
      await this.store.cancelPending(op.id);
      return card(
        renderOutcome({ title: 'Confirmation expired', color: 'Warning', summary: 'Nothing was changed. Run the command again to get a new confirmation.' }),
      );
    }
    if (!(await this.store.claimPending(op.id))) return this.alreadyHandled(op.id);
    return op;
  }

  /** A pending confirmation is the requester's: another admin who sees the card is told to ask for their own. */
  refuseNonRequester(op: PendingOperation, who: ActingContext): FlowReply | null {
    if (op.state !== 'pending' || isRequester(op, who)) return null;
    return text(
      `Only ${op.requestedBy.name ?? 'the administrator who asked'} can confirm this request. Run the command yourself to get your own confirmation.`,
    );
  }

  /** Loads the operation behind a card's `opId`; a message when it cannot be used here. */
  async load(who: ActingContext, opId: unknown, kinds: PendingKind[]): Promise<PendingOperation | FlowReply> {
    if (typeof opId !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(opId)) {
      return text('This card is missing its operation id. Run the command again to get a new confirmation.');
    }
    const op = await this.store.getPending(opId);
    if (!op || !kinds.includes(op.kind) || op.tenantId !== who.tenantId?.toLowerCase()) {
      return text('This confirmation is unknown. Run the command again to get a new one.');
    }
    // A channel's conversation id ends in `;messageid=<thread root>`; the channel is what matters.
    if (op.conversationId.split(';')[0] !== who.conversationId.split(';')[0])
      return text('This confirmation belongs to another conversation. Run the command again here.');
    return op;
  }

  /** Records the result shown on the card (and the action's ledger line with it), so a later press shows it again instead of acting. */
  async finish(
    op: Pick<PendingOperation, 'id' | 'activityId'>,
    view: Pick<OutcomeView, 'title'> & Partial<OutcomeView>,
    ledger?: LedgerEntry,
  ): Promise<FlowReply> {
    await this.store.finishPending(op.id, 'done', { view }, ledger);
    return onItsMessage(card(renderOutcome(view)), op);
  }

  /**
   * The requester's own view of a confirmation shown in a channel or group chat (`refresh` of a
   * user-specific card): the full card for the person who asked, the read-only summary for anyone
   * else, the outcome once it has run. Never acts.
   */
  async privateView(who: ActingContext, opId: unknown): Promise<FlowReply> {
    const op = await this.load(who, opId, ['start', 'complete', 'bulk-start', 'bulk-complete']);
    if (!('state' in op)) return op;
    if (op.state !== 'pending') return this.alreadyHandled(op.id);
    const full = op.payload.card as AdaptiveCardJson | undefined;
    if (full && isRequester(op, who)) {
      return { kind: 'card', card: full, interactorOnly: true };
    }
    return text(`Only ${op.requestedBy.name ?? 'the administrator who asked'} can confirm this request.`);
  }

  /** Cancels a pending operation (admins only); nothing is written to Graph. */
  async cancel(who: ActingContext, opId: unknown): Promise<FlowReply> {
    const refusal = await this.refuseNonAdmin(who, 'cancel', { button: 'cancel' });
    if (refusal) return refusal;
    const op = await this.load(who, opId, ['start', 'complete', 'bulk-start', 'bulk-complete']);
    if (!('state' in op)) return op;
    if (op.state === 'pending' && !isRequester(op, who)) {
      return text(`Only ${op.requestedBy.name ?? 'the administrator who asked'} can cancel this request.`);
    }
    if (!(await this.store.cancelPending(op.id))) return this.alreadyHandled(op.id);
    await this.store.finishPending(op.id, 'cancelled', null);
    const name = typeof op.payload.targetName === 'string' ? op.payload.targetName : 'the target';
    return card(renderOutcome({ title: 'Cancelled', summary: `Nothing was changed. ${name} is as it was.` }));
  }

  /** The card for an operation that already ran or was cancelled: the same result again, no second call. */
  async alreadyHandled(opId: string): Promise<FlowReply> {
    const op = await this.store.getPending(opId);
    if (op?.state === 'done' && op.result?.view) return card(renderOutcome(op.result.view as OutcomeView));
    if (op?.state === 'cancelled') return card(renderOutcome({ title: 'Cancelled', summary: 'This request was cancelled; nothing was changed.' }));
    return text('This request is already being carried out. The card will show the result in a moment.');
  }
}

import type { MigrationApi } from '../../graph/migration-api';
import type { TeamsDirectory } from '../../graph/teams-directory';
import type { Logger } from '../../log/logger';
import type { Store } from '../../store/ports/store';
import type { FlowReply } from '../shared/acting';
import { text } from '../shared/acting';
import type { ButtonHandler, Conversation, Messenger } from '../shared/conversation';
import type { OperationGuard } from '../shared/operation-guard';
import type { TargetResolver } from '../shared/target-resolver';
import { BulkConfirm } from './bulk-confirm';
import { BulkLease, type BulkLeaseTiming } from './bulk-lease';
import type { BulkLimits } from './bulk-limits';
import type { BulkKind } from './bulk-plan';
import { BulkPreview } from './bulk-preview';
import { BulkRecovery } from './bulk-recovery';
import { parseAskArgs, type BulkAskArgs } from './bulk-request';
import { BulkViews } from './bulk-views';
import { LeaseKeeper } from './job-leases';
import { JobSupervisor } from './job-supervisor';
import { Pacer } from '../shared/pacer';
import { TeamChannels } from './team-channels';

export type { BulkLimits } from './bulk-limits';
export type { BulkLeaseTiming } from './bulk-lease';
export type { BulkAskArgs } from './bulk-request';

/** Everything BulkFlows needs, wired in the composition root. */
export interface BulkFlowsDeps {
  guard: OperationGuard;
  resolver: TargetResolver;
  directory: TeamsDirectory;
  migration: MigrationApi;
  store: Store;
  logger: Logger;
  /** Shows the progress card outside the confirming turn (the Teams edge's BotMessenger). */
  messenger: Messenger;
  limits: BulkLimits;
  /** Least time between two updates of a progress card (default 3000 ms). */
  progressIntervalMs?: number;
  /** How long a job's lease lasts and how often it is renewed (default 15 s, renewed every 5 s). */
  lease?: Partial<BulkLeaseTiming>;
  /** The Graph budgets shared with the other work of this process (history imports); a new one by default. */
  pacer?: Pacer;
}

/** The card verbs of the bulk feature (the Teams edge's verb table names each). */
export interface BulkButtons {
  bulkAskStart: ButtonHandler;
  bulkAskComplete: ButtonHandler;
  bulkConfirm: ButtonHandler;
}

/**
 * Bulk operations over a whole team — `migrate team <team> [since <date>]` and
 * `complete team <team>`: a preview card saying what will happen to every channel (typed
 * confirmation above a threshold), then a background job paced to the Graph limits, with one
 * progress card updated in place and a final summary. Jobs survive restarts and several instances
 * can share one store: each instance (`ownerId`) works only on jobs it holds a lease on, renews
 * those while they run and takes over jobs whose lease expired. `resume` (at boot) takes every
 * job left running that no live instance holds and keeps looking for such jobs; `stop`
 * (shutdown) lets the requests in flight finish and hands unfinished jobs back.
 *
 * This class only wires the parts: BulkPreview (ask), BulkConfirm (confirm), JobSupervisor (jobs
 * running here), LeaseKeeper (renewals, take-over), BulkRecovery (resuming a leased job) and
 * BulkViews (the cards). One Pacer is shared by all of them, so previews and jobs draw on the
 * same Graph budgets.
 */
export class BulkFlows {
  private readonly lease: BulkLease;
  private readonly supervisor: JobSupervisor;
  private readonly keeper: LeaseKeeper;
  private readonly preview: BulkPreview;
  private readonly confirmation: BulkConfirm;

  // `deps` stays a property: tests reach the wired directory through it to inject Graph paging faults.
  constructor(private readonly deps: BulkFlowsDeps) {
    const { guard, store, logger, limits } = deps;
    const pacer = deps.pacer ?? new Pacer();
    const views = new BulkViews(limits);
    const channels = new TeamChannels({ directory: deps.directory, store, pacer, limits });
    this.lease = new BulkLease({ store, logger }, deps.lease);
    this.supervisor = new JobSupervisor({
      guard,
      directory: deps.directory,
      migration: deps.migration,
      store,
      logger,
      messenger: deps.messenger,
      pacer,
      lease: this.lease,
      views,
      limits,
      progressIntervalMs: deps.progressIntervalMs ?? 3000,
      // A launched job needs its lease renewed; the keeper's rounds start with the first job.
      onLaunch: () => this.keeper.start(),
    });
    const recovery = new BulkRecovery({ store, logger, supervisor: this.supervisor });
    this.keeper = new LeaseKeeper({ store, logger, lease: this.lease, supervisor: this.supervisor, resume: (job) => recovery.resumeLeased(job) });
    this.preview = new BulkPreview({ guard, resolver: deps.resolver, store, pacer, channels, views, limits });
    this.confirmation = new BulkConfirm({ guard, store, logger, channels, views, lease: this.lease, supervisor: this.supervisor });
  }

  /** This instance's identity as a lease holder; unique per process start. */
  get ownerId(): string {
    return this.lease.ownerId;
  }

  /** Card verbs (and the typed `migrate team` / `complete team` commands routed to the ask verbs). */
  buttons(): BulkButtons {
    const ask = (kind: BulkKind) => async (conversation: Conversation, data: Record<string, unknown>) => {
      const args = parseAskArgs(data);
      return typeof args === 'string' ? text(args) : this.preview.ask(conversation.who, kind, args);
    };
    return {
      bulkAskStart: ask('bulk-start'),
      bulkAskComplete: ask('bulk-complete'),
      bulkConfirm: (conversation, data) => this.confirmation.confirm(conversation, data),
    };
  }

  /** `migrate team <team> [since <date>]`: admin check, the team's channels, the preview card. */
  askStart(conversation: Conversation, args: BulkAskArgs): Promise<FlowReply> {
    return this.preview.ask(conversation.who, 'bulk-start', args);
  }

  /**
   * At boot: continues every job the store says is running that no live instance holds (its lease
   * is free or expired), then keeps looking for such jobs every `renewEveryMs`, which is how the
   * job of an instance that crashed is taken over. An item left with an intent but no outcome is
   * settled from the ledger when its entry was written, otherwise by reading the thread's
   * `migrationMode` before anything is sent again. Resolves once the jobs found are scheduled.
   */
  async resume(): Promise<void> {
    await this.keeper.takeOverInTurn();
    this.keeper.start();
  }

  /**
   * Graceful stop: no new request is sent, requests in flight finish and record their outcome,
   * finished jobs send their final card now; unfinished jobs stay running and their leases are
   * released, so another instance (or this one after a restart) takes them over at once.
   */
  async stop(): Promise<void> {
    this.supervisor.beginStop();
    await this.keeper.stop();
    await this.supervisor.drain();
  }

  /** Resolves when no job is running in this process (tests and benchmarks wait on it). */
  whenIdle(): Promise<void> {
    return this.supervisor.whenIdle();
  }
}

import type { ActingContext } from '../shared/acting';
import type { OperationGuard } from '../shared/operation-guard';
import type { BulkJob } from '../../store/ports/bulk-jobs';

/**
 * Where a running job's requester stands, asked before each Graph write: still an administrator;
 * definitely not (the job stops); or unknown because the check itself failed (the job waits and
 * asks again — a 503 from `checkMemberObjects` says nothing about the role).
 */
export type RequesterStanding = { kind: 'admin' } | { kind: 'not-admin'; reason: string } | { kind: 'unchecked'; reason: string; correlationId: string | null };

export type RequesterCheck = () => Promise<RequesterStanding>;

/**
 * The requester's admin check for one job. Concurrent items share one check; after a definite
 * refusal (recorded once in the ledger by the guard) the answer stays no. A failed check is not
 * remembered: the next call asks Graph again.
 */
export function requesterCheck(guard: OperationGuard, job: BulkJob, who: ActingContext): RequesterCheck {
  const name = who.name ?? 'the requester';
  let refused: RequesterStanding | null = null;
  let inFlight: Promise<RequesterStanding> | null = null;
  const ask = async (): Promise<RequesterStanding> => {
    const decision = await guard.decideAdmin(who, job.kind, { jobId: job.id, moment: 'before a Graph write' });
    if (decision.allowed) return { kind: 'admin' };
    if (decision.reason === 'check-failed')
      return { kind: 'unchecked', reason: `${name}'s administrator role could not be checked`, correlationId: decision.correlationId };
    refused = { kind: 'not-admin', reason: `${name} is no longer an administrator` };
    return refused;
  };
  return () => {
    if (refused) return Promise.resolve(refused);
    inFlight ??= ask().finally(() => (inFlight = null));
    return inFlight;
  };
}

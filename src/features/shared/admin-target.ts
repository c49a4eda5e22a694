import type { TargetSpec } from '../../domain/parse/command-parser';
import { text, type ActingContext, type FlowReply } from './acting';
import type { OperationGuard } from './operation-guard';
import type { ConversationPlace, ResolvedTarget, TargetResolver } from './target-resolver';

/**
 * The first step of every command on one thread: refuse a non-admin (recorded as `attempted`),
 * then resolve the target. Answers the resolved thread, or the reply to send instead.
 */
export async function resolveAsAdmin(
  deps: { guard: OperationGuard; resolver: TargetResolver },
  who: ActingContext,
  spec: TargetSpec,
  place: ConversationPlace,
  attempted: string,
  command: string,
): Promise<ResolvedTarget | FlowReply> {
  const refusal = await deps.guard.refuseNonAdmin(who, attempted, { command });
  if (refusal) return refusal;
  const resolved = await deps.resolver.resolve(spec, place);
  return resolved.ok ? resolved.value : text(resolved.message);
}

/**
 * What a failed import call means for the rest of the thread, and how it is told to the admin.
 * A refusal about the thread (not in migration mode, owned by another app, gone, no permission)
 * stops that thread's import: every further message would be refused the same way.
 */

import { formatErrorCode, type GraphFailure } from '../graph-failure';

/** True when Graph refused because of the thread, not the message. */
export function stopsTheThread(failure: Pick<GraphFailure, 'status' | 'message'>): boolean {
  if (failure.status === 403 || failure.status === 404 || failure.status === 401) return true;
  return failure.status === 400 && /migration mode|not in (a )?migration|completed/i.test(failure.message);
}

/** A plain sentence for a failed import call, with the code. */
export function explainImportFailure(failure: Pick<GraphFailure, 'status' | 'code' | 'message'>): string {
  const code = formatErrorCode(failure);
  if (failure.status === 403 && /permission|role/i.test(failure.message)) {
    return `The migration app lacks a permission (${code}): ${failure.message} Grant Teamwork.Migrate.All (application) and admin-consent it.`;
  }
  if (failure.status === 403)
    return `Only the app that started this channel's migration may import into it, and that is another app (${code}). Complete it from that app, then run the import again.`;
  if (failure.status === 404) return `The channel or the message replied to no longer exists (${code}).`;
  if (failure.status === 400 && /migration mode|not in (a )?migration|completed/i.test(failure.message)) {
    return `The channel is no longer in migration mode (${code}); it was completed meanwhile. Start its migration again to import the rest.`;
  }
  return `Microsoft Graph refused the message (${code}): ${failure.message}`;
}

import { nationalCloudCaveat } from './national-clouds';
import { saysAlreadyDone, type GraphFailure } from './graph-failure';

/** What the bot was doing when Graph failed: the explanation depends on it. */
export type GraphOperation = 'start' | 'complete' | 'read' | 'admin-check' | 'list';

/**
 * Turns a Graph failure into one or two plain sentences an admin can act on (spec §4). Pure: the
 * error code, `request-id` and date are shown next to it by the card, not here.
 */
export function explainFailure(failure: GraphFailure, operation: GraphOperation): string {
  const explanation = explainServiceAnswer(failure, operation);
  const caveat = failure.nationalCloud && (operation === 'start' || operation === 'complete') ? nationalCloudCaveat(failure.nationalCloud) : null;
  return caveat ? `${caveat} ${explanation}` : explanation;
}

function explainServiceAnswer(failure: GraphFailure, operation: GraphOperation): string {
  const msg = failure.message.toLowerCase();
  switch (failure.code) {
    case 'TokenUnavailable':
      return `${failure.message} Check the migration app's credential (GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH) and that it has not expired.`;
    case 'Timeout':
      return operation === 'start' || operation === 'complete'
        ? 'Microsoft Graph did not answer in time, and re-reading the thread could not settle whether the change was made. Run status on the target before trying again.'
        : 'Microsoft Graph did not answer in time. Try again in a minute.';
    case 'NetworkError':
      return 'The connection to Microsoft Graph failed. Try again in a minute.';
    case 'MalformedId':
      // Already names the id and its expected shape (graph-ids); Graph was never called.
      return failure.message;
  }
  switch (failure.status) {
    case 400:
      if (operation === 'complete' && saysAlreadyDone(msg, 'complete')) {
        return 'This thread is not in migration mode (it was never started, or it was already completed), so there is nothing to complete.';
      }
      if (operation === 'start' && saysAlreadyDone(msg, 'start'))
        return 'This thread is already in migration mode. Complete that migration before starting another.';
      if (/meeting/.test(msg)) return 'Meeting chats cannot be put into migration mode.';
      if (/earlier|createddatetime|conversationcreationdatetime/.test(msg)) {
        return "Graph rejected the date: it must be earlier than the thread's current creation date.";
      }
      return `Graph rejected the request: ${failure.message}`;
    case 401:
      return "Graph rejected the migration app's token. Check GRAPH_TENANT_ID, GRAPH_CLIENT_ID and the cloud settings.";
    case 403:
      if (/teamwork\.migrate\.all/.test(msg)) {
        return 'The migration app lacks the Teamwork.Migrate.All application permission. Grant it in Entra ID and give admin consent, then try again.';
      }
      if (/role|permission/.test(msg)) return `The migration app lacks a Graph permission this needs: ${failure.message}`;
      if (operation === 'start' || operation === 'complete') {
        return 'Another app started this migration. Only that app can import into this thread or complete it.';
      }
      return `Graph refused access: ${failure.message}`;
    case 404:
      return operation === 'admin-check'
        ? 'Your account was not found in the directory, so you cannot be checked as an administrator.'
        : 'Graph could not find that team, channel or chat. It may have been deleted, or it belongs to another tenant.';
    case 409:
      return `Graph reported a conflict: ${failure.message}`;
    case 412:
      return 'Teams answered "version mismatch for thread resource", a known service issue with some one-on-one chats. Wait a few minutes and try again; if it keeps failing, open a Microsoft support case with the request id below.';
    case 429:
      return 'Microsoft Graph is throttling the migration app, even after waiting as asked. Try again in a few minutes.';
    case 503:
    case 504:
    case 502:
    case 500:
      return operation === 'start' || operation === 'complete'
        ? 'Microsoft Graph is unavailable right now, and re-reading the thread could not settle whether the change was made. Run status on the target before trying again.'
        : 'Microsoft Graph is unavailable right now. Try again in a few minutes.';
    default:
      return `Graph answered ${failure.status} ${failure.code}: ${failure.message}`;
  }
}

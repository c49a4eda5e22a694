import type { OutcomeView } from '../../cards/renderer';
import { formatErrorCode, type GraphFailure } from '../../domain/graph-failure';

/** The error facts every failure card shows (spec §4): the error code, the request id and the date. */
export function errorFacts(failure: GraphFailure): OutcomeView['errorFacts'] {
  return [
    { title: 'Graph error', value: formatErrorCode(failure) },
    { title: 'request-id', value: failure.requestId ?? 'none' },
    { title: 'Date', value: failure.date },
  ];
}

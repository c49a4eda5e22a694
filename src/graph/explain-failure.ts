/**
 * Moved to the domain (`domain/explain-failure`): explaining a failure is a pure rule. This path
 * stays only for `features/bulk/bulk-flows.ts`, which another change is splitting; delete it once
 * nothing imports it.
 */
export { explainFailure, type GraphOperation } from '../domain/explain-failure';

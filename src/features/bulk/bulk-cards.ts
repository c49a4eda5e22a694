import { renderCard, type AdaptiveCardJson } from '../../cards/renderer';

/** A card button: title, verb and the data it sends (an opaque operation id, or a preview request). */
export interface BulkCardAction {
  title: string;
  verb: string;
  style: 'default' | 'positive' | 'destructive';
  data: Record<string, unknown>;
}

/** Template data for `bulk-preview.json`: what a bulk operation will do, channel by channel. */
export interface BulkPreviewView {
  title: string;
  summary: string;
  facts: { title: string; value: string }[];
  warning: string;
  bullets: string[];
  rows: { line: string; color: 'Default' | 'Warning' | 'Good' | 'Attention' }[];
  /** "…and N more channels", or ''. */
  more: string;
  /** The team name the admin must type, or '' when no typed confirmation is needed. */
  typedConfirmation: string;
  typedError: string;
  /** When the confirmation expires, or '' for a preview with nothing to confirm. */
  expires: string;
  actions: BulkCardAction[];
}

/** Template data for `bulk-progress.json`: a running job's counts, or its final summary. */
export interface BulkProgressView {
  title: string;
  color: 'Default' | 'Good' | 'Warning' | 'Attention' | 'Accent';
  summary: string;
  facts: { title: string; value: string }[];
  failures: { line: string }[];
  skipped: { line: string }[];
  more: string;
  nextSteps: string[];
  footer: string;
}

/**
 * Expands the bulk preview (confirmation) card through the shared renderer, which parses each
 * template once; this wrapper only pins the data to its type.
 */
export function renderBulkPreview(view: BulkPreviewView): AdaptiveCardJson {
  return renderCard('bulk-preview', view);
}

/**
 * Expands the bulk progress / final summary card through the shared renderer (parsed once, which
 * matters: progress cards of many concurrent jobs are rendered several times a second).
 */
export function renderBulkProgress(view: BulkProgressView): AdaptiveCardJson {
  return renderCard('bulk-progress', view);
}

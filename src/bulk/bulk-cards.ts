import * as ACData from 'adaptivecards-templating';
import type { AdaptiveCardJson } from '../cards/renderer';
import bulkPreview from '../cards/templates/bulk-preview.json';
import bulkProgress from '../cards/templates/bulk-progress.json';

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

// Parsed once: building a Template costs ~10 ms, expanding a built one ~0.3 ms, and progress
// cards of many concurrent jobs are rendered several times a second.
const templates = {
  'bulk-preview': new ACData.Template(bulkPreview),
  'bulk-progress': new ACData.Template(bulkProgress),
} as const;

function render(name: keyof typeof templates, data: object): AdaptiveCardJson {
  return templates[name].expand({ $root: data }) as AdaptiveCardJson;
}

/** Expands the bulk preview (confirmation) card with `adaptivecards-templating`. */
export function renderBulkPreview(view: BulkPreviewView): AdaptiveCardJson {
  return render('bulk-preview', view);
}

/** Expands the bulk progress / final summary card with `adaptivecards-templating`. */
export function renderBulkProgress(view: BulkProgressView): AdaptiveCardJson {
  return render('bulk-progress', view);
}

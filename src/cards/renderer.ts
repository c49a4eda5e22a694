import * as ACData from 'adaptivecards-templating';
import help from './templates/help.json';
import confirmStart from './templates/confirm-start.json';
import outcome from './templates/outcome.json';
import confirm from './templates/confirm.json';
import list from './templates/list.json';
import migrationForm from './templates/migration-form.json';
import privateView from './templates/private-view.json';
import bulkPreview from './templates/bulk-preview.json';
import bulkProgress from './templates/bulk-progress.json';

/** An Adaptive Card payload, ready for an attachment or an invoke response. */
export interface AdaptiveCardJson {
  type: 'AdaptiveCard';
  version: string;
  [key: string]: unknown;
}

export const templates = {
  help,
  'confirm-start': confirmStart,
  outcome,
  confirm,
  list,
  'migration-form': migrationForm,
  'private-view': privateView,
  'bulk-preview': bulkPreview,
  'bulk-progress': bulkProgress,
} as const;

export type TemplateName = keyof typeof templates;

/** Template data for `outcome.json`: a titled result with facts, steps, error details and buttons. */
export interface OutcomeView {
  title: string;
  color: 'Good' | 'Attention' | 'Warning' | 'Default' | 'Accent';
  summary: string;
  facts: { title: string; value: string }[];
  nextSteps: string[];
  errorFacts: { title: string; value: string }[];
  actions: { title: string; verb: string; opId: string; target: string }[];
}

/**
 * Expands a card template with typed data (`adaptivecards-templating`). The one way the bot makes
 * cards: templates are JSON under `templates/`, never strings assembled in code.
 */
export function renderCard(name: TemplateName, data: object): AdaptiveCardJson {
  // Parsing a template costs ~30× its expansion; templates never change, so parse each once.
  let template = parsed.get(name);
  if (!template) {
    template = new ACData.Template(templates[name]);
    parsed.set(name, template);
  }
  return template.expand({ $root: data }) as AdaptiveCardJson;
}

const parsed = new Map<TemplateName, ACData.Template>();

/** Shorthand for the outcome card, with empty lists defaulted. */
export function renderOutcome(view: Partial<OutcomeView> & Pick<OutcomeView, 'title'>): AdaptiveCardJson {
  return renderCard('outcome', {
    color: 'Default',
    summary: '',
    facts: [],
    nextSteps: [],
    errorFacts: [],
    actions: [],
    ...view,
  });
}

/** Template data for `confirm.json`: any confirmation other than a single start. */
export interface ConfirmView {
  title: string;
  facts: { title: string; value: string }[];
  warning: string;
  bullets: string[];
  /** Text the admin must type to confirm (bulk over the threshold), or ''. */
  typedConfirmation: string;
  typedError: string;
  expires: string;
  confirmTitle: string;
  confirmVerb: string;
  opId: string;
}

/** Template data for `list.json`: rows with optional buttons (status board, locked board, audit). */
export interface ListView {
  title: string;
  summary: string;
  rows: { heading: string; detail: string; buttons: { title: string; verb: string; target: string }[] }[];
  footer: string;
}

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
import importPlan from './templates/import-plan.json';
import importProgress from './templates/import-progress.json';
import { escapeMarkdown } from './markdown';
import type { CardData, OutcomeDraft, TemplateName } from './card-data';

export type { CardData, OutcomeDraft, OutcomeView, ConfirmView, ListView, TemplateName } from './card-data';

/** An Adaptive Card payload, ready for an attachment or an invoke response. */
export interface AdaptiveCardJson {
  type: 'AdaptiveCard';
  version: string;
  [key: string]: unknown;
}

/** Every template, by the name `renderCard` takes; exactly the names of `CardData`. */
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
  'import-plan': importPlan,
  'import-progress': importProgress,
} as const satisfies Record<TemplateName, object>;

/**
 * Expands a card template with its data (`adaptivecards-templating`). The one way the bot makes
 * cards: templates are JSON under `templates/`, never strings assembled in code. The data's type
 * is the template's (`CardData` in `card-data.ts`), so a wrong or missing field does not compile.
 *
 * Every string of `data` is treated as text to show, not markdown: wherever a template puts one
 * into a markdown property (`TextBlock.text`, `Fact.title`, `Fact.value`) it is escaped with
 * `escapeMarkdown`, so a name cannot plant a link or formatting and no template can forget to
 * escape. Markdown a template writes itself (`**${name}**`) stays markdown.
 */
export function renderCard<K extends TemplateName>(name: K, data: CardData[K]): AdaptiveCardJson {
  // Parsing a template costs ~30× its expansion; templates never change, so parse each once.
  let template = parsed.get(name);
  if (!template) {
    template = new ACData.Template(templates[name]);
    parsed.set(name, template);
  }
  return finishCard(template.expand({ $root: markValues(data) })) as AdaptiveCardJson;
}

/**
 * Where each data string starts and ends once expanded: two private-use characters, which are
 * first removed from the data itself so no value can fake a boundary. Empty strings stay empty,
 * so the templates' `!= ''` conditions read them as before.
 */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKERS = /[\uE000\uE001]/g;
const REGION = /\uE000([^\uE000\uE001]*)\uE001/g;

/** True when a string holds a boundary mark (rare: the checks below skip the regex otherwise). */
const hasMarker = (s: string): boolean => s.includes(OPEN) || s.includes(CLOSE);

function markValues(value: unknown): unknown {
  if (typeof value === 'string') {
    const clean = hasMarker(value) ? value.replace(MARKERS, '') : value;
    return clean === '' ? clean : `${OPEN}${clean}${CLOSE}`;
  }
  if (Array.isArray(value)) return value.map(markValues);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = markValues((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Escapes the data inside a markdown property; the template's own text around it is kept. */
const asMarkdown = (text: string): string => (hasMarker(text) ? text.replace(REGION, (_m, inner: string) => escapeMarkdown(inner)).replace(MARKERS, '') : text);

/**
 * Walks an expanded card: data in markdown properties is escaped, and the boundary marks are
 * removed everywhere else (ids, verbs, action data, input values and labels are plain text). The
 * card was just made by `expand`, so it is changed in place rather than copied.
 */
function finishCard(node: unknown, inFactSet = false): unknown {
  if (typeof node === 'string') return hasMarker(node) ? node.replace(MARKERS, '') : node;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = finishCard(node[i], inFactSet);
    return node;
  }
  if (!node || typeof node !== 'object') return node;
  const n = node as Record<string, unknown>;
  for (const key of Object.keys(n)) {
    const value = n[key];
    const markdown = (n.type === 'TextBlock' && key === 'text') || (inFactSet && (key === 'title' || key === 'value'));
    n[key] = markdown && typeof value === 'string' ? asMarkdown(value) : finishCard(value, n.type === 'FactSet' && key === 'facts');
  }
  return n;
}

const parsed = new Map<TemplateName, ACData.Template>();

/** The outcome card from what a flow has (`OutcomeDraft`): colour 'Default', empty summary and lists unless given. */
export function renderOutcome(view: OutcomeDraft): AdaptiveCardJson {
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

/**
 * The data of every card template, as types: `renderCard(name, data)` takes `CardData[name]`, so a
 * field a template does not read, or one it reads and the caller forgot, is a compile error.
 *
 * Each type mirrors the `${...}` expressions of its template in `templates/`. `cardFields` lists
 * the same fields as values; `test/cards/card-data.test.ts` parses every template and checks that
 * its expressions name exactly those fields, so a template and its type cannot drift apart.
 */

/** A title/value pair of a FactSet. */
export interface CardFact {
  title: string;
  value: string;
}

/** One choice of an `Input.ChoiceSet`: what it shows and the value it submits. */
export interface CardChoice {
  title: string;
  value: string;
}

/** A colour a TextBlock can take (Adaptive Cards `Colors`, the ones the bot uses). */
export type TextColor = 'Default' | 'Good' | 'Warning' | 'Attention' | 'Accent';

/** Template data for `help.json`: the bot's introduction and every command with its examples. */
export interface HelpView {
  intro: string;
  commands: { name: string; description: string; examples: string[] }[];
}

/** Template data for `confirm-start.json`: the confirmation before a single `startMigration`. */
export interface ConfirmStartView {
  opId: string;
  targetName: string;
  /** "standard channel", "group chat", … */
  targetKind: string;
  currentCreated: string;
  /** The new creation date, or a sentence saying it stays unchanged. */
  newCreated: string;
  requestedBy: string;
  /** Why no date is risky, or '' when a date was given. */
  noDateWarning: string;
  migrationAppId: string;
  expires: string;
}

/** Template data for `outcome.json`: a titled result with facts, steps, error details and buttons. */
export interface OutcomeView {
  title: string;
  color: TextColor;
  summary: string;
  facts: CardFact[];
  nextSteps: string[];
  errorFacts: CardFact[];
  actions: { title: string; verb: string; opId: string; target: string }[];
}

/**
 * An outcome as flows build it: a title and whatever else they have; `renderOutcome` fills the
 * rest (default colour, empty summary and lists). Also what a finished operation stores to show
 * again when Confirm is pressed twice.
 */
export type OutcomeDraft = Pick<OutcomeView, 'title'> & Partial<OutcomeView>;

/** Template data for `confirm.json`: any confirmation other than a single start. */
export interface ConfirmView {
  title: string;
  facts: CardFact[];
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

/**
 * Template data for `migration-form.json`: every input's current value, the choices offered, and
 * an error beside each field ('' when there is none).
 */
export interface MigrationFormView {
  error: string;
  teamError: string;
  channelError: string;
  chatError: string;
  dateError: string;
  kind: string;
  kindChoices: CardChoice[];
  teamId: string;
  teamChoices: CardChoice[];
  teamName: string;
  channelId: string;
  channelChoices: CardChoice[];
  chatId: string;
  chatChoices: CardChoice[];
  chatText: string;
  chatsOf: string;
  /** "your chats" or "chats of <user>". */
  chatsOfLabel: string;
  date: string;
  time: string;
  zoneLabel: string;
  hint: string;
  /** 'yes' when the form may rewrite the message it was opened from, else ''. */
  ownMessage: string;
}

/**
 * Template data for `private-view.json`: the summary everyone in a channel or group chat sees
 * while one person works on a card only they see (its refresh runs `verb` for `requesterId`).
 */
export interface PrivateViewSummary {
  opId: string;
  /** The conversation kind the card was shown in, sent back with the refresh. */
  where: string;
  verb: string;
  buttonTitle: string;
  requesterId: string;
  requester: string;
  title: string;
  summary: string;
}

/** A bulk card's button: title, verb and the data it sends (an opaque operation id, or a preview request). */
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
  facts: CardFact[];
  warning: string;
  bullets: string[];
  rows: { line: string; color: Exclude<TextColor, 'Accent'> }[];
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
  color: TextColor;
  summary: string;
  facts: CardFact[];
  failures: { line: string }[];
  skipped: { line: string }[];
  more: string;
  nextSteps: string[];
  footer: string;
}

/** A button of the import cards (`Action.Execute`, with its data object). */
export interface ImportCardAction {
  title: string;
  verb: string;
  style: 'default' | 'positive' | 'destructive';
  data: Record<string, string>;
}

/**
 * Template data for `import-plan.json`: an uploaded export's plan, with the choices the admin can
 * change (team, each source channel's target, the fallback user, completing at the end) and
 * Update / Confirm / Discard.
 */
export interface ImportPlanView {
  title: string;
  summary: string;
  /** What stops the import as planned, each naming what to do. */
  problems: string[];
  facts: CardFact[];
  teamId: string;
  teamChoices: CardChoice[];
  /** One per source channel that can be imported: its counts and its target choice. */
  channels: { label: string; name: string; inputId: string; value: string; choices: CardChoice[] }[];
  /** Source channels never offered (direct messages, empty channels), with why. */
  skippedSources: string[];
  /** Matched and unmatched people, a line each (capped). */
  users: string[];
  fallbackUserId: string;
  fallbackChoices: CardChoice[];
  /** What will happen: starts with their dates, skips with reasons, the duration. */
  happens: string[];
  completeWhenDone: 'true' | 'false';
  uploadFiles: 'true' | 'false';
  /** The team name the admin must type, or '' when no typed confirmation is needed. */
  typedConfirmation: string;
  typedError: string;
  footer: string;
  actions: ImportCardAction[];
}

/** Template data for `import-progress.json`: a running import's channels, or its final summary. */
export interface ImportProgressView {
  title: string;
  color: TextColor;
  summary: string;
  facts: CardFact[];
  /** One per channel, with its own buttons (Complete) so the card's action bar stays within Teams' limit. */
  rows: { line: string; color: Exclude<TextColor, 'Accent'>; buttons: ImportCardAction[] }[];
  failures: string[];
  nextSteps: string[];
  footer: string;
  actions: ImportCardAction[];
}

/** Every template by name (its file name under `templates/` without `.json`) and the data it takes. */
export interface CardData {
  help: HelpView;
  'confirm-start': ConfirmStartView;
  outcome: OutcomeView;
  confirm: ConfirmView;
  list: ListView;
  'migration-form': MigrationFormView;
  'private-view': PrivateViewSummary;
  'bulk-preview': BulkPreviewView;
  'bulk-progress': BulkProgressView;
  'import-plan': ImportPlanView;
  'import-progress': ImportProgressView;
}

/** The name of a card template. */
export type TemplateName = keyof CardData;

/**
 * The fields of a template's data as a value: `true` for a field the template shows as it is
 * (text, a list of strings, an opaque object), and the item's own fields for a list the template
 * repeats over (`$data`). Every field must be listed and no other, so the list is the type.
 */
export type FieldList<T> = {
  [K in keyof T]-?: NonNullable<T[K]> extends readonly (infer Item)[] ? (Item extends object ? FieldList<Item> : true) : true;
};

/** The fields of a FactSet fact and of a choice alike. */
const titleValue = { title: true, value: true } as const;

/**
 * The fields of every template's data, checked against the types here by the compiler and
 * against the templates' `${...}` expressions by `test/cards/card-data.test.ts`.
 */
export const cardFields = {
  help: { intro: true, commands: { name: true, description: true, examples: true } },
  'confirm-start': {
    opId: true,
    targetName: true,
    targetKind: true,
    currentCreated: true,
    newCreated: true,
    requestedBy: true,
    noDateWarning: true,
    migrationAppId: true,
    expires: true,
  },
  outcome: {
    title: true,
    color: true,
    summary: true,
    facts: titleValue,
    nextSteps: true,
    errorFacts: titleValue,
    actions: { title: true, verb: true, opId: true, target: true },
  },
  confirm: {
    title: true,
    facts: titleValue,
    warning: true,
    bullets: true,
    typedConfirmation: true,
    typedError: true,
    expires: true,
    confirmTitle: true,
    confirmVerb: true,
    opId: true,
  },
  list: { title: true, summary: true, rows: { heading: true, detail: true, buttons: { title: true, verb: true, target: true } }, footer: true },
  'migration-form': {
    error: true,
    teamError: true,
    channelError: true,
    chatError: true,
    dateError: true,
    kind: true,
    kindChoices: titleValue,
    teamId: true,
    teamChoices: titleValue,
    teamName: true,
    channelId: true,
    channelChoices: titleValue,
    chatId: true,
    chatChoices: titleValue,
    chatText: true,
    chatsOf: true,
    chatsOfLabel: true,
    date: true,
    time: true,
    zoneLabel: true,
    hint: true,
    ownMessage: true,
  },
  'private-view': { opId: true, where: true, verb: true, buttonTitle: true, requesterId: true, requester: true, title: true, summary: true },
  'bulk-preview': {
    title: true,
    summary: true,
    facts: titleValue,
    warning: true,
    bullets: true,
    rows: { line: true, color: true },
    more: true,
    typedConfirmation: true,
    typedError: true,
    expires: true,
    actions: { title: true, verb: true, style: true, data: true },
  },
  'bulk-progress': {
    title: true,
    color: true,
    summary: true,
    facts: titleValue,
    failures: { line: true },
    skipped: { line: true },
    more: true,
    nextSteps: true,
    footer: true,
  },
  'import-plan': {
    title: true,
    summary: true,
    problems: true,
    facts: titleValue,
    teamId: true,
    teamChoices: titleValue,
    channels: { label: true, name: true, inputId: true, value: true, choices: titleValue },
    skippedSources: true,
    users: true,
    fallbackUserId: true,
    fallbackChoices: titleValue,
    happens: true,
    completeWhenDone: true,
    uploadFiles: true,
    typedConfirmation: true,
    typedError: true,
    footer: true,
    actions: { title: true, verb: true, style: true, data: true },
  },
  'import-progress': {
    title: true,
    color: true,
    summary: true,
    facts: titleValue,
    rows: { line: true, color: true, buttons: { title: true, verb: true, style: true, data: true } },
    failures: true,
    nextSteps: true,
    footer: true,
    actions: { title: true, verb: true, style: true, data: true },
  },
} as const satisfies { [K in TemplateName]: FieldList<CardData[K]> };

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Locator, Page, Request } from 'playwright-core';
import { REPO_ROOT } from './dev-process';
import { jsonText } from '../../emulator/json';

/** Where the step-by-step screenshots go (linked from the README). */
// Written to a git-ignored folder on every run; `SCREENSHOT_DIR=docs/screenshots npm test` refreshes the README's copies.
export const SCREENSHOT_DIR = path.resolve(REPO_ROOT, process.env.SCREENSHOT_DIR ?? path.join('test-results', 'screenshots'));
/** Where a failing test's full-page screenshot goes (never the README's folder). */
export const FAILURE_DIR = path.resolve(REPO_ROOT, 'test-results', 'failures');

const CARD = '.ac-adaptiveCard';
const EDITOR = '[data-lexical-editor="true"]';
const WAIT_MS = 30_000;
/** A post in a channel: the user's message and the replies in its thread (Fluent UI `Card`, role group). */
const POST = '[role="group"]';
/** Marks the posts that were on screen before a new one is made, to tell the new one apart in any list order. */
const SEEN = 'data-tmb-seen';
/** Names a post made by the driver with its thread's conversation id. */
const POST_ID = 'data-tmb-thread';
/**
 * How long the conversation must stay quiet (no invoke in flight, nothing pushed on the Playground's
 * conversation stream) before the page counts as settled. The bot's update of a shared message and
 * its answer to the invoke reach the page on different connections (WebSocket and HTTP), in either
 * order on a busy machine; this leaves the later of the two time to land before the test looks.
 */
const QUIET_MS = 1_000;

/** What the Playground pushed to the page on its conversation stream (a message created or updated, typing). */
interface StreamFrame {
  at: number;
  action: string;
  conversationId: string;
  messageId: string;
  /** The first attachment's Adaptive Card, as sent by the bot. */
  card?: Record<string, unknown>;
}

/** A press of an `Action.Execute` button: the `adaptiveCard/action` invoke the page sent, and its answer. */
interface InvokeRecord {
  at: number;
  title: string;
  verb: string;
  answeredAt?: number;
  status?: number | string;
}

/** Title and verb of the action an `adaptiveCard/action` invoke carries. */
function invokedAction(request: Request): { title: string; verb: string } | null {
  if (request.method() !== 'POST' || !request.url().endsWith('/_conversation/v1/invoke')) return null;
  try {
    const action = (request.postDataJSON() as { value?: { action?: { title?: unknown; verb?: unknown } } } | null)?.value?.action;
    return { title: jsonText(action?.title ?? ''), verb: jsonText(action?.verb ?? '') };
  } catch {
    return { title: '', verb: '' };
  }
}

function cardText(card: Record<string, unknown> | undefined): string {
  const body = card?.body as { text?: unknown }[] | undefined;
  return (body ?? [])
    .map((b) => (typeof b.text === 'string' ? b.text : ''))
    .filter(Boolean)
    .join(' | ');
}

/** Whether `text` shows `what`, matched like Playwright's `hasText` (a string: any case, any whitespace). */
const shows = (text: string, what: string | RegExp) => {
  const flat = text.replace(/\s+/g, ' ');
  return typeof what === 'string' ? flat.toLowerCase().includes(what.replace(/\s+/g, ' ').toLowerCase()) : what.test(flat);
};
const oneLine = (text: string, max = 140) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

/**
 * Drives the Microsoft 365 Agents Playground page the way a person does: pick a chat in the list,
 * type into the composer, fill the Adaptive Card the bot sent, press its buttons. Only what is on
 * screen is used (roles, labels, visible text), never the Playground's internal APIs. What the page
 * exchanges with the Playground's server is watched, never changed: to know when the page has
 * settled, and to say what happened when a step fails.
 */
export class PlaygroundPage {
  private readonly openedAt = Date.now();
  private readonly frames: StreamFrame[] = [];
  private readonly invokes: InvokeRecord[] = [];
  private readonly inFlight = new Map<Request, InvokeRecord>();
  /** What the driver noticed on the way (for failure messages). */
  private readonly notes: string[] = [];

  /**
   * Listens to what the page exchanges with the Playground (watched, never changed): the
   * conversation stream's frames and the card-action invokes, so the driver can wait until both
   * have landed and say what happened when something fails.
   */
  private constructor(readonly page: Page) {
    page.on('websocket', (ws) => {
      if (ws.url().includes('/_ws_conversation/')) ws.on('framereceived', ({ payload }) => this.recordFrame(String(payload)));
    });
    page.on('request', (request) => {
      const action = invokedAction(request);
      if (!action) return;
      const record: InvokeRecord = { at: Date.now(), ...action };
      this.invokes.push(record);
      this.inFlight.set(request, record);
    });
    const answered = (request: Request, failure?: string) => {
      const record = this.inFlight.get(request);
      if (!record) return;
      this.inFlight.delete(request);
      record.answeredAt = Date.now();
      if (failure) record.status = failure;
      else
        void request.response().then(
          (r) => (record.status = r?.status()),
          () => (record.status = 'no response'),
        );
    };
    page.on('requestfinished', (request) => answered(request));
    page.on('requestfailed', (request) => answered(request, request.failure()?.errorText ?? 'failed'));
  }

  private recordFrame(payload: string): void {
    try {
      const f = JSON.parse(payload) as {
        action?: string;
        actionConversationId?: string;
        message?: { messageId?: string; attachments?: { content?: unknown }[] };
      };
      const content = f.message?.attachments?.[0]?.content;
      this.frames.push({
        at: Date.now(),
        action: String(f.action ?? '?'),
        conversationId: String(f.actionConversationId ?? ''),
        messageId: String(f.message?.messageId ?? ''),
        card: content && typeof content === 'object' ? (content as Record<string, unknown>) : undefined,
      });
    } catch {
      this.frames.push({ at: Date.now(), action: 'unparsed', conversationId: '', messageId: '' });
    }
  }

  /**
   * Opens the Playground in a new browser context whose clock is in `timeZone`, and waits until
   * its composer is on screen. Internet requests (fonts on Microsoft's CDN) are refused at once,
   * since there is no internet here and DNS lookups would otherwise stall the page.
   */
  static async open(browser: Browser, url: string, timeZone: string): Promise<PlaygroundPage> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: timeZone, locale: 'en-US' });
    const page = await context.newPage();
    const playground = new PlaygroundPage(page);
    await page.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => route.abort());
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator(EDITOR).first().waitFor({ timeout: 60_000 });
    return playground;
  }

  /** Selects an entry of the chat list: "Personal Chat", "Group Chat", "General", "Announcements". */
  async openChat(name: string): Promise<void> {
    await this.page.getByText(name, { exact: true }).first().click();
    await this.page.locator(EDITOR).first().waitFor();
  }

  /** Number of Adaptive Cards on screen in the open conversation. */
  cardCount(): Promise<number> {
    return this.page.locator(CARD).count();
  }

  /**
   * Sends a custom activity the way a person does with "Mock an Activity → Custom activity": the
   * dialog's editor opens on the Playground's template for the open chat, its text is replaced with
   * `activity` typed as ONE line (the editor auto-indents and closes brackets in multi-line JSON,
   * which breaks it), and "Send activity" posts it to the bot unchanged. Open the chat first: the
   * activity's own message is not shown, the bot's replies are.
   */
  async sendCustomActivity(activity: Record<string, unknown> | string): Promise<void> {
    const line = typeof activity === 'string' ? activity.trim() : JSON.stringify(activity);
    if (/[\r\n]/.test(line)) throw new Error('a custom activity is pasted as one line of JSON');
    await this.page.getByRole('button', { name: 'Mock an Activity' }).click();
    const template = this.page.waitForResponse((r) => new URL(r.url()).pathname === '/_internal/v1/customActivities/template', { timeout: WAIT_MS });
    await this.page.getByRole('menuitem', { name: 'Custom activity' }).click();
    await template;
    const dialog = this.page.getByRole('dialog').filter({ hasText: 'Custom activity' });
    const editor = dialog.locator('.monaco-editor');
    // The template is in the editor: what is typed now replaces it rather than being replaced by it.
    await editor.getByText('<custom-activity-type>').first().waitFor({ timeout: WAIT_MS });
    await editor.click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(line);
    const sent = this.page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/_internal/v1/customActivities', {
      timeout: WAIT_MS,
    });
    await dialog.getByRole('button', { name: 'Send activity' }).click();
    const response = await sent;
    if (!response.ok()) throw new Error(`the Playground answered HTTP ${response.status()} to the custom activity: ${oneLine(await response.text())}`);
    await dialog.waitFor({ state: 'hidden', timeout: WAIT_MS });
  }

  /** Types into an `Input.Text` of a card (a text box named by its label), replacing what it held. */
  async enterText(card: Locator, label: string | RegExp, text: string): Promise<void> {
    await card.getByRole('textbox', { name: label }).fill(text);
  }

  /** Types a message in a chat's composer and sends it with Enter. */
  async sendInChat(text: string): Promise<void> {
    const editor = this.page.locator(EDITOR).last();
    await editor.click();
    await editor.pressSequentially(text);
    await editor.press('Enter');
  }

  /**
   * Starts a new post in a channel that @mentions the bot and says `text`: in a channel a message
   * reaches the bot only when it is mentioned, and the Playground makes a mention by typing "@" and
   * picking the bot from its suggestion menu. Returns the new post, told apart from the posts that
   * were there before (whatever order the channel lists them in).
   */
  async postInChannelMentioning(botName: string, text: string, screenshot?: string): Promise<ChannelPost> {
    await this.page.locator(POST).evaluateAll((els, seen) => els.forEach((e) => e.setAttribute(seen, '')), SEEN);
    const editor = this.page.locator(EDITOR).first();
    await editor.click();
    await editor.pressSequentially(`@${botName.slice(0, 3)}`);
    await this.page.getByRole('menuitem', { name: botName }).click();
    await editor.pressSequentially(` ${text}`);
    if (screenshot) await this.screenshot(screenshot);
    const created = this.page.waitForResponse((r) => r.request().method() === 'POST' && /\/_conversation\/v1\/conversations\/[^/]+\/messages$/.test(r.url()), {
      timeout: WAIT_MS,
    });
    await this.page.getByRole('button', { name: 'Post', exact: true }).click();
    const response = await created;
    const { postConversationId } = (await response.json()) as { postConversationId?: string };
    if (!response.ok() || !postConversationId) throw new Error(`the Playground did not create the post (HTTP ${response.status()})`);
    const fresh = this.page.locator(`${POST}:not([${SEEN}])`).filter({ hasText: text });
    await fresh.first().waitFor({ timeout: WAIT_MS });
    const count = await fresh.count();
    if (count !== 1) throw new Error(`expected one new post saying "${text}", found ${count}`);
    // Named after its thread, so the locator stays on this post whatever is posted later.
    await fresh.evaluate((e, [attr, id]) => e.setAttribute(attr, id), [POST_ID, postConversationId] as const);
    return new ChannelPost(this, this.page.locator(`[${POST_ID}="${postConversationId}"]`), postConversationId);
  }

  /**
   * Waits until a card showing `text` is on screen and returns it. The locator stays on that card
   * while the bot replaces it in place, as long as the card keeps showing `text`. Of several such
   * cards it takes the last one on screen: the newest in a chat, but the oldest in a channel (newest
   * post first), so in a channel use the post's own cards (`ChannelPost`).
   */
  async card(text: string | RegExp, timeoutMs = WAIT_MS): Promise<Locator> {
    const card = this.page.locator(CARD).filter({ hasText: text }).last();
    await card.waitFor({ timeout: timeoutMs });
    return card;
  }

  /** Waits until more than `before` cards are on screen (in any order: channels list posts newest first). */
  async waitForCardCount(before: number): Promise<void> {
    await this.page.locator(CARD).nth(before).waitFor({ timeout: WAIT_MS });
  }

  /** Picks a radio button of an `Input.ChoiceSet` (expanded style) by its title. */
  async pickRadio(card: Locator, title: string): Promise<void> {
    await card.getByRole('radio', { name: title, exact: true }).check();
  }

  /**
   * Picks from a filtered `Input.ChoiceSet` (a combo box): the Playground shows the static choices
   * once something is typed (its type-ahead search is not supported), so type a prefix, then click.
   */
  async pickFiltered(card: Locator, label: RegExp, typed: string, option: string | RegExp): Promise<void> {
    const box = card.getByRole('combobox', { name: label });
    await box.click();
    await box.pressSequentially(typed);
    await this.page.getByRole('option', { name: option }).first().click();
  }

  /** Picks from a compact `Input.ChoiceSet` (a drop-down): open it, click the option. */
  async pickCompact(card: Locator, label: RegExp, option: string | RegExp): Promise<void> {
    await card.getByRole('combobox', { name: label }).click();
    await this.page.getByRole('option', { name: option }).first().click();
  }

  /**
   * Enters a date in an `Input.Date` (a date picker with a calendar pop-up): the pop-up is closed
   * with Escape and the date typed, as a keyboard user does. Returns what the field then shows.
   */
  async enterDate(card: Locator, isoDate: string): Promise<string> {
    const input = card.locator('input[placeholder="Select a date..."]');
    await input.click();
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.type(isoDate);
    await this.page.keyboard.press('Tab');
    return input.inputValue();
  }

  /**
   * Presses a button of a card (an `Action.Execute`), waits for the answer to its invoke, then until
   * the page settled: the bot may also update the message in the same turn, and that update can
   * reach the page before or after the answer.
   */
  async press(card: Locator, title: string): Promise<void> {
    const sent = this.invokes.length;
    const answered = this.page.waitForResponse((r) => invokedAction(r.request())?.title === title, { timeout: WAIT_MS });
    await card.getByRole('button', { name: title, exact: true }).click({ timeout: WAIT_MS });
    const response = await answered.catch((err: Error) => {
      const invoked = this.invokes.slice(sent).some((i) => i.title === title);
      throw new Error(`no answer to "${title}" within ${WAIT_MS / 1000} s (${invoked ? 'the invoke was sent' : 'the press sent no invoke'}): ${err.message}`);
    });
    if (!response.ok()) throw new Error(`the Playground answered HTTP ${response.status()} to "${title}"`);
    await this.settle();
  }

  /**
   * Saves a screenshot as `docs/screenshots/<name>.png`: the chat list and the conversation, without
   * the Log Panel on the right (wire details that only make the picture bigger). With `focus`, that
   * card is scrolled into view first: its bottom (its buttons) by default, its top with `show: 'top'`
   * (a card taller than the window).
   */
  async screenshot(name: string, focus?: Locator, show: 'top' | 'bottom' = 'bottom'): Promise<void> {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    // Bring the whole card into view, bottom first: its buttons are what the step is about.
    const block = show === 'top' ? 'start' : 'end';
    if (focus) await focus.evaluate((el, b) => (el as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: b }), block);
    const { width, height } = this.page.viewportSize() ?? { width: 1280, height: 860 };
    const panel = await this.page.getByText('Log Panel', { exact: true }).boundingBox();
    const right = panel && panel.x > width / 2 ? Math.floor(panel.x) - 16 : width;
    await this.page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), clip: { x: 0, y: 0, width: right, height } });
  }

  /**
   * Waits until the conversation is settled: no card-action invoke in flight, and nothing pushed on
   * the conversation stream, for `QUIET_MS`; then lets the page render what it received.
   */
  async settle(): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const last = Math.max(this.openedAt, ...this.frames.map((f) => f.at), ...this.invokes.map((i) => i.answeredAt ?? i.at));
      const quietFor = Date.now() - last;
      if (this.inFlight.size === 0 && quietFor >= QUIET_MS) break;
      if (Date.now() > deadline) {
        const pending = [...this.inFlight.values()].map((i) => `"${i.title}"`).join(', ');
        throw new Error(`the Playground did not settle within ${WAIT_MS / 1000} s${pending ? `: no answer yet to ${pending}` : ''}`);
      }
      await this.page.waitForTimeout(this.inFlight.size ? 100 : Math.max(50, QUIET_MS - quietFor));
    }
    // Two animation frames: whatever the page received has been rendered.
    await this.page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const raf = (globalThis as unknown as { requestAnimationFrame(cb: () => void): void }).requestAnimationFrame;
          raf(() => raf(() => resolve()));
        }),
    );
  }

  /** Remembers something worth telling if the test fails, and says it in the test output now. */
  note(text: string): void {
    this.notes.push(`+${((Date.now() - this.openedAt) / 1000).toFixed(1)} s ${text}`);
    // eslint-disable-next-line no-console -- Playground diagnostics: the note goes to the test output as it happens
    console.log(`      note: ${text}`);
  }

  /** The frames pushed on the conversation stream so far that `match`. */
  framesWhere(match: (f: StreamFrame) => boolean): StreamFrame[] {
    return this.frames.filter(match);
  }

  /**
   * For a failure message: a full-page screenshot (its path), the cards on screen, what the
   * conversation stream last pushed, the card-action invokes and their answers, and the notes.
   */
  async diagnostics(name: string): Promise<string> {
    const t = (at?: number) => (at === undefined ? '-' : `+${((at - this.openedAt) / 1000).toFixed(1)} s`);
    const lines: string[] = [];
    if (!this.page.isClosed()) {
      fs.mkdirSync(FAILURE_DIR, { recursive: true });
      const file = path.join(FAILURE_DIR, `${name.replace(/[^\w.-]+/g, '-').slice(0, 80)}.png`);
      await this.page.screenshot({ path: file, fullPage: true, timeout: 15_000 }).then(
        () => lines.push(`screenshot: ${file}`),
        (e: Error) => lines.push(`screenshot failed: ${e.message}`),
      );
      const texts = await this.page
        .locator(CARD)
        .allInnerTexts()
        .catch(() => [] as string[]);
      lines.push(`cards on screen (${texts.length}, in page order):`, ...texts.map((x, i) => `  [${i}] ${oneLine(x)}`));
    }
    lines.push(`conversation stream, last frames (now ${t(Date.now())}):`);
    lines.push(
      ...this.frames.slice(-12).map((f) => `  ${t(f.at)} ${f.action} ${f.conversationId} #${f.messageId}${f.card ? `: ${oneLine(cardText(f.card), 90)}` : ''}`),
    );
    lines.push('card-action invokes:');
    lines.push(
      ...this.invokes
        .slice(-8)
        .map((i) => `  ${t(i.at)} "${i.title}" (${i.verb}) answered ${t(i.answeredAt)} status ${i.status ?? (i.answeredAt ? '?' : 'pending')}`),
    );
    if (this.notes.length) lines.push('notes:', ...this.notes.map((n) => `  ${n}`));
    return lines.join('\n');
  }

  /** Closes the page and its browser context (the browser stays open). */
  async close(): Promise<void> {
    await this.page.context().close();
  }
}

/**
 * A post in a channel, and the bot's reply in its thread: one card, updated in place. In a channel
 * the bot shares a summary with everyone and gives the requester their own view (the form, the
 * confirmation) as the answer to a button press; it also rewrites the shared message with the
 * summary in the same turn. The Playground shows whichever of the two reaches the page last (it has
 * no user-specific views to settle it), so the driver waits for both, looks at what the card shows,
 * and, when the summary won, presses its button again, as a person would.
 */
export class ChannelPost {
  /** The last button pressed whose outcome has not been looked at yet. */
  private pressed: string | null = null;

  constructor(
    private readonly playground: PlaygroundPage,
    /** The post (the user's message and its thread). */
    readonly locator: Locator,
    /** The thread's conversation id (`<channel>;messageid=<post>`). */
    readonly conversationId: string,
  ) {}

  /** The Adaptive Cards in this post's thread. */
  get cards(): Locator {
    return this.locator.locator(CARD);
  }

  /** The thread's card showing `text`. */
  card(text: string | RegExp): Locator {
    return this.cards.filter({ hasText: text });
  }

  /**
   * The card the bot first posted in this thread, as the Playground relayed it: what is sent to
   * every member of the channel (before anyone's own view replaces it on their screen).
   */
  async postedCard(): Promise<Record<string, unknown>> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const frame = this.playground.framesWhere((f) => f.action === 'createMessage' && f.conversationId === this.conversationId && !!f.card)[0];
      if (frame?.card) return frame.card;
      if (Date.now() > deadline) throw new Error(`no card was posted in thread ${this.conversationId} within ${WAIT_MS / 1000} s`);
      await this.playground.page.waitForTimeout(100);
    }
  }

  /** Presses a button of the thread's card (see `PlaygroundPage.press`). */
  async press(card: Locator, title: string): Promise<void> {
    await this.playground.press(card, title);
    this.pressed = title;
  }

  /**
   * Waits until the conversation settled and the thread's card shows `goal`, and returns that card.
   * While it shows one of `detours` instead (a summary), presses that summary's button — at most
   * `maxPresses` times. The reply must be a single card throughout (updated in place).
   */
  async reach(goal: string | RegExp, detours: { shows: string | RegExp; press: string }[] = [], maxPresses = 3): Promise<Locator> {
    const states = [goal, ...detours.map((d) => d.shows)];
    const source = (s: string | RegExp) => (typeof s === 'string' ? s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : s.source);
    const any = new RegExp(states.map(source).join('|'), 'i');
    for (let presses = 0; ;) {
      await this.playground.settle();
      await this.card(any)
        .first()
        .waitFor({ timeout: WAIT_MS })
        .catch(async () => {
          const now = await this.cards.allInnerTexts();
          throw new Error(
            `within ${WAIT_MS / 1000} s the thread's card showed neither ${states.map(String).join(' nor ')}: ${now.length ? now.map((x) => oneLine(x)).join(' / ') : 'no card at all'}`,
          );
        });
      // The card may have just arrived: look again once nothing is moving any more.
      await this.playground.settle();
      const count = await this.cards.count();
      if (count !== 1) throw new Error(`expected the bot's reply in this thread to be one card updated in place, found ${count}`);
      const text = await this.cards.first().innerText();
      const after = this.pressed;
      this.pressed = null;
      // A summary can repeat the title of the view it stands for ("Start migration?"): it is told
      // apart by its own words, so those are looked at first.
      const detour = detours.find((d) => shows(text, d.shows));
      if (!detour && shows(text, goal)) return detours.reduce((card, d) => card.filter({ hasNotText: d.shows }), this.card(goal));
      if (!detour) throw new Error(`the card shows neither ${states.map(String).join(' nor ')}: ${oneLine(text)}`);
      if (after)
        this.playground.note(
          `after "${after}" the card shows "${oneLine(text, 70)}": the bot's update of the shared message reached the page after the answer to the press`,
        );
      if (presses >= maxPresses) throw new Error(`after ${presses} presses of "${detour.press}" the card still shows: ${oneLine(text)}`);
      presses++;
      await this.press(this.card(detour.shows), detour.press);
    }
  }
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { REPO_ROOT } from './dev-process';

/** Where the step-by-step screenshots go (linked from the README). */
// Written to a git-ignored folder on every run; `SCREENSHOT_DIR=docs/screenshots npm test` refreshes the README's copies.
export const SCREENSHOT_DIR = path.resolve(REPO_ROOT, process.env.SCREENSHOT_DIR ?? path.join('test-results', 'screenshots'));

const CARD = '.ac-adaptiveCard';
const EDITOR = '[data-lexical-editor="true"]';
const WAIT_MS = 30_000;

/**
 * Drives the Microsoft 365 Agents Playground page the way a person does: pick a chat in the list,
 * type into the composer, fill the Adaptive Card the bot sent, press its buttons. Only what is on
 * screen is used (roles, labels, visible text), never the Playground's internal APIs.
 */
export class PlaygroundPage {
  private constructor(readonly page: Page) {}

  /**
   * Opens the Playground in a new browser context whose clock is in `timeZone`, and waits until
   * its composer is on screen. Internet requests (fonts on Microsoft's CDN) are refused at once,
   * since there is no internet here and DNS lookups would otherwise stall the page.
   */
  static async open(browser: Browser, url: string, timeZone: string): Promise<PlaygroundPage> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: timeZone, locale: 'en-US' });
    const page = await context.newPage();
    await page.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => route.abort());
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator(EDITOR).first().waitFor({ timeout: 60_000 });
    return new PlaygroundPage(page);
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
   * picking the bot from its suggestion menu.
   */
  async postInChannelMentioning(botName: string, text: string, screenshot?: string): Promise<void> {
    const editor = this.page.locator(EDITOR).first();
    await editor.click();
    await editor.pressSequentially(`@${botName.slice(0, 3)}`);
    await this.page.getByRole('menuitem', { name: botName }).click();
    await editor.pressSequentially(` ${text}`);
    if (screenshot) await this.screenshot(screenshot);
    await this.page.getByRole('button', { name: 'Post', exact: true }).click();
  }

  /**
   * Waits until a card showing `text` is on screen and returns it. The locator stays on that card
   * while the bot replaces it in place, as long as the card keeps showing `text`.
   */
  async card(text: string | RegExp): Promise<Locator> {
    const card = this.page.locator(CARD).filter({ hasText: text }).last();
    await card.waitFor({ timeout: WAIT_MS });
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

  /** Presses a button of a card (an `Action.Execute`). */
  async press(card: Locator, title: string): Promise<void> {
    await card.getByRole('button', { name: title, exact: true }).click();
  }

  /**
   * Saves a screenshot as `docs/screenshots/<name>.png`: the chat list and the conversation, without
   * the Log Panel on the right (wire details that only make the picture bigger). With `focus`, that
   * card is scrolled fully into view first.
   */
  async screenshot(name: string, focus?: Locator): Promise<void> {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    // Bring the whole card into view, bottom first: its buttons are what the step is about.
    if (focus) await focus.evaluate((el) => (el as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'end' }));
    const { width, height } = this.page.viewportSize() ?? { width: 1280, height: 860 };
    const panel = await this.page.getByText('Log Panel', { exact: true }).boundingBox();
    const right = panel && panel.x > width / 2 ? Math.floor(panel.x) - 16 : width;
    await this.page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), clip: { x: 0, y: 0, width: right, height } });
  }

  /** Closes the page and its browser context (the browser stays open). */
  async close(): Promise<void> {
    await this.page.context().close();
  }
}

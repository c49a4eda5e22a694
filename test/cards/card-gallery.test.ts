import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../playground/browser';
import { gallerySamples } from './gallery-samples';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TEMPLATE_DIR = path.join(ROOT, 'src', 'cards', 'templates');
const GALLERY_DIR = path.join(ROOT, 'docs', 'cards');
const ADAPTIVECARDS_DIST = path.join(path.dirname(require.resolve('adaptivecards/package.json')), 'dist');
const ADAPTIVECARDS_VERSION = (JSON.parse(fs.readFileSync(path.join(ADAPTIVECARDS_DIST, '..', 'package.json'), 'utf8')) as { version: string }).version;

/** A problem the official library reported, by phase (parse or validation). */
interface CardEvent {
  phase: string;
  event: string;
  message: string;
}

interface RenderResult {
  parseEvents: CardEvent[];
  validation: CardEvent[];
  rendered: boolean;
  text: string;
}

/**
 * Runs in the page, next to the `adaptivecards` bundle: parses a card with a SerializationContext
 * (collecting parse events), validates it (`validateProperties`), renders it with the library's
 * own HTML renderer into #card, and reports all three. Markdown gets the CommonMark subset Teams
 * renders in a TextBlock (bold, italic, links, lists; a single newline is only a soft break), since
 * the library leaves markdown to its host.
 */
const PAGE_SCRIPT = `
(function () {
  var AC = window.AdaptiveCards;
  function escapeHtml(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }
  // CommonMark backslash escapes (what the bot's escapeMarkdown writes) show the character itself.
  function inline(s) {
    var escaped = [];
    var held = s.replace(/\\\\([!-\\/:-@\\[-\\x60{-~])/g, function (_m, c) { escaped.push(c); return '\\u0001' + (escaped.length - 1) + '\\u0001'; });
    return escapeHtml(held)
      .replace(/\\*\\*(.+?)\\*\\*/g, '<strong>$1</strong>')
      .replace(/(^|[\\s(])_(.+?)_(?=[\\s).,;:!?]|$)/g, '$1<em>$2</em>')
      .replace(/\\[([^\\]]+)\\]\\((https?:[^)\\s]+)\\)/g, '<a href="$2">$1</a>')
      .replace(/\\u0001(\\d+)\\u0001/g, function (_m, i) { return escapeHtml(escaped[Number(i)]); });
  }
  function markdown(text) {
    return text.split(/\\n{2,}/).map(function (block) {
      var lines = block.split('\\n');
      if (lines.every(function (l) { return /^\\s*[-*] /.test(l); })) {
        return '<ul>' + lines.map(function (l) { return '<li>' + inline(l.replace(/^\\s*[-*] /, '')) + '</li>'; }).join('') + '</ul>';
      }
      if (lines.every(function (l) { return /^\\s*\\d+\\. /.test(l); })) {
        return '<ol start="' + parseInt(lines[0], 10) + '">' + lines.map(function (l) { return '<li>' + inline(l.replace(/^\\s*\\d+\\. /, '')) + '</li>'; }).join('') + '</ol>';
      }
      return '<p>' + inline(block) + '</p>';
    }).join('');
  }
  AC.AdaptiveCard.onProcessMarkdown = function (text, result) {
    result.outputHtml = markdown(text);
    result.didProcess = true;
  };
  function events(list) {
    return list.map(function (e) {
      return { phase: AC.ValidationPhase[e.phase], event: AC.ValidationEvent[e.event], message: e.message };
    });
  }
  window.renderGalleryCard = function (json) {
    var card = new AC.AdaptiveCard();
    var context = new AC.SerializationContext();
    card.parse(json, context);
    var parsed = [];
    for (var i = 0; i < context.eventCount; i++) parsed.push(context.getEventAt(i));
    var validation = card.validateProperties().validationEvents;
    var host = document.getElementById('card');
    host.innerHTML = '';
    var element = card.render();
    if (element) host.appendChild(element);
    return { parseEvents: events(parsed), validation: events(validation), rendered: !!element, text: host.innerText };
  };
})();
`;

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><style>
  body { margin: 0; padding: 12px; background: #f0f0f0; }
  #card { width: 480px; background: #ffffff; border: 1px solid #e1dfdd; border-radius: 6px; overflow: hidden; }
  #card p, #card ul, #card ol { margin: 0; }
  #card ul, #card ol { padding-left: 20px; box-sizing: border-box; }
</style></head><body><div id="card"></div></body></html>`;

/** Every `${...}` left in a card: data the template expected but the sample did not give. */
function unexpanded(card: unknown): string[] {
  return [...JSON.stringify(card).matchAll(/\$\{[^}]*\}/g)].map((m) => m[0]);
}

describe('card gallery: every card the bot sends passes the official Adaptive Cards library and is rendered to docs/cards/', function () {
  this.timeout(120_000);
  let browser: Browser;
  let page: Page;
  const results = new Map<string, RenderResult>();

  before(async function () {
    this.timeout(60_000);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 504, height: 600 }, deviceScaleFactor: 1 });
    await page.setContent(PAGE_HTML);
    await page.addStyleTag({ path: path.join(ADAPTIVECARDS_DIST, 'adaptivecards.css') });
    await page.addScriptTag({ path: path.join(ADAPTIVECARDS_DIST, 'adaptivecards.min.js') });
    await page.addScriptTag({ content: PAGE_SCRIPT });
    fs.mkdirSync(GALLERY_DIR, { recursive: true });
  });

  after(async () => {
    await browser?.close();
  });

  it('has at least one realistic sample for every template in src/cards/templates/', () => {
    const templateNames = fs
      .readdirSync(TEMPLATE_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length));
    const covered = new Set<string>(gallerySamples.map((s) => s.template));
    assert.deepEqual(
      templateNames.filter((t) => !covered.has(t)),
      [],
      'templates without a gallery sample',
    );
    assert.deepEqual(
      gallerySamples.map((s) => s.template).filter((t) => !templateNames.includes(t)),
      [],
      'samples of templates that do not exist',
    );
    assert.equal(new Set(gallerySamples.map((s) => s.name)).size, gallerySamples.length, 'sample names are unique');
  });

  for (const sample of gallerySamples) {
    it(`${sample.name}: parses and validates with zero errors and renders (${sample.template}.json)`, async () => {
      const card = sample.card();
      assert.equal(card.type, 'AdaptiveCard');
      assert.equal(card.version, '1.5', 'Teams renders schema 1.5');
      assert.deepEqual(unexpanded(card), [], 'every template expression got its data');
      const result = await page.evaluate(
        (json) => (globalThis as unknown as { renderGalleryCard(j: unknown): RenderResult }).renderGalleryCard(json),
        card as unknown,
      );
      results.set(sample.name, result);
      // The picture is saved even when the library objects, so the problem can be seen.
      if (result.rendered) await page.locator('#card').screenshot({ path: path.join(GALLERY_DIR, `${sample.name}.png`) });
      assert.deepEqual(result.parseEvents, [], 'parse events from adaptivecards');
      assert.deepEqual(result.validation, [], 'validation errors from adaptivecards');
      assert.equal(result.rendered, true, 'the renderer produced HTML');
      assert.ok(result.text.trim().length > 0, 'the rendered card shows text');
    });
  }

  it('writes docs/cards/README.md listing every rendered card', () => {
    const byTemplate = new Map<string, typeof gallerySamples>();
    for (const s of gallerySamples) byTemplate.set(s.template, [...(byTemplate.get(s.template) ?? []), s]);
    const lines = [
      '# Card gallery',
      '',
      'Every Adaptive Card the bot sends, rendered from its template in [`src/cards/templates/`](../../src/cards/templates/) with',
      `realistic data by the official [\`adaptivecards\`](https://www.npmjs.com/package/adaptivecards) renderer (${ADAPTIVECARDS_VERSION}) in headless`,
      'Chromium, after the same library parsed and validated it with zero errors. Markdown is shown as Teams renders it in',
      'a TextBlock (bold, italic, links, lists; a single line break is a soft break). Teams and the Agents Playground style',
      'cards with their own theme, so colours and fonts differ slightly.',
      '',
      'Generated by `test/cards/card-gallery.test.ts` (part of `npm test`); edit the samples in',
      '`test/cards/gallery-samples.ts`, not this file.',
      '',
    ];
    for (const [template, samples] of byTemplate) {
      lines.push(`## \`${template}.json\``, '');
      for (const s of samples) {
        assert.ok(results.has(s.name) && fs.existsSync(path.join(GALLERY_DIR, `${s.name}.png`)), `${s.name}.png was rendered`);
        lines.push(`### ${s.name}`, '', s.shows, '', `![${s.name}](${s.name}.png)`, '');
      }
    }
    fs.writeFileSync(path.join(GALLERY_DIR, 'README.md'), lines.join('\n'));
    const written = fs.readFileSync(path.join(GALLERY_DIR, 'README.md'), 'utf8');
    for (const s of gallerySamples) assert.ok(written.includes(`(${s.name}.png)`));
  });
});

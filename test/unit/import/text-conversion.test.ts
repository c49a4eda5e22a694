import assert from 'node:assert/strict';
import fc from 'fast-check';
import { markdownToHtml } from '../../../src/domain/import/mattermost-markdown';
import { slackToHtml } from '../../../src/domain/import/slack-mrkdwn';
import type { RenderContext, RenderedText, TeamsIdentity } from '../../../src/domain/import/teams-message';

// A small world: Adele and Megan are mapped to tenant users, Lee is in the export but not mapped.
// Slack knows them by id (U01…), Mattermost by username; the fake answers both.
const ADELE: TeamsIdentity = { id: 'aad-adele', displayName: 'Adele Vance' };
const MEGAN: TeamsIdentity = { id: 'aad-megan', displayName: 'Megan Bowen' };

interface FakeUser {
  teams: TeamsIdentity | null;
  name: string;
}

function fakeContext(extraUsers: Record<string, FakeUser> = {}, extraEmoji: Record<string, string> = {}): RenderContext {
  const adele = { teams: ADELE, name: 'adele' };
  const megan = { teams: MEGAN, name: 'megan' };
  const lee = { teams: null, name: 'lee' };
  const users: Record<string, FakeUser> = { U01: adele, U02: megan, U03: lee, adele, megan, lee, ...extraUsers };
  const channels: Record<string, string> = { C01: 'general' };
  const emoji: Record<string, string> = { smile: '😄', '+1': '👍', '+1::skin-tone-3': '👍🏽', white_check_mark: '✅', ...extraEmoji };
  return {
    user: (key) => users[key] ?? null,
    channelName: (id) => channels[id] ?? null,
    emoji: (name) => emoji[name] ?? null,
  };
}

const ctx = fakeContext();
const slack = (text: string) => slackToHtml(text, ctx).html;
const md = (text: string) => markdownToHtml(text, ctx).html;
const mentionOf = (id: number, user: TeamsIdentity) => ({
  id,
  mentionText: user.displayName,
  mentioned: { user: { id: user.id, displayName: user.displayName, userIdentityType: 'aadUser' } },
});

describe('Slack mrkdwn becomes Teams HTML', () => {
  it('turns *bold*, _italic_, ~strike~ and `code` into <b>, <i>, <s> and <code>', () => {
    assert.equal(slack('*bold* _italic_ ~gone~ `npm test`'), '<b>bold</b> <i>italic</i> <s>gone</s> <code>npm test</code>');
  });

  it('nests formatting and lets it wrap links and mentions', () => {
    assert.equal(slack('*bold and _italic_*'), '<b>bold and <i>italic</i></b>');
    assert.equal(slack('*<@U02>* _<https://contoso.com|docs>_'), '<b><at id="0">Megan Bowen</at></b> <i><a href="https://contoso.com">docs</a></i>');
  });

  it('opens and closes markers only at word boundaries, as Slack does', () => {
    assert.equal(slack('snake_case_name and 2*3*4 stay literal'), 'snake_case_name and 2*3*4 stay literal');
    assert.equal(slack('a * b * c and _ spaced _'), 'a * b * c and _ spaced _');
    assert.equal(slack('_foo_bar_'), '<i>foo_bar</i>', 'an inner marker before a letter does not close');
    assert.equal(slack('(*yes*), "_quoted_"'), '(<b>yes</b>), &quot;<i>quoted</i>&quot;');
  });

  it('never lets a marker span a line break', () => {
    assert.equal(slack('*starts here\nends here*'), '*starts here<br>ends here*');
  });

  it('keeps code verbatim: no formatting, emoji or links inside, Slack markup read as its text', () => {
    assert.equal(slack('`*not bold* :smile: <@U02> &lt;tag&gt;`'), '<code>*not bold* :smile: @megan &lt;tag&gt;</code>');
  });

  it('turns a ```code block``` into <pre>, line breaks kept, the breaks next to the fences dropped', () => {
    assert.equal(slack('Try:\n```\nif (a < b) {\n  *x* = 1;\n}\n```\nThen run it.'), 'Try:<pre>if (a &lt; b) {\n  *x* = 1;\n}</pre>Then run it.');
    assert.equal(slack('inline ```a_b_c``` block'), 'inline <pre>a_b_c</pre> block');
  });

  it('groups consecutive > quote lines into one <blockquote> and >>> quotes the rest of the message', () => {
    assert.equal(
      slack('Megan wrote:\n&gt; first line\n&gt; *second* line\nI agree'),
      'Megan wrote:<blockquote>first line<br><b>second</b> line</blockquote>I agree',
    );
    assert.equal(slack('intro\n&gt;&gt;&gt; all\nof this'), 'intro<blockquote>all<br>of this</blockquote>');
    assert.equal(slack('a &gt; b is no quote'), 'a &gt; b is no quote');
  });

  it('turns line breaks into <br>', () => {
    assert.equal(slack('one\ntwo\n\nfour'), 'one<br>two<br><br>four');
  });

  it('turns <https://…> and <https://…|label> into links with an attribute-escaped href', () => {
    assert.equal(slack('<https://contoso.com>'), '<a href="https://contoso.com">https://contoso.com</a>');
    assert.equal(slack('<https://contoso.com/q?a=1&amp;b="2"|R&amp;D page>'), '<a href="https://contoso.com/q?a=1&amp;b=&quot;2&quot;">R&amp;D page</a>');
    assert.equal(slack('<mailto:megan@contoso.com|Megan>'), '<a href="mailto:megan@contoso.com">Megan</a>');
  });

  it('keeps a javascript: or other non-web URL as escaped text, never a link', () => {
    assert.equal(slack('<javascript:alert(1)|click me>'), '&lt;javascript:alert(1)|click me&gt;');
    assert.equal(slack('<file:///etc/passwd>'), '&lt;file:///etc/passwd&gt;');
  });

  it('turns <@U02|megan> of a mapped user into a Teams mention', () => {
    const out = slackToHtml('Thanks <@U02|megan>!', ctx);
    assert.equal(out.html, 'Thanks <at id="0">Megan Bowen</at>!');
    assert.deepEqual(out.mentions, [mentionOf(0, MEGAN)]);
  });

  it('numbers mentions in order of appearance, with one entry per mention of the same user', () => {
    const out = slackToHtml('<@U02> and <@U01>, then <@U02> again', ctx);
    assert.equal(out.html, '<at id="0">Megan Bowen</at> and <at id="1">Adele Vance</at>, then <at id="2">Megan Bowen</at> again');
    assert.deepEqual(out.mentions, [mentionOf(0, MEGAN), mentionOf(1, ADELE), mentionOf(2, MEGAN)]);
  });

  it('writes an unmapped or unknown user as @name text: the export’s name, else the label, else the id', () => {
    const out = slackToHtml('<@U03|lee> <@U77|ghost> <@U78>', ctx);
    assert.equal(out.html, '@lee @ghost @U78');
    assert.deepEqual(out.mentions, []);
  });

  it('writes <#C…> channels as #name: the label, else the channel’s name, else the id (an empty label counts as none)', () => {
    assert.equal(slack('<#C02|random> <#C01> <#C01|> <#C09>'), '#random #general #general #C09');
  });

  it('writes <!here>, <!channel>, <!everyone>, user groups and dates as text', () => {
    assert.equal(slack('<!here> <!channel> <!everyone|everyone>'), '@here @channel @everyone');
    assert.equal(slack('<!subteam^S123|@design>'), '@design');
    assert.equal(slack('<!date^1392734382^{date_short}|Feb 18, 2014>'), 'Feb 18, 2014');
    assert.equal(slack('<!unknown> <not a url>'), '&lt;!unknown&gt; &lt;not a url&gt;');
  });

  it('turns :shortcode: emoji into Unicode, skin tones included, and keeps unknown ones as :name:', () => {
    assert.equal(slack('Done :white_check_mark: :+1::skin-tone-3: :party_parrot:'), 'Done ✅ 👍🏽 :party_parrot:');
    assert.equal(slack(':+1::skin-tone-6:'), '👍', 'a tone the table lacks falls back to the plain emoji');
    assert.equal(slack('at 10:30:smile:'), 'at 10:30😄');
  });

  it('keeps Slack’s escapes escaped, and escapes raw <, >, & and " from the source', () => {
    assert.equal(slack('if a &lt; b &amp;&amp; c &gt; d'), 'if a &lt; b &amp;&amp; c &gt; d');
    assert.equal(slack('&amp;lt; is how you write &lt;'), '&amp;lt; is how you write &lt;');
    assert.equal(slack('AT&T says "hi" & more'), 'AT&amp;T says &quot;hi&quot; &amp; more');
  });

  it('escapes names from the directory too', () => {
    const hostile = fakeContext({ U66: { teams: { id: 'aad-x', displayName: 'Eve <b>"&"</b>' }, name: 'eve' } });
    const out = slackToHtml('<@U66>', hostile);
    assert.equal(out.html, '<at id="0">Eve &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;</at>');
    assert.equal(out.mentions[0].mentionText, 'Eve <b>"&"</b>');
  });
});

describe('Mattermost markdown becomes Teams HTML', () => {
  it('turns **bold**, __bold__, *italic*, _italic_ and ~~strike~~ into <b>, <i> and <s>', () => {
    assert.equal(md('**a** __b__ *c* _d_ ~~e~~'), '<b>a</b> <b>b</b> <i>c</i> <i>d</i> <s>e</s>');
    assert.equal(md('***both***'), '<i><b>both</b></i>');
    assert.equal(md('**bold *and italic* bold**'), '<b>bold <i>and italic</i> bold</b>');
  });

  it('follows CommonMark for markers inside words: snake_case_name stays, 2*3*4 is emphasis', () => {
    assert.equal(md('snake_case_name'), 'snake_case_name');
    assert.equal(md('2*3*4'), '2<i>3</i>4');
    assert.equal(md('a * b * c'), 'a * b * c');
  });

  it('keeps ~channel-name and single tildes as text', () => {
    assert.equal(md('see ~town-square and ~x~'), 'see ~town-square and ~x~');
  });

  it('turns code spans and fenced blocks into <code> and <pre>, contents verbatim', () => {
    assert.equal(md('run `npm *test*` or ``a `tick` b``'), 'run <code>npm *test*</code> or <code>a `tick` b</code>');
    assert.equal(md('```ts\nconst a = "<b>" && **x**;\n```\nafter'), '<pre>const a = &quot;&lt;b&gt;&quot; &amp;&amp; **x**;</pre>after');
    assert.equal(md('~~~\nplain\n~~~'), '<pre>plain</pre>');
    assert.equal(md('```\nnever closed'), '<pre>never closed</pre>');
  });

  it('turns > quote lines into a <blockquote>, nested quotes and code blocks included', () => {
    assert.equal(md('> first\n> **second**\nreply'), '<blockquote>first<br><b>second</b></blockquote>reply');
    assert.equal(md('> outer\n> > inner'), '<blockquote>outer<blockquote>inner</blockquote></blockquote>');
    assert.equal(md('> ```\n> code\n> ```'), '<blockquote><pre>code</pre></blockquote>');
  });

  it('turns [label](url) into a link, with a title or parentheses in the URL', () => {
    assert.equal(md('[the docs](https://contoso.com/a_(b) "Title")'), '<a href="https://contoso.com/a_(b)">the docs</a>');
    assert.equal(md('[**bold** label](<https://contoso.com/a>)'), '<a href="https://contoso.com/a"><b>bold</b> label</a>');
    assert.equal(md('[mail](mailto:a@contoso.com)'), '<a href="mailto:a@contoso.com">mail</a>');
  });

  it('keeps [label](javascript:…) and relative links as text', () => {
    assert.equal(md('[click](javascript:alert(1))'), '[click](javascript:alert(1))');
    assert.equal(md('[home](/team/channels)'), '[home](/team/channels)');
  });

  it('turns an image into a link to it (the image itself is not carried over)', () => {
    assert.equal(
      md('![chart](https://contoso.com/c.png) ![](https://contoso.com/d.png)'),
      '<a href="https://contoso.com/c.png">chart</a> <a href="https://contoso.com/d.png">https://contoso.com/d.png</a>',
    );
  });

  it('turns bare http(s) URLs and <https://…> into links, leaving the sentence’s punctuation outside', () => {
    assert.equal(
      md('See https://contoso.com/a_b. Or (https://contoso.com/x)!'),
      'See <a href="https://contoso.com/a_b">https://contoso.com/a_b</a>. Or (<a href="https://contoso.com/x">https://contoso.com/x</a>)!',
    );
    assert.equal(md('<https://contoso.com> <javascript:alert(1)>'), '<a href="https://contoso.com">https://contoso.com</a> &lt;javascript:alert(1)&gt;');
  });

  it('turns @megan of a mapped user into a Teams mention, whatever the case and trailing period', () => {
    const out = markdownToHtml('Ask @megan or @Adele. Then @megan again', ctx);
    assert.equal(out.html, 'Ask <at id="0">Megan Bowen</at> or <at id="1">Adele Vance</at>. Then <at id="2">Megan Bowen</at> again');
    assert.deepEqual(out.mentions, [mentionOf(0, MEGAN), mentionOf(1, ADELE), mentionOf(2, MEGAN)]);
  });

  it('keeps unmapped users, unknown names, broadcasts and e-mail addresses as text', () => {
    const out = markdownToHtml('@lee @nobody @here @channel @all megan@contoso.com', ctx);
    assert.equal(out.html, '@lee @nobody @here @channel @all megan@contoso.com');
    assert.deepEqual(out.mentions, []);
  });

  it('turns :emoji: into Unicode and keeps unknown ones as text', () => {
    assert.equal(md(':smile: :+1: :custom_emoji:'), '😄 👍 :custom_emoji:');
    assert.equal(md('`:smile:`'), '<code>:smile:</code>');
  });

  it('turns line breaks into <br>, blank lines included', () => {
    assert.equal(md('one\ntwo\n\nfour'), 'one<br>two<br><br>four');
    assert.equal(md('**across\nlines**'), '<b>across<br>lines</b>');
  });

  it('escapes raw HTML instead of passing it through', () => {
    assert.equal(md('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;');
    assert.equal(md('<a href="javascript:x">y</a> & "q"'), '&lt;a href=&quot;javascript:x&quot;&gt;y&lt;/a&gt; &amp; &quot;q&quot;');
    assert.equal(md('&lt;b&gt; &#60;i&#x3e;'), '&lt;b&gt; &lt;i&gt;', 'entities read as characters, escaped again');
  });

  it('honours backslash escapes', () => {
    assert.equal(md('\\*not italic\\* and \\_not\\_ either'), '*not italic* and _not_ either');
  });

  it('puts no mention or link inside a link label', () => {
    assert.equal(md('[@megan](https://contoso.com)'), '<a href="https://contoso.com">@megan</a>');
    assert.deepEqual(markdownToHtml('[@megan](https://contoso.com)', ctx).mentions, []);
  });
});

// ---------------------------------------------------------------------------------------------
// The security property: whatever the input, the output holds only the converters' own tags.

const ALLOWED_TAG = /^(b|i|s|code|pre|blockquote|p)$/;
const SAFE_URL = /^(?:https?:\/\/|mailto:)/i;
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot);/g, (_e, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"' })[name] ?? '');

/**
 * Reads the HTML token by token: every tag is one the converters emit (with a safe href and numeric
 * mention ids), tags nest properly, text holds no raw `>` or `"` and no `&` but our four entities, and the
 * mentions array matches the `<at>` tags one to one, in order, with their text.
 */
function assertSafe(out: RenderedText, input: string): void {
  const context = `${JSON.stringify(input)} → ${out.html}`;
  const stack: string[] = [];
  const atTexts: string[] = [];
  let atText: string | null = null;
  let atCount = 0;
  const token = /<([^<>]*)>|([^<]+)/y;
  while (token.lastIndex < out.html.length) {
    const m = token.exec(out.html);
    assert.ok(m, `a stray < in ${context}`);
    if (m[2] !== undefined) {
      assert.doesNotMatch(m[2], /[>"]|&(?!(?:amp|lt|gt|quot);)/, context);
      if (atText !== null) atText += unescape(m[2]);
      continue;
    }
    const tag = m[1];
    const href = /^a href="([^"]*)"$/.exec(tag);
    const at = /^at id="(\d+)"$/.exec(tag);
    const close = /^\/([a-z]+)$/.exec(tag);
    if (ALLOWED_TAG.test(tag)) stack.push(tag);
    else if (tag === 'br') continue;
    else if (href) {
      assert.match(unescape(href[1]), SAFE_URL, context);
      stack.push('a');
    } else if (at) {
      assert.equal(Number(at[1]), atCount++, `mention ids count up from 0 in ${context}`);
      atText = '';
      stack.push('at');
    } else if (close) {
      assert.equal(stack.pop(), close[1], `tags nest in ${context}`);
      if (close[1] === 'at') atTexts.push(atText ?? '');
      if (close[1] === 'at') atText = null;
    } else assert.fail(`unexpected tag <${tag}> in ${context}`);
  }
  assert.deepEqual(stack, [], `every tag is closed in ${context}`);
  assert.deepEqual(
    out.mentions.map((x) => x.id),
    atTexts.map((_t, i) => i),
    context,
  );
  assert.deepEqual(
    out.mentions.map((x) => x.mentionText),
    atTexts,
    context,
  );
}

// A context whose data is hostile too: a display name, a channel name and an emoji holding markup.
const hostileCtx = fakeContext(
  {
    U66: { teams: { id: 'aad-eve', displayName: 'Eve <img src=x onerror=alert(1)> "&"' }, name: 'eve"<b>' },
    eve: { teams: { id: 'aad-eve', displayName: '<at id="9">' }, name: 'eve' },
  },
  { evil: '<script>"</script>' },
);

// Pieces the generators glue together (besides arbitrary strings): markers, escapes, markup of every kind,
// mapped, unmapped and hostile users, unsafe URLs and raw HTML. Written space-separated, `·` for a space inside a piece.
const unDot = (piece: string) => piece.replace(/·/g, ' ');
const SLACK_PIECES = [
  ' ',
  '\n',
  ...`* _ ~ \` \`\`\` &gt; &lt; &amp; & < > | " : a snake_case :smile: :+1::skin-tone-3: :evil: <@U01> <@U02|megan> <@U03> <@U66>
    <@U99|x"> <#C01|> <#C9|<b>> <!here> <!subteam^S1|@g> <!date^1|d"> <https://x.com/?a=1&amp;b=2|l> <https://x"onmouseover="alert(1)>
    <javascript:alert(1)|x> <JAVASCRIPT:alert(1)> <mailto:a@b.c|a> <data:text/html,<script>> <script> <a·href="javascript:x"> </at> <at·id="0">`
    .split(/\s+/)
    .map(unDot),
];
const MARKDOWN_PIECES = [
  ' ',
  '\n',
  '> ',
  ...`* ** _ __ ~~ ~ \` \`\` \`\`\` [ ] ( ) ![ ](https://x.com/a_(b)) ](javascript:alert(1)) ](<https://x>) ](https://x·"t") https://x.com/y
    javascript:x <https://x> <javascript:x> <mailto:a@b> @megan @eve @lee @here :smile: :evil: &lt; &#60; &#x3e; & " \\ <script>
    <a·href="x"> </at> <at·id="0"> word a_b`
    .split(/\s+/)
    .map(unDot),
];
const fromPieces = (pieces: string[]) => fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 5 })), { maxLength: 25 }).map((p) => p.join(''));
const anyText = (pieces: string[]) => fc.oneof(fromPieces(pieces), fc.string({ unit: 'binary', maxLength: 60 }));

describe('no source text ever becomes a tag (property-based)', () => {
  it('Slack: arbitrary text yields only b, i, s, code, pre, blockquote, br, web/mail links and matching mentions', () => {
    fc.assert(
      fc.property(anyText(SLACK_PIECES), (text) => {
        assertSafe(slackToHtml(text, hostileCtx), text);
        assertSafe(slackToHtml(text, ctx), text);
      }),
      { numRuns: 3000 },
    );
  });

  it('Mattermost: arbitrary text yields only b, i, s, code, pre, blockquote, br, web/mail links and matching mentions', () => {
    fc.assert(
      fc.property(anyText(MARKDOWN_PIECES), (text) => {
        assertSafe(markdownToHtml(text, hostileCtx), text);
        assertSafe(markdownToHtml(text, ctx), text);
      }),
      { numRuns: 3000 },
    );
  });

  it('the checker itself rejects what it should', () => {
    const fails = (html: string, mentions: RenderedText['mentions'] = []) => assert.throws(() => assertSafe({ html, mentions }, 'probe'));
    fails('<img src=x>');
    fails('<a href="javascript:alert(1)">x</a>');
    fails('<b>unclosed');
    fails('a " quote');
    fails('<at id="0">X</at>');
    fails('a < b');
    assertSafe({ html: '<b>x</b><br><a href="https://x">y</a>', mentions: [] }, 'probe');
  });
});

describe('hostile input stays fast and within bounds', () => {
  const cases: Record<string, string> = {
    markers: '*_~'.repeat(15000),
    'nested emphasis': '*_'.repeat(10000) + 'x' + '_*'.repeat(10000),
    brackets: '['.repeat(20000) + ']('.repeat(10000),
    quotes: '>'.repeat(20000) + ' x',
    'backtick runs': Array.from({ length: 300 }, (_v, i) => '`'.repeat(i + 1)).join(' '),
    parentheses: '[](a' + '()'.repeat(20000),
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`converts ${text.length.toLocaleString('en')} characters of ${name} in well under a second, both ways`, () => {
      const started = Date.now();
      assertSafe(slackToHtml(text, ctx), name);
      assertSafe(markdownToHtml(text, ctx), name);
      assert.ok(Date.now() - started < 1500, `${name} took ${Date.now() - started} ms`);
    });
  }
});

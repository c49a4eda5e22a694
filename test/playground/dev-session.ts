import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';
import type { DevProcess } from './dev-process';
import { freePorts, startDevProcess } from './dev-process';
import { PlaygroundPage } from './playground-ui';

/** `npm run dev` and a headless browser on its Playground, for one suite. */
export interface PlaygroundSession {
  dev: DevProcess;
  browser: Browser;
  playground: PlaygroundPage;
  dataDir: string;
}

/**
 * Registers, in the calling suite, the hooks every Playground suite needs: `npm run dev` on free
 * ports with its own data folder (and `env`), Chromium on its Playground in `zone`; on a failed step,
 * what the page showed and the last lines the stack logged, in the failure; at the end, the stack
 * stopped (SIGTERM, then SIGKILL) and the folder removed. The session's fields are set once the
 * suite's first `before` has run.
 */
export function usePlaygroundSession(options: {
  dataDirPrefix: string;
  zone: string;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}): PlaygroundSession {
  const session = {} as PlaygroundSession;

  before(async function () {
    this.timeout(150_000);
    session.dataDir = mkdtempSync(path.join(tmpdir(), options.dataDirPrefix));
    const [botPort, playgroundPort] = await freePorts(2);
    session.dev = await startDevProcess(
      ['--port', String(botPort), '--playground-port', String(playgroundPort), '--data-dir', session.dataDir, '--time-zone', options.zone],
      options.startTimeoutMs,
      options.env,
    );
    session.browser = await launchChromium();
    session.playground = await PlaygroundPage.open(session.browser, session.dev.playgroundUrl, options.zone);
  });

  // A failing step says what the page showed and what the bot last logged.
  afterEach(async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed' || !test.err) return;
    this.timeout(30_000);
    const err = test.err;
    const parts: string[] = [];
    const { playground, dev } = session;
    if (playground) parts.push(await playground.diagnostics(`playground-${test.title}`).catch((e: Error) => `(no page diagnostics: ${e.message})`));
    if (dev)
      parts.push(
        `last lines of npm run dev (bot, Playground, emulator):\n${dev.output
          .slice(-30)
          .map((l) => `  ${l}`)
          .join('\n')}`,
      );
    const message = `${err.message}\n\n${parts.join('\n')}`;
    if (err.stack?.includes(err.message)) err.stack = err.stack.replace(err.message, message);
    err.message = message;
  });

  after(async function () {
    this.timeout(30_000);
    const { browser, dev, dataDir } = session;
    await browser?.close();
    if (dev && dev.child.exitCode === null && dev.child.signalCode === null) {
      dev.child.kill('SIGTERM');
      const timeout = new Promise((r) => setTimeout(r, 15_000).unref());
      await Promise.race([dev.exited, timeout]);
      if (dev.child.exitCode === null && dev.child.signalCode === null) dev.child.kill('SIGKILL');
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  return session;
}

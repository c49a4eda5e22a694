import type { Client } from '@microsoft/microsoft-graph-client';
import type { LoggedRequest } from '../emulator/index';

/** One Graph request as the bot made it: method, URL relative to the version root, JSON body. */
export interface GraphCall {
  method: 'GET' | 'POST';
  /** e.g. `/teams?$filter=...` — the path and query exactly as the emulator received them, version prefix removed */
  url: string;
  body?: unknown;
}

/** Graph requests in an emulator log, as calls a second client can replay (token requests are not Graph calls). */
export function graphCallsOf(log: LoggedRequest[]): GraphCall[] {
  return log
    .filter((r) => r.service === 'graph')
    .map((r) => {
      const url = r.rawUrl.replace(/^\/(v1\.0|beta)(?=\/)/, '');
      const method = r.method === 'POST' ? 'POST' : 'GET';
      return method === 'POST' ? { method, url, body: r.body ?? undefined } : { method, url };
    });
}

/** `METHOD url` of each call, to check that two clients made the same requests. */
export function signatures(calls: GraphCall[]): string[] {
  return calls.map((c) => `${c.method} ${c.url}`);
}

/**
 * Makes `calls` one after another with graph-client, as the bot's flows do (each of its Graph
 * calls waits for the previous answer). Throws on the first failure: the floor must make the
 * same successful calls as the bot, or its figure means nothing.
 */
export async function replay(client: Client, calls: GraphCall[]): Promise<void> {
  for (const call of calls) {
    const request = client.api(call.url);
    if (call.method === 'GET') await request.get();
    else await request.post(call.body === undefined ? '' : call.body);
  }
}

/**
 * Rewrites a recorded script for another target: every occurrence of each `from` string (raw and
 * URL-encoded, as ids and names appear in paths and `$filter`s) becomes the matching `to`.
 * The concurrency run records one admin's calls and replays them for two hundred.
 */
export function retarget(calls: GraphCall[], replacements: [from: string, to: string][]): GraphCall[] {
  const pairs: [string, string][] = [];
  for (const [from, to] of replacements) {
    pairs.push([encodeURIComponent(from), encodeURIComponent(to)]);
    pairs.push([encodeURIComponent(from).replace(/'/g, '%27'), encodeURIComponent(to).replace(/'/g, '%27')]);
    pairs.push([from, to]);
  }
  const swap = (s: string) => pairs.reduce((acc, [f, t]) => acc.split(f).join(t), s);
  return calls.map((c) => ({ ...c, url: swap(c.url), body: c.body === undefined ? undefined : (JSON.parse(swap(JSON.stringify(c.body))) as unknown) }));
}

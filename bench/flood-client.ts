/**
 * The flooding user of bench/flood.ts, in a child process: a flood comes from outside the bot, so
 * building and sending hundreds of requests a second must not run on the bot's event loop (the
 * rest of the benchmark shares one process with the emulator). The parent sends `start` with the
 * bot's URL and one activity, then `stop`; the child answers with what it sent and what came back.
 */

export interface FloodStart {
  kind: 'start';
  url: string;
  activity: Record<string, unknown>;
  perSecond: number;
  concurrency: number;
}

export interface FloodTally {
  kind: 'tally';
  sent: number;
  seconds: number;
  /** HTTP status → count */
  statuses: Record<string, number>;
  errors: string[];
}

let stopping = false;

async function run(start: FloodStart): Promise<FloodTally> {
  const tally: FloodTally = { kind: 'tally', sent: 0, seconds: 0, statuses: {}, errors: [] };
  const began = performance.now();
  const pending = new Set<Promise<void>>();
  const base = Date.now() * 1000;
  while (!stopping) {
    const due = Math.floor(((performance.now() - began) / 1000) * start.perSecond);
    while (tally.sent < due && pending.size < start.concurrency) {
      // Each activity its own id, as Teams sends them.
      const body = JSON.stringify({ ...start.activity, id: String(base + tally.sent), timestamp: new Date().toISOString() });
      tally.sent++;
      const p: Promise<void> = fetch(start.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(60_000) })
        .then(async (res) => {
          await res.arrayBuffer();
          tally.statuses[res.status] = (tally.statuses[res.status] ?? 0) + 1;
        })
        .catch((err: Error) => void (tally.errors.length < 10 && tally.errors.push(err.message)))
        .finally(() => pending.delete(p));
      pending.add(p);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all([...pending]);
  tally.seconds = (performance.now() - began) / 1000;
  return tally;
}

process.on('message', (m: FloodStart | { kind: 'stop' }) => {
  if (m.kind === 'stop') stopping = true;
  else {
    stopping = false;
    void run(m).then((t) => process.send!(t));
  }
});

import assert from 'node:assert/strict';
import { LiveProgress } from '../../../src/features/import-flow/live-progress';
import { progressView } from '../../../src/features/import-flow/progress-views';
import { importJob, importTargets } from '../../store/fixtures';

describe('the import progress card', () => {
  it('counts settled messages per channel, their rate over the last half minute, and the time left', () => {
    let now = 1_000_000;
    const job = importJob({ state: 'running' });
    const [target] = importTargets(job, 1).map((t) => ({ ...t, planned: 100 }));
    const live = new LiveProgress([target], () => now);
    for (let i = 0; i < 20; i++) {
      live.add(target, { messages: 1 });
      live.add(target, { skipped: 1 }); // settled at once: counted, but not in the rate
      now += 200; // 5 sent a second
    }
    assert.equal(Math.round(live.rate(target.targetKey)), 5);
    const view = progressView({ job, targets: live.list(), rate: (k) => live.rate(k), timeZone: null });
    const facts = Object.fromEntries(view.facts.map((f) => [f.title, f.value]));
    assert.equal(facts.Progress, '40 of 100 messages settled');
    assert.equal(facts['Time left'], 'about 12 s');
    assert.deepEqual(
      view.actions.map((a) => a.title),
      ['Pause', 'Cancel import'],
    );
    now += 31_000;
    assert.equal(live.rate(target.targetKey), 0, 'an idle channel has no rate');
  });

  it('offers Resume on a paused job, and Complete per open channel and Complete all on a finished one', () => {
    const paused = importJob({ state: 'paused' });
    const targets = importTargets(paused, 2).map((t) => ({ ...t, state: 'imported' as const, startedByJob: true }));
    assert.deepEqual(
      progressView({ job: paused, targets, rate: () => 0, timeZone: null }).actions.map((a) => a.verb),
      ['importResume', 'importCancel'],
    );
    const done = { ...paused, state: 'done' as const };
    const view = progressView({
      job: done,
      targets,
      rate: () => 0,
      timeZone: null,
      details: { skippedReasons: { 'channel event (channel_join)': 3 }, failed: [] },
    });
    assert.deepEqual(
      view.actions.map((a) => a.verb),
      ['importCompleteAll'],
    );
    assert.deepEqual(
      view.rows.map((r) => r.buttons.map((b) => `${b.verb} ${b.data.target}`)),
      targets.map((t) => [`completeAsk ${t.targetKey}`]),
      'each channel has its own Complete button under its line',
    );
    assert.ok(view.facts.some((f) => f.value === 'channel event (channel_join): 3'));
  });
});

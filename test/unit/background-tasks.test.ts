import assert from 'node:assert/strict';
import { BackgroundTasks, type BackgroundTask } from '../../src/features/background/background-task';
import type { Logger } from '../../src/log/logger';

/** A logger that keeps what was logged as an error. */
function errorLog() {
  const errors: { task: unknown; message: string }[] = [];
  const logger = { error: (obj: { task?: unknown }, message: string) => void errors.push({ task: obj.task, message }) } as unknown as Logger;
  return { errors, logger };
}

/** A task that records its start and stop in `calls`, and fails where told to. */
function task(name: string, calls: string[], fails: { start?: boolean; stop?: boolean } = {}): BackgroundTask {
  return {
    name,
    start: () => {
      calls.push(`start ${name}`);
      if (fails.start) throw new Error(`${name} cannot start`);
    },
    stop: async () => {
      calls.push(`stop ${name}`);
      if (fails.stop) throw new Error(`${name} cannot stop`);
    },
  };
}

describe('background tasks run behind one start/stop lifecycle', () => {
  it('starts the tasks in order and stops them in reverse order', async () => {
    const calls: string[] = [];
    const { errors, logger } = errorLog();
    const background = new BackgroundTasks([task('a', calls), task('b', calls), task('c', calls)], logger);
    background.start();
    await background.stop();
    assert.deepEqual(calls, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
    assert.deepEqual(errors, []);
  });

  it('logs a task that fails to start or stop, and still starts and stops the others', async () => {
    const calls: string[] = [];
    const { errors, logger } = errorLog();
    const background = new BackgroundTasks([task('a', calls), task('b', calls, { start: true, stop: true }), task('c', calls)], logger);
    assert.doesNotThrow(() => background.start());
    await background.stop();
    assert.deepEqual(calls, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
    assert.deepEqual(errors, [
      { task: 'b', message: 'background task could not start' },
      { task: 'b', message: 'background task could not stop' },
    ]);
  });
});

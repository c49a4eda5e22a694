import Mocha from 'mocha';

/**
 * mocha's spec reporter plus the closing line CI reads: `N passed, N failed` (and pending as
 * skipped), alone on the last line.
 */
class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const s = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      // The spec reporter registered its epilogue on this event first, so this line comes last.
      process.stdout.write(`\n${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ''}\n`);
    });
  }
}

export = SpecWithSummary;

import type { FaultInjector, FaultRule } from './types';

/** A rule with its remaining uses. */
interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

/**
 * Holds injected faults. Every request asks `take()` first; the first rule whose method and path
 * match is used once (rules expire after `times` matches, default 1).
 */
export class FaultStore implements FaultInjector {
  private rules: ActiveRule[] = [];

  /** Adds a rule; see FaultRule for matching. */
  inject(rule: FaultRule): void {
    const times = rule.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('fault rule: times must be a positive integer');
    this.rules.push({ rule: { ...rule }, remaining: times });
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** Returns (and uses up once) the first rule matching this request, if any. */
  take(method: string, path: string): FaultRule | undefined {
    for (const active of this.rules) {
      const r = active.rule;
      if (r.method && r.method.toUpperCase() !== method.toUpperCase()) continue;
      const hit = typeof r.path === 'string' ? path.includes(r.path) : ((r.path.lastIndex = 0), r.path.test(path));
      if (!hit) continue;
      active.remaining -= 1;
      if (active.remaining <= 0) this.rules = this.rules.filter((x) => x !== active);
      return r;
    }
    return undefined;
  }
}

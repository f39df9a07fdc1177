/**
 * What component-healthcheck concludes from a series of probes: a component is NOT_SERVING
 * after its first failed probe, and is to be restarted after `failureThreshold` failures in a
 * row. A new process (another pid) starts with a clean record.
 */
export interface ProbeRecord {
  component: string;
  pid: number;
  serving: boolean;
  consecutiveFailures: number;
  lastProbeMs: number;
  detail: string;
}

export interface ProbeVerdict {
  /** Set when the serving status changed and should be reported. */
  report?: { serving: boolean; detail: string };
  /** Set when the component should be restarted, with the reason. */
  restart?: string;
}

export class ProbeTracker {
  readonly #records = new Map<string, ProbeRecord>();

  constructor(private readonly failureThreshold: number) {}

  record(component: string, pid: number, ok: boolean, detail: string, nowMs: number): ProbeVerdict {
    let r = this.#records.get(component);
    if (!r || r.pid !== pid) {
      r = { component, pid, serving: true, consecutiveFailures: 0, lastProbeMs: 0, detail: '' };
      this.#records.set(component, r);
    }
    const wasServing = r.serving;
    r.lastProbeMs = nowMs;
    r.detail = ok ? '' : detail;
    r.serving = ok;
    r.consecutiveFailures = ok ? 0 : r.consecutiveFailures + 1;
    const verdict: ProbeVerdict = {};
    if (wasServing !== ok) verdict.report = { serving: ok, detail: r.detail };
    if (r.consecutiveFailures === this.failureThreshold) {
      verdict.restart = `health check failed ${r.consecutiveFailures} times: ${detail}`;
    }
    return verdict;
  }

  snapshot(): ProbeRecord[] {
    return [...this.#records.values()].map((r) => ({ ...r }));
  }
}

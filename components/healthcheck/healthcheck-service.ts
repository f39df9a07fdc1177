/**
 * component-healthcheck: probes every running component's standard health service, reports
 * changes to the registry, and asks component-init to restart a component that keeps failing.
 *
 * Settings (environment, for tests and operators): MOBY_HEALTHCHECK_INTERVAL_MS (1000),
 * MOBY_HEALTHCHECK_TIMEOUT_MS (1000), MOBY_HEALTHCHECK_FAILURES (3).
 */
import { HealthClient, HealthCheckResponse_ServingStatus as ServingStatus } from '../../api/grpc/health/v1/health.js';
import { ComponentInitClient } from '../../api/moby/component_init/v1/component_init.js';
import { ComponentHealthcheckService, type ComponentHealthcheckServer } from '../../api/moby/component_healthcheck/v1/component_healthcheck.js';
import { Health, State, type Component } from '../../api/moby/component_registry/v1/component_registry.js';
import { connect, unary } from '../../lib/component/grpc-call.js';
import type { ServiceContext, ServiceFactory } from '../../lib/component/service.js';
import { ProbeTracker } from './probe-tracker.js';

function setting(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export const healthcheckService: ServiceFactory = (ctx) => {
  const intervalMs = setting('MOBY_HEALTHCHECK_INTERVAL_MS', 1000);
  const timeoutMs = setting('MOBY_HEALTHCHECK_TIMEOUT_MS', 1000);
  const tracker = new ProbeTracker(setting('MOBY_HEALTHCHECK_FAILURES', 3));
  const clients = new Map<string, InstanceType<typeof HealthClient>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const probeAll = async () => {
    const components = await ctx.registry.list(timeoutMs).catch((err) => {
      ctx.log.warn('registry unreachable', { err });
      return [] as Component[];
    });
    await Promise.all(components.filter((c) => c.state === State.STATE_RUNNING).map((c) => probeOne(ctx, c)));
  };

  const probeOne = async (ctx: ServiceContext, c: Component) => {
    let client = clients.get(c.socket);
    if (!client) clients.set(c.socket, (client = connect(HealthClient, c.socket)));
    let ok = false;
    let detail = '';
    try {
      const res = await unary(client.check.bind(client), { service: '' }, { timeoutMs });
      ok = res.status === ServingStatus.SERVING;
      detail = ok ? '' : `status ${ServingStatus[res.status]}`;
    } catch (err) {
      detail = (err as Error).message;
    }
    if (stopped) return;
    const verdict = tracker.record(c.name, c.pid, ok, detail, Date.now());
    if (verdict.report) {
      const health = verdict.report.serving ? Health.HEALTH_SERVING : Health.HEALTH_NOT_SERVING;
      await ctx.registry.reportHealth(c.name, health, verdict.report.detail, c.pid).catch((err) => ctx.log.warn('report failed', { err }));
    }
    if (verdict.restart && c.placement === 'process' && c.name !== ctx.component) {
      ctx.log.warn('component unhealthy, asking init to restart it', { target: c.name, reason: verdict.restart });
      const init = await ctx.registry.dial('component-init', ComponentInitClient);
      await unary(init.restart.bind(init), { component: c.name, reason: verdict.restart }, { timeoutMs }).catch((err) =>
        ctx.log.error('restart request failed', { target: c.name, err }),
      );
    }
  };

  const loop = () => {
    timer = setTimeout(() => {
      probeAll().finally(() => !stopped && loop());
    }, intervalMs);
  };

  const implementation: ComponentHealthcheckServer = {
    status: (_call, cb) =>
      cb(null, {
        probes: tracker.snapshot().map((r) => ({
          component: r.component,
          serving: r.serving,
          consecutiveFailures: r.consecutiveFailures,
          lastProbeMs: r.lastProbeMs,
          detail: r.detail,
        })),
      }),
  };

  return {
    grpc: [{ definition: ComponentHealthcheckService, implementation }],
    start: async () => loop(),
    close: async () => {
      stopped = true;
      clearTimeout(timer);
      for (const c of clients.values()) c.close();
    },
  };
};

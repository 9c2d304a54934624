/**
 * The live vendor channels of every tenant: one adapter instance per (tenant, provider), built from
 * the registry's definitions. Playground sections (`simulator: true`) start the vendor's simulator
 * in-process first and use the config it hands back.
 */
import type { Logger } from 'pino';
import type { AnyProviderDefinition, PushProvider, SimulatorControls } from '../../providers/types.js';
import type { LoadedConfig } from '../config/load.js';
import type { Metrics } from '../metrics/metrics.js';
import { receiptCallbackUrl } from './receipt-url.js';

export interface Channel {
  tenant: string;
  def: AnyProviderDefinition;
  config: unknown;
  provider: PushProvider;
  perSecond: number;
  concurrency: number;
}

export class ProviderHub {
  private readonly channels = new Map<string, Channel>();
  readonly simulators = new Map<string, SimulatorControls>();

  private constructor(readonly definitions: ReadonlyMap<string, AnyProviderDefinition>) {}

  static async create(
    config: LoadedConfig,
    definitions: readonly AnyProviderDefinition[],
    deps: { now(): number; random(): number; logger: Logger; metrics: Metrics },
  ): Promise<ProviderHub> {
    const hub = new ProviderHub(new Map(definitions.map((d) => [d.id, d])));
    for (const tenant of config.tenants) {
      for (const s of tenant.providers) {
        const def = hub.definitions.get(s.id);
        if (!def) continue; // rejected by config validation already
        let vendorConfig = s.config;
        if (s.simulator && def.playground) {
          const sim = await def.playground({ receiptUrl: receiptCallbackUrl(config.server.publicBaseUrl, s.id, tenant.id, tenant.receiptSecret) });
          hub.simulators.set(`${tenant.id}/${s.id}`, sim.simulator);
          vendorConfig = { ...(sim.config as object), ...((s.config as object | undefined) ?? {}) };
          deps.logger.info({ tenant: tenant.id, provider: s.id, url: sim.simulator.url }, 'started the vendor simulator (playground)');
        }
        const provider = def.create(vendorConfig, {
          now: deps.now,
          random: deps.random,
          logger: deps.logger.child({ tenant: tenant.id, provider: s.id }),
          observeRequest(seconds, errorReason) {
            deps.metrics.providerDuration.observe({ provider: s.id }, seconds);
            if (errorReason) deps.metrics.providerErrors.inc({ provider: s.id, reason: errorReason });
          },
        });
        hub.channels.set(`${tenant.id}/${s.id}`, {
          tenant: tenant.id,
          def,
          config: vendorConfig,
          provider,
          perSecond: s.rateLimit?.perSecond ?? def.limits.defaultRate.perSecond,
          concurrency: s.rateLimit?.concurrency ?? def.limits.defaultRate.concurrency,
        });
        deps.metrics.providerUp.set({ tenant: tenant.id, provider: s.id }, 1);
      }
    }
    return hub;
  }

  get(tenant: string, provider: string): Channel | undefined {
    return this.channels.get(`${tenant}/${provider}`);
  }

  /** The provider ids a tenant has a channel for, in config order. */
  configured(tenant: string): string[] {
    return this.all()
      .filter((c) => c.tenant === tenant)
      .map((c) => c.def.id);
  }

  all(): Channel[] {
    return [...this.channels.values()];
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.all().map((c) => c.provider.close()));
    await Promise.allSettled([...this.simulators.values()].map((s) => s.close()));
  }
}

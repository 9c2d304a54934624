/**
 * The device registry: exactly one identifier per device (the token the vendor needs), an optional
 * opaque user id, and timestamps. Anything else sent at registration is refused, not dropped
 * quietly: that is the privacy promise (README.md "What it does", Privacy).
 */
import { z } from 'zod';
import { canonicalToken } from '../../providers/types.js';
import { ApiError, fromZodIssues } from '../http/errors.js';
import { maskToken, type TokenCipher } from '../privacy/token-cipher.js';
import type { DeviceRow, Store } from '../store/types.js';
import type { IdSource } from './ids.js';
import { deviceFieldKeys, parseDeviceExtras } from './extras.js';
import { unknownProvider } from './messages.js';
import type { ProviderHub } from './providers.js';

const BASE_FIELDS = ['provider', 'token', 'userId'] as const;
const userIdSchema = z.string().min(1).max(128);

/** A device as the API shows it; the provider's extras (e.g. APNs `apns`) are top-level fields, as registered. */
export interface DeviceView {
  id: string;
  provider: string;
  token: string;
  userId: string | null;
  createdAt: string;
  lastSeenAt: string;
  [extra: string]: unknown;
}

export class DeviceService {
  constructor(private readonly deps: { store: Store; hub: ProviderHub; cipher: TokenCipher; ids: IdSource; now(): number }) {}

  async register(tenant: string, body: unknown): Promise<{ created: boolean; device: DeviceView }> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('invalid_request', 'The body must be a JSON object { provider, token, userId? }.');
    const input = body as Record<string, unknown>;
    if (typeof input.provider !== 'string') throw new ApiError('invalid_request', 'provider is required: one of ' + [...this.deps.hub.definitions.keys()].join(', ') + '.', [{ field: 'provider', message: 'required' }]);
    const def = this.deps.hub.definitions.get(input.provider);
    if (!def) throw unknownProvider(input.provider, 'provider', this.deps.hub);
    // A device no send could reach is a silent trap (every send would skip it): refuse it up front.
    if (!this.deps.hub.get(tenant, def.id)) throw providerNotConfigured(def.id, tenant, this.deps.hub);

    const extraShape = deviceFieldKeys(def);
    const allowed = new Set<string>([...BASE_FIELDS, ...extraShape]);
    const refused = Object.keys(input).filter((k) => !allowed.has(k));
    if (refused.length) {
      throw new ApiError(
        'field_not_allowed',
        `Refused field(s) ${refused.join(', ')}: pushgate stores only the identifier ${def.id} needs (${[...allowed].join(', ')}). Remove them and register again; nothing was stored.`,
        refused.map((field) => ({ field, message: 'not accepted: only the provider token is stored' })),
      );
    }
    const token = def.tokenSchema.safeParse(input.token);
    if (!token.success) {
      const why = input.token === undefined ? 'required' : (token.error.issues[0]?.message ?? 'bad format');
      throw new ApiError('invalid_token', `token is not a valid ${def.id} token: ${why}.`, [{ field: 'token', message: why }]);
    }
    let userId: string | null = null;
    if (input.userId !== undefined && input.userId !== null) {
      const u = userIdSchema.safeParse(input.userId);
      if (!u.success) throw fromZodIssues(u.error.issues, 'userId');
      userId = u.data;
    }
    const extras = parseDeviceExtras(def, input);
    const { cipher, store } = this.deps;
    const { device, created } = await store.upsertDevice({
      id: this.deps.ids.device(),
      tenant,
      provider: def.id,
      tokenEnc: cipher.encrypt(token.data),
      tokenHash: cipher.hash(def.id, token.data),
      userId,
      extras,
      now: this.deps.now(),
    });
    return { created, device: this.view(device) };
  }

  async unregister(tenant: string, provider: string, token: string): Promise<boolean> {
    const def = this.deps.hub.definitions.get(provider);
    if (!def) throw unknownProvider(provider, 'provider', this.deps.hub);
    return this.deps.store.deleteDeviceByHash(tenant, provider, this.deps.cipher.hash(provider, canonicalToken(def, token)));
  }

  /** The masked form of a stored (encrypted) token; a row written under another key still lists. */
  maskStored(tokenEnc: string): string {
    try {
      return maskToken(this.deps.cipher.decrypt(tokenEnc));
    } catch {
      return '(unavailable)';
    }
  }

  view(d: DeviceRow): DeviceView {
    return {
      id: d.id,
      provider: d.provider,
      token: this.maskStored(d.tokenEnc),
      userId: d.userId,
      ...d.extras,
      createdAt: new Date(d.createdAt).toISOString(),
      lastSeenAt: new Date(d.lastSeenAt).toISOString(),
    };
  }
}

export function providerNotConfigured(provider: string, tenant: string, hub: ProviderHub): ApiError {
  const configured = hub.configured(tenant);
  const which = configured.length ? `it has ${configured.join(', ')}` : 'it has no provider configured';
  return new ApiError(
    'provider_not_configured',
    `provider "${provider}" is not configured for tenant ${tenant} (${which}), so no message could reach this device; nothing was stored. Register with a configured provider, or add tenants[].providers.${provider} to the gateway config.`,
    [{ field: 'provider', message: `not configured for this tenant; configured: ${configured.join(', ') || 'none'}` }],
  );
}

/**
 * The device registry: exactly one identifier per device (the token the vendor needs), an optional
 * opaque user id, and timestamps. Anything else sent at registration is refused, not dropped
 * quietly: that is the privacy promise (README.md "What it does", Privacy).
 */
import { z } from 'zod';
import { canonicalToken } from '../../providers/types.js';
import { maskStored, type TokenCipher } from '../privacy/token-cipher.js';
import type { DeliveryRow, DeviceRow, OutboxWriter, Store } from '../store/types.js';
import type { RegisterDevice } from './commands.js';
import { DomainError, invalidFields } from './errors.js';
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

/** GET /v1/users/{userId}/data: everything pushgate holds about one user. */
export interface UserExport {
  userId: string;
  devices: DeviceView[];
  deliveries: Array<Pick<DeliveryRow, 'id' | 'messageId' | 'provider' | 'deviceId' | 'state' | 'attempts'> & { updatedAt: string }>;
}

export class DeviceService {
  constructor(
    private readonly deps: {
      store: Store;
      hub: ProviderHub;
      cipher: TokenCipher;
      ids: IdSource;
      now(): number;
      /** Webhook outbox rows for the tenant's changes (an erasure can complete a message). */
      outbox?(tenant: string): OutboxWriter | undefined;
    },
  ) {}

  /** The provider ids a device can be registered with (for the route's "provider is required" answer). */
  providerIds(): string[] {
    return [...this.deps.hub.definitions.keys()];
  }

  async register(tenant: string, command: RegisterDevice): Promise<{ created: boolean; device: DeviceView }> {
    const input: Record<string, unknown> = { ...command.extras, token: command.token, userId: command.userId };
    const def = this.deps.hub.definitions.get(command.provider);
    if (!def) throw unknownProvider(command.provider, 'provider', this.deps.hub);
    // A device no send could reach is a silent trap (every send would skip it): refuse it up front.
    if (!this.deps.hub.get(tenant, def.id)) throw providerNotConfigured(def.id, tenant, this.deps.hub);

    const extraShape = deviceFieldKeys(def);
    const allowed = new Set<string>([...BASE_FIELDS, ...extraShape]);
    const refused = Object.keys(command.extras).filter((k) => !allowed.has(k));
    if (refused.length) {
      throw new DomainError(
        'field_not_allowed',
        `Refused field(s) ${refused.join(', ')}: pushgate stores only the identifier ${def.id} needs (${[...allowed].join(', ')}). Remove them and register again; nothing was stored.`,
        refused.map((field) => ({ field, message: 'not accepted: only the provider token is stored' })),
      );
    }
    const token = def.tokenSchema.safeParse(input.token);
    if (!token.success) {
      const why = input.token === undefined ? 'required' : (token.error.issues[0]?.message ?? 'bad format');
      throw new DomainError('invalid_token', `token is not a valid ${def.id} token: ${why}.`, [{ field: 'token', message: why }]);
    }
    let userId: string | null = null;
    if (input.userId !== undefined && input.userId !== null) {
      const u = userIdSchema.safeParse(input.userId);
      if (!u.success) throw invalidFields(u.error.issues, 'userId');
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

  /** DELETE /v1/devices: the device with this provider and token (what an app knows about itself). */
  async remove(tenant: string, provider: string, token: string): Promise<void> {
    const def = this.deps.hub.definitions.get(provider);
    if (!def) throw unknownProvider(provider, 'provider', this.deps.hub);
    const removed = await this.deps.store.deleteDeviceByHash(tenant, provider, this.deps.cipher.hash(provider, canonicalToken(def, token)));
    if (!removed) throw new DomainError('not_found', 'No device with this provider and token is registered for your tenant.');
  }

  /** DELETE /v1/devices/{id}. */
  async removeById(tenant: string, id: string): Promise<void> {
    if (!(await this.deps.store.deleteDevice(tenant, id))) throw new DomainError('not_found', `No device ${id} in your tenant.`);
  }

  /** A user's devices, tokens masked. */
  async list(tenant: string, userId: string): Promise<DeviceView[]> {
    return (await this.deps.store.devicesOfUsers(tenant, [userId])).map((d) => this.view(d));
  }

  /** Everything stored about a user (data export): devices with masked tokens, and their deliveries. */
  async export(tenant: string, userId: string): Promise<UserExport> {
    const { devices, deliveries } = await this.deps.store.exportUser(tenant, userId);
    return {
      userId,
      devices: devices.map((d) => this.view(d)),
      deliveries: deliveries.map((d) => ({ id: d.id, messageId: d.messageId, provider: d.provider, deviceId: d.deviceId, state: d.state, attempts: d.attempts, updatedAt: new Date(d.updatedAt).toISOString() })),
    };
  }

  /** Erasure: the user's devices and deliveries are deleted. */
  async erase(tenant: string, userId: string): Promise<{ userId: string; removed: { devices: number; deliveries: number } }> {
    const outbox = this.deps.outbox?.(tenant);
    return { userId, removed: await this.deps.store.eraseUser(tenant, userId, outbox ? { now: this.deps.now(), outbox } : undefined) };
  }

  view(d: DeviceRow): DeviceView {
    return {
      id: d.id,
      provider: d.provider,
      token: maskStored(this.deps.cipher, d.tokenEnc),
      userId: d.userId,
      ...d.extras,
      createdAt: new Date(d.createdAt).toISOString(),
      lastSeenAt: new Date(d.lastSeenAt).toISOString(),
    };
  }
}

export function providerNotConfigured(provider: string, tenant: string, hub: ProviderHub): DomainError {
  const configured = hub.configured(tenant);
  const which = configured.length ? `it has ${configured.join(', ')}` : 'it has no provider configured';
  return new DomainError(
    'provider_not_configured',
    `provider "${provider}" is not configured for tenant ${tenant} (${which}), so no message could reach this device; nothing was stored. Register with a configured provider, or add tenants[].providers.${provider} to the gateway config.`,
    [{ field: 'provider', message: `not configured for this tenant; configured: ${configured.join(', ') || 'none'}` }],
  );
}

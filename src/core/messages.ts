/**
 * Accepting a message: validate, resolve targets to devices, and store the message with one
 * delivery per target in one transaction before answering 202.
 */
import { createHash } from 'node:crypto';
import type { MessageCheckFailure, OutgoingMessage } from '../../providers/types.js';
import { ApiError, fromZodIssues } from '../http/errors.js';
import { sendMessageSchema, type SendMessageBody } from '../http/schemas.js';
import type { TokenCipher } from '../privacy/token-cipher.js';
import type { DeviceRow, NewDelivery, Store } from '../store/types.js';
import { deviceFieldKeys, parseDeviceExtras } from './extras.js';
import type { IdSource } from './ids.js';
import type { StoredPayload } from './payload.js';
import type { ProviderHub } from './providers.js';

const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

export interface AcceptResult {
  status: number;
  body: unknown;
  /** Lanes that received work. */
  lanes: Array<{ tenant: string; provider: string }>;
  /** The stored answer of an earlier request with this Idempotency-Key: nothing new was accepted. */
  replay: boolean;
}

export interface MessageServiceDeps {
  store: Store;
  hub: ProviderHub;
  cipher: TokenCipher;
  ids: IdSource;
  now(): number;
  maxBacklog(tenant: string): number;
}

export class MessageService {
  private readonly pending = new Map<string, { count: number; at: number }>();
  /** Built once: `to.tokens[]` items take the extra device fields the registered providers declare. */
  private readonly bodySchema: ReturnType<typeof sendMessageSchema>;

  constructor(private readonly deps: MessageServiceDeps) {
    this.bodySchema = sendMessageSchema([...deps.hub.definitions.values()]);
  }

  async accept(tenant: string, rawBody: unknown, idempotencyKey: string | undefined): Promise<AcceptResult> {
    const parsed = this.bodySchema.safeParse(rawBody);
    if (!parsed.success) throw fromZodIssues(parsed.error.issues);
    const body = parsed.data;
    refuseEmpty(body);
    const overrides = this.parseOverrides(body);

    const now = this.deps.now();
    // Hashing a 100k-target body costs real time: only when a key asks for it.
    const bodyHash = idempotencyKey === undefined ? '' : createHash('sha256').update(canonicalJson(rawBody)).digest('base64url');
    if (idempotencyKey !== undefined) {
      if (!/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) throw new ApiError('invalid_request', 'The Idempotency-Key header must be 1–255 visible ASCII characters.', [{ field: 'Idempotency-Key', message: 'invalid format' }]);
      const seen = await this.deps.store.getIdempotency(tenant, idempotencyKey, now - IDEMPOTENCY_WINDOW_MS);
      if (seen) return this.replay(seen, bodyHash);
    }

    const resolved = await this.resolveTargets(tenant, body);
    const id = this.deps.ids.message();
    const priority = body.options?.priority ?? (body.notification ? 'high' : 'normal');
    const { overrides: _raw, ...options } = body.options ?? {};
    const message: OutgoingMessage = { id, createdAt: now, notification: body.notification, data: body.data ?? {}, options: { ...options, priority } };
    // The parsed overrides, keyed by provider id, beside the message: the dispatcher hands each adapter its own.
    const payload: StoredPayload = { notification: message.notification, data: message.data, options: message.options, ...(overrides ? { overrides } : {}) };
    const { deliveries, skipped } = this.checkVendors(tenant, message, overrides ?? {}, resolved);
    await this.checkBacklog(tenant, deliveries.length);

    const ttl = body.options?.ttlSeconds;
    const response = { id, status: 'accepted', targets: deliveries.length, ...(skipped.length ? { skipped } : {}) };
    const stored = await this.deps.store.insertMessage(
      { id, tenant, idempotencyKey: idempotencyKey ?? null, payload: JSON.stringify(payload), createdAt: now, expiresAt: ttl === undefined ? null : now + ttl * 1000 },
      deliveries,
      idempotencyKey === undefined ? null : { key: idempotencyKey, bodyHash, status: 202, response: JSON.stringify(response), createdAt: now },
    );
    if (!stored.inserted) return this.replay(stored.existing, bodyHash);
    const cached = this.pending.get(tenant);
    if (cached) cached.count += deliveries.length;
    const lanes = [...new Set(deliveries.map((d) => d.provider))].map((provider) => ({ tenant, provider }));
    return { status: 202, body: response, lanes, replay: false };
  }

  private replay(seen: { bodyHash: string; status: number; response: string }, bodyHash: string): AcceptResult {
    if (seen.bodyHash !== bodyHash) {
      throw new ApiError('idempotency_conflict', 'This Idempotency-Key was already used within 24 h with a different body. Use a new key for a different message, or resend the identical body.');
    }
    return { status: seen.status, body: JSON.parse(seen.response), lanes: [], replay: true };
  }

  /** Parse each `options.overrides[<id>]` once, with that provider's schema; the output is what is stored and sent. */
  private parseOverrides(body: SendMessageBody): Record<string, unknown> | undefined {
    const given = body.options?.overrides;
    if (!given) return undefined;
    const parsed: Record<string, unknown> = {};
    for (const [provider, fields] of Object.entries(given)) {
      const def = this.deps.hub.definitions.get(provider);
      if (!def) throw unknownProvider(provider, `options.overrides.${provider}`, this.deps.hub);
      if (!def.overridesSchema) {
        throw new ApiError('invalid_request', `options.overrides.${provider}: ${provider} takes no overrides; remove the section.`, [{ field: `options.overrides.${provider}`, message: 'not supported' }]);
      }
      const r = def.overridesSchema.safeParse(fields);
      if (!r.success) throw fromZodIssues(r.error.issues, `options.overrides.${provider}`);
      parsed[provider] = r.data;
    }
    return parsed;
  }

  /**
   * Ask each target provider, once per message (not per target), whether it can take the message at all
   * (ProviderDefinition.checkMessage). Its deliveries are dropped and listed in `skipped` when it cannot;
   * when no delivery is left, nothing is stored and the answer is 400 naming each provider and its limit.
   */
  private checkVendors(
    tenant: string,
    message: OutgoingMessage,
    overrides: Record<string, unknown>,
    resolved: { deliveries: NewDelivery[]; skipped: unknown[] },
  ): { deliveries: NewDelivery[]; skipped: unknown[] } {
    const counts = new Map<string, number>();
    for (const d of resolved.deliveries) counts.set(d.provider, (counts.get(d.provider) ?? 0) + 1);
    const refused = new Map<string, MessageCheckFailure & { count: number }>();
    for (const [provider, count] of counts) {
      const channel = this.deps.hub.get(tenant, provider);
      const failure = channel?.def.checkMessage?.(message, channel.config, overrides[provider]);
      if (failure) refused.set(provider, { ...failure, count });
    }
    if (refused.size === 0) return resolved;
    if (refused.size === counts.size) {
      const list = [...refused].map(([provider, f]) => `${provider}: ${f.message}`).join(' ');
      throw new ApiError(
        'message_not_deliverable',
        `No target provider can take this message, so nothing was stored. ${list}`,
        [...refused].map(([provider, f]) => ({ ...(f.reason === 'data_only_unsupported' ? { field: 'notification' } : {}), provider, reason: f.reason, message: f.message })),
      );
    }
    const skipped = [...resolved.skipped];
    for (const [provider, f] of refused) skipped.push({ provider, count: f.count, reason: f.reason, message: f.message });
    return { deliveries: resolved.deliveries.filter((d) => !refused.has(d.provider)), skipped };
  }

  private async resolveTargets(tenant: string, body: SendMessageBody): Promise<{ deliveries: NewDelivery[]; skipped: unknown[] }> {
    const { store, hub, cipher, ids } = this.deps;
    const skipped: unknown[] = [];
    const deliveries: NewDelivery[] = [];
    const seen = new Set<string>();
    const category = body.options?.category;
    const unconfigured = new Map<string, number>();

    const add = (provider: string, tokenEnc: string, tokenHash: string, device: DeviceRow | null, extras: NewDelivery['extras']) => {
      const key = `${provider}\0${tokenHash}`;
      if (seen.has(key)) return;
      seen.add(key);
      const channel = hub.get(tenant, provider);
      if (!channel) {
        unconfigured.set(provider, (unconfigured.get(provider) ?? 0) + 1);
        return;
      }
      deliveries.push({
        id: ids.delivery(),
        provider,
        deviceId: device?.id ?? null,
        tokenEnc,
        tokenHash,
        extras: extras ?? device?.extras ?? null,
        quotaClass: channel.def.quotaClassOf?.(category, channel.config) ?? 'default',
        registered: device !== null,
      });
    };

    // Raw tokens are validated first: a malformed token is the caller's bug, answered 400 before anything is stored.
    const raw = (body.to.tokens ?? []).map((t, i) => {
      const def = hub.definitions.get(t.provider);
      if (!def) throw unknownProvider(t.provider, `to.tokens[${i}].provider`, hub);
      const ok = def.tokenSchema.safeParse(t.token);
      if (!ok.success) {
        throw new ApiError('invalid_token', `to.tokens[${i}].token is not a valid ${t.provider} token: ${ok.error.issues[0]?.message ?? 'bad format'}.`, [{ field: `to.tokens[${i}].token`, message: ok.error.issues[0]?.message ?? 'bad format' }]);
      }
      // Device fields another provider declares are refused here, by name, as at registration.
      const own = new Set(deviceFieldKeys(def));
      const fields: Record<string, unknown> = t;
      const foreign = Object.keys(fields).find((k) => k !== 'provider' && k !== 'token' && fields[k] !== undefined && !own.has(k));
      if (foreign !== undefined) throw new ApiError('field_not_allowed', `to.tokens[${i}].${foreign} is not a ${t.provider} field; remove it.`, [{ field: `to.tokens[${i}].${foreign}`, message: 'remove it' }]);
      return { provider: t.provider, token: ok.data, extras: parseDeviceExtras(def, fields, `to.tokens[${i}]`) };
    });

    if (body.to.userIds?.length) {
      const devices = await store.devicesOfUsers(tenant, body.to.userIds);
      const found = new Set(devices.map((d) => d.userId));
      for (const u of body.to.userIds) if (!found.has(u)) skipped.push({ userId: u, reason: 'no_devices' });
      for (const d of devices) add(d.provider, d.tokenEnc, d.tokenHash, d, null);
    }
    if (body.to.deviceIds?.length) {
      const devices = await store.getDevices(tenant, body.to.deviceIds);
      const found = new Set(devices.map((d) => d.id));
      for (const id of body.to.deviceIds) if (!found.has(id)) skipped.push({ deviceId: id, reason: 'not_found' });
      for (const d of devices) add(d.provider, d.tokenEnc, d.tokenHash, d, null);
    }
    // Raw tokens that belong to registered devices become those devices (one lookup per provider).
    const hashed = raw.map((t) => ({ ...t, hash: cipher.hash(t.provider, t.token) }));
    const known = new Map<string, DeviceRow>();
    for (const provider of new Set(hashed.map((t) => t.provider))) {
      const hashes = hashed.filter((t) => t.provider === provider).map((t) => t.hash);
      for (const d of await store.findDevicesByHashes(tenant, provider, hashes)) known.set(`${provider}\0${d.tokenHash}`, d);
    }
    for (const t of hashed) {
      const device = known.get(`${t.provider}\0${t.hash}`) ?? null;
      add(t.provider, device?.tokenEnc ?? cipher.encrypt(t.token), t.hash, device, t.extras);
    }
    for (const [provider, count] of unconfigured) skipped.push({ provider, count, reason: 'provider_not_configured' });
    return { deliveries, skipped };
  }

  /** Back-pressure: 429 + Retry-After rather than an unbounded backlog. The count is cached for a second. */
  private async checkBacklog(tenant: string, adding: number): Promise<void> {
    const now = this.deps.now();
    let cached = this.pending.get(tenant);
    if (!cached || now - cached.at > 1000) {
      cached = { count: await this.deps.store.pendingCount(tenant), at: now };
      this.pending.set(tenant, cached);
    }
    const limit = this.deps.maxBacklog(tenant);
    if (cached.count + adding > limit) {
      throw new ApiError(
        'backlog_full',
        `This tenant has ${cached.count} deliveries pending and this message would add ${adding}; the limit is ${limit}. Retry after the Retry-After interval.`,
        undefined,
        { 'Retry-After': '5' },
      );
    }
  }
}

/** A push with no notification and no data would reach the phone as nothing: refuse it before anything is stored. */
function refuseEmpty(body: SendMessageBody): void {
  if (body.notification || Object.keys(body.data ?? {}).length > 0) return;
  throw new ApiError(
    'empty_message',
    'The message has neither a notification nor any data: add notification {title, body} or at least one data entry.',
    [
      { field: 'notification', message: 'add notification {title, body} for a visible notification' },
      { field: 'data', message: 'or add at least one data entry for a data-only message' },
    ],
  );
}

export function unknownProvider(provider: string, field: string, hub: ProviderHub): ApiError {
  const known = [...hub.definitions.keys()].join(', ');
  return new ApiError('unknown_provider', `${field}: unknown provider "${provider}"; use one of ${known}.`, [{ field, message: `expected one of ${known}` }]);
}

/** Key order does not change the idempotency hash. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

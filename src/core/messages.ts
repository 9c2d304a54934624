/**
 * Accepting a message: check it against the target providers, resolve targets to devices, and
 * store the message with one delivery per target in one transaction; then wake the lanes that got
 * work. And reading a message's progress back.
 */
import { createHash } from 'node:crypto';
import type { MessageCheckFailure, OutgoingMessage } from '../../providers/types.js';
import type { Metrics } from '../metrics/metrics.js';
import { maskStored, type TokenCipher } from '../privacy/token-cipher.js';
import { DELIVERY_STATES, type DeliveryState, type DeviceRow, type LaneKey, type NewDelivery, type Store } from '../store/types.js';
import type { DeliveryPage, SendMessageBody } from './commands.js';
import { DomainError, invalidFields } from './errors.js';
import { explainError } from './explanations.js';
import { deviceFieldKeys, parseDeviceExtras } from './extras.js';
import type { IdSource } from './ids.js';
import type { StoredPayload } from './payload.js';
import type { ProviderHub } from './providers.js';
import { TargetList, type Target } from './targets.js';

const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

export interface AcceptedMessage {
  id: string;
  status: 'accepted';
  targets: number;
  skipped?: unknown[];
}

export type AcceptResult =
  | { kind: 'accepted'; body: AcceptedMessage }
  /** The stored answer of an earlier request with this Idempotency-Key: nothing new was accepted. */
  | { kind: 'replay'; body: unknown; answerStatus: number };

/** An Idempotency-Key, and the status the caller answers an acceptance with (stored, so a replay gives the same answer). */
export interface Idempotency {
  key: string;
  answerStatus: number;
}

export interface MessageServiceDeps {
  store: Store;
  hub: ProviderHub;
  cipher: TokenCipher;
  ids: IdSource;
  metrics: Pick<Metrics, 'messagesAccepted'>;
  /** Wake a lane that just got work, `requests` vendor requests' worth (the queue engine's kick). */
  kick(lane: LaneKey, requests: number): void;
  now(): number;
  maxBacklog(tenant: string): number;
}

/** GET /v1/messages/{id}: the counts, and one page of deliveries with masked tokens. */
export interface MessageStatus {
  id: string;
  createdAt: string;
  status: 'in_progress' | 'done';
  counts: Record<DeliveryState, number>;
  providers: Record<string, Partial<Record<DeliveryState, number>>>;
  deliveries: unknown[];
  nextCursor: string | null;
}

export class MessageService {
  private readonly pending = new Map<string, { count: number; at: number }>();

  constructor(private readonly deps: MessageServiceDeps) {}

  /** `body` is validated for shape by the route; what depends on the providers is checked here. */
  async accept(tenant: string, body: SendMessageBody, idempotency: Idempotency | undefined): Promise<AcceptResult> {
    const idempotencyKey = idempotency?.key;
    refuseEmpty(body);
    const overrides = this.parseOverrides(body);

    const now = this.deps.now();
    // Hashing a 100k-target body costs real time: only when a key asks for it.
    const bodyHash = idempotencyKey === undefined ? '' : createHash('sha256').update(canonicalJson(body)).digest('base64url');
    if (idempotencyKey !== undefined) {
      if (!/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) throw new DomainError('invalid_request', 'The Idempotency-Key header must be 1–255 visible ASCII characters.', [{ field: 'Idempotency-Key', message: 'invalid format' }]);
      const seen = await this.deps.store.getIdempotency(tenant, idempotencyKey, now - IDEMPOTENCY_WINDOW_MS);
      if (seen) return this.replay(seen, bodyHash);
    }

    const { targets, skipped: unresolved } = await this.resolveTargets(tenant, body);
    const id = this.deps.ids.message();
    const priority = body.options?.priority ?? (body.notification ? 'high' : 'normal');
    const { overrides: _raw, ...options } = body.options ?? {};
    const message: OutgoingMessage = { id, createdAt: now, notification: body.notification, data: body.data ?? {}, options: { ...options, priority } };
    // The parsed overrides, keyed by provider id, beside the message: the dispatcher hands each adapter its own.
    const payload: StoredPayload = { notification: message.notification, data: message.data, options: message.options, ...(overrides ? { overrides } : {}) };
    const skipped = this.checkVendors(tenant, message, overrides ?? {}, targets, unresolved);
    const count = targets.count;
    await this.checkBacklog(tenant, count);

    const ttl = body.options?.ttlSeconds;
    const category = body.options?.category;
    const response: AcceptedMessage = { id, status: 'accepted', targets: count, ...(skipped.length ? { skipped } : {}) };
    const stored = await this.deps.store.insertMessage(
      {
        id,
        tenant,
        idempotencyKey: idempotencyKey ?? null,
        payload: JSON.stringify(payload),
        createdAt: now,
        expiresAt: ttl === undefined ? null : now + ttl * 1000,
        // Beside the payload too, so GET /v1/messages can filter on it.
        category: category ?? null,
      },
      targets.rows((t) => this.row(tenant, category, t)),
      idempotency === undefined ? null : { key: idempotency.key, bodyHash, status: idempotency.answerStatus, response: JSON.stringify(response), createdAt: now },
    );
    if (!stored.inserted) return this.replay(stored.existing, bodyHash);
    const cached = this.pending.get(tenant);
    if (cached) cached.count += count;
    // A message with no target (every user without devices) is still counted; a replay is not.
    this.deps.metrics.messagesAccepted.inc({ tenant });
    for (const [provider, n] of targets.perProvider()) {
      const perRequest = this.deps.hub.get(tenant, provider)?.def.limits.maxTargetsPerRequest ?? 1;
      this.deps.kick({ tenant, provider }, Math.ceil(n / Math.max(1, perRequest)));
    }
    return { kind: 'accepted', body: response };
  }

  /** A message's progress: counts by state and provider, and one page of its deliveries. */
  async status(tenant: string, id: string, page: DeliveryPage): Promise<MessageStatus> {
    const { store, cipher } = this.deps;
    const message = await store.getMessage(tenant, id);
    if (!message) throw new DomainError('not_found', `No message ${id} in your tenant (messages are kept for retention.messageDays).`);
    const counts = await store.messageCounts(tenant, id);
    const listed = await store.listDeliveries(tenant, id, page.cursor ?? null, page.limit + 1);
    const more = listed.length > page.limit;
    const rows = listed.slice(0, page.limit);
    const states = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;
    const providers: Record<string, Partial<Record<DeliveryState, number>>> = {};
    for (const c of counts) {
      states[c.state] += c.count;
      (providers[c.provider] ??= {})[c.state] = c.count;
    }
    const pending = states.queued + states.sending;
    return {
      id,
      createdAt: new Date(message.createdAt).toISOString(),
      status: pending > 0 ? 'in_progress' : 'done',
      counts: states,
      providers,
      deliveries: rows.map((d) => ({
        id: d.id,
        provider: d.provider,
        deviceId: d.deviceId,
        token: maskStored(cipher, d.tokenEnc),
        state: d.state,
        attempts: d.attempts,
        ...(d.state === 'queued' ? { nextAttemptAt: new Date(d.nextAttemptAt).toISOString() } : {}),
        lastError: d.lastError,
        explanation: d.lastError ? explainError(this.deps.hub.definitions.get(d.provider), d.lastError.code, d.lastError.vendorCode) : null,
        vendorMessageId: d.vendorMessageId,
        updatedAt: new Date(d.updatedAt).toISOString(),
      })),
      nextCursor: more ? (rows[rows.length - 1]?.id ?? null) : null,
    };
  }

  private replay(seen: { bodyHash: string; status: number; response: string }, bodyHash: string): AcceptResult {
    if (seen.bodyHash !== bodyHash) {
      throw new DomainError('idempotency_conflict', 'This Idempotency-Key was already used within 24 h with a different body. Use a new key for a different message, or resend the identical body.');
    }
    return { kind: 'replay', body: JSON.parse(seen.response), answerStatus: seen.status };
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
        throw new DomainError('invalid_request', `options.overrides.${provider}: ${provider} takes no overrides; remove the section.`, [{ field: `options.overrides.${provider}`, message: 'not supported' }]);
      }
      const r = def.overridesSchema.safeParse(fields);
      if (!r.success) throw invalidFields(r.error.issues, `options.overrides.${provider}`);
      parsed[provider] = r.data;
    }
    return parsed;
  }

  /**
   * Ask each target provider, once per message (not per target), whether it can take the message at all
   * (ProviderDefinition.checkMessage). Its deliveries are dropped and listed in `skipped` when it cannot;
   * when no delivery is left, nothing is stored and the answer is 400 naming each provider and its limit.
   */
  private checkVendors(tenant: string, message: OutgoingMessage, overrides: Record<string, unknown>, targets: TargetList, unresolved: unknown[]): unknown[] {
    const counts = targets.perProvider();
    const refused = new Map<string, MessageCheckFailure & { count: number }>();
    for (const [provider, count] of counts) {
      const channel = this.deps.hub.get(tenant, provider);
      const failure = channel?.def.checkMessage?.(message, channel.config, overrides[provider]);
      if (failure) refused.set(provider, { ...failure, count });
    }
    if (refused.size === 0) return unresolved;
    if (refused.size === counts.size) {
      const list = [...refused].map(([provider, f]) => `${provider}: ${f.message}`).join(' ');
      throw new DomainError(
        'message_not_deliverable',
        `No target provider can take this message, so nothing was stored. ${list}`,
        [...refused].map(([provider, f]) => ({ ...(f.reason === 'data_only_unsupported' ? { field: 'notification' } : {}), provider, reason: f.reason, message: f.message })),
      );
    }
    const skipped = [...unresolved];
    for (const [provider, f] of refused) {
      targets.drop(provider);
      skipped.push({ provider, count: f.count, reason: f.reason, message: f.message });
    }
    return skipped;
  }

  /** A target's delivery row, built while the store writes it: a raw token is encrypted here, not before. */
  private row(tenant: string, category: string | undefined, t: Target): NewDelivery {
    const { hub, cipher, ids } = this.deps;
    const channel = hub.get(tenant, t.provider);
    return {
      id: ids.delivery(),
      provider: t.provider,
      deviceId: t.device?.id ?? null,
      tokenEnc: t.device?.tokenEnc ?? cipher.encrypt(t.token ?? ''),
      tokenHash: t.tokenHash,
      extras: t.extras ?? t.device?.extras ?? null,
      quotaClass: (channel && channel.def.quotaClassOf?.(category, channel.config)) ?? 'default',
      registered: t.device !== null,
    };
  }

  private async resolveTargets(tenant: string, body: SendMessageBody): Promise<{ targets: TargetList; skipped: unknown[] }> {
    const { store, hub, cipher } = this.deps;
    const skipped: unknown[] = [];
    const targets = new TargetList();
    const unconfigured = new Map<string, number>();
    const add = (t: Target) => {
      if (!hub.get(tenant, t.provider)) {
        // Counted once per distinct token, as a delivery would have been.
        if (targets.add(t)) targets.drop(t.provider);
        else return;
        unconfigured.set(t.provider, (unconfigured.get(t.provider) ?? 0) + 1);
        return;
      }
      targets.add(t);
    };
    const ofDevice = (d: DeviceRow): Target => ({ provider: d.provider, tokenHash: d.tokenHash, device: d, token: null, extras: null });

    // Raw tokens are validated first: a malformed token is the caller's bug, answered 400 before anything is stored.
    // One small object per token (no copies of the body's entries): they become the targets.
    const raw: Target[] = (body.to.tokens ?? []).map((t, i) => {
      const def = hub.definitions.get(t.provider);
      if (!def) throw unknownProvider(t.provider, `to.tokens[${i}].provider`, hub);
      const ok = def.tokenSchema.safeParse(t.token);
      if (!ok.success) {
        throw new DomainError('invalid_token', `to.tokens[${i}].token is not a valid ${t.provider} token: ${ok.error.issues[0]?.message ?? 'bad format'}.`, [{ field: `to.tokens[${i}].token`, message: ok.error.issues[0]?.message ?? 'bad format' }]);
      }
      // Device fields another provider declares are refused here, by name, as at registration.
      const own = deviceFieldKeys(def);
      const fields: Record<string, unknown> = t;
      const foreign = Object.keys(fields).find((k) => k !== 'provider' && k !== 'token' && fields[k] !== undefined && !own.includes(k));
      if (foreign !== undefined) throw new DomainError('field_not_allowed', `to.tokens[${i}].${foreign} is not a ${t.provider} field; remove it.`, [{ field: `to.tokens[${i}].${foreign}`, message: 'remove it' }]);
      return { provider: t.provider, token: ok.data, tokenHash: cipher.hash(t.provider, ok.data), device: null, extras: parseDeviceExtras(def, fields, `to.tokens[${i}]`) };
    });

    if (body.to.userIds?.length) {
      const devices = await store.devicesOfUsers(tenant, body.to.userIds);
      const found = new Set(devices.map((d) => d.userId));
      for (const u of body.to.userIds) if (!found.has(u)) skipped.push({ userId: u, reason: 'no_devices' });
      for (const d of devices) add(ofDevice(d));
    }
    if (body.to.deviceIds?.length) {
      const devices = await store.getDevices(tenant, body.to.deviceIds);
      const found = new Set(devices.map((d) => d.id));
      for (const id of body.to.deviceIds) if (!found.has(id)) skipped.push({ deviceId: id, reason: 'not_found' });
      for (const d of devices) add(ofDevice(d));
    }
    // Raw tokens that belong to registered devices become those devices (one lookup per provider).
    const known = new Map<string, DeviceRow>();
    for (const provider of new Set(raw.map((t) => t.provider))) {
      const hashes = raw.filter((t) => t.provider === provider).map((t) => t.tokenHash);
      for (const d of await store.findDevicesByHashes(tenant, provider, hashes)) known.set(`${provider}\0${d.tokenHash}`, d);
    }
    for (const t of raw) {
      const device = known.size ? (known.get(`${t.provider}\0${t.tokenHash}`) ?? null) : null;
      // A known device is sent with its stored ciphertext: the plain token is not kept.
      add(device ? { ...t, device, token: null } : t);
    }
    for (const [provider, count] of unconfigured) skipped.push({ provider, count, reason: 'provider_not_configured' });
    return { targets, skipped };
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
      throw new DomainError(
        'backlog_full',
        `This tenant has ${cached.count} deliveries pending and this message would add ${adding}; the limit is ${limit}. Retry after the Retry-After interval.`,
        undefined,
        5,
      );
    }
  }
}

/** A push with no notification and no data would reach the phone as nothing: refuse it before anything is stored. */
function refuseEmpty(body: SendMessageBody): void {
  if (body.notification || Object.keys(body.data ?? {}).length > 0) return;
  throw new DomainError(
    'empty_message',
    'The message has neither a notification nor any data: add notification {title, body} or at least one data entry.',
    [
      { field: 'notification', message: 'add notification {title, body} for a visible notification' },
      { field: 'data', message: 'or add at least one data entry for a data-only message' },
    ],
  );
}

export function unknownProvider(provider: string, field: string, hub: ProviderHub): DomainError {
  const known = [...hub.definitions.keys()].join(', ');
  return new DomainError('unknown_provider', `${field}: unknown provider "${provider}"; use one of ${known}.`, [{ field, message: `expected one of ${known}` }]);
}

/** Key order does not change the idempotency hash. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

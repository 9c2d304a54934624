/**
 * The APNs adapter: @parse/node-apn carries each target as one HTTP/2 stream. What
 * pushgate adds around it (docs/vendors/apns.md#transport):
 * - one node-apn Provider (one HTTP/2 session) per environment, created on first use; the
 *   device's registered environment picks it, a raw token goes to the tenant's default;
 * - warm-up: a new session carries one request alone before the burst, because Apple allows one
 *   stream until a request with valid credentials went through, and node-apn does not retry the
 *   streams refused meanwhile;
 * - at most `maxStreamsPerSession` streams in flight per session, shared by concurrent batches
 *   (20,000 at once kill the session);
 * - node-apn's immediate retries off (`connectionRetryLimit: 0`, it ignores Retry-After):
 *   429/5xx and status-less failures become `retry`/`rate_limited` for the dispatcher's backoff.
 */
import apn from '@parse/node-apn';
import { sameResult } from '../shared/results.js';
import type { DeliveryTarget, ProviderDeps, PushProvider, SendBatch, SendOutcome, SendResult } from '../types.js';
import { APNS_HOSTS, type ApnsConfig } from './apns.config.js';
import { apnsOutcome } from './apns.errors.js';
import {
  apnsPayloadLimit,
  apnsPushTypeOf,
  buildApnsHeaders,
  buildApnsPayload,
  environmentOf,
  type ApnsOverrides,
} from './apns.request.js';
import type { ApnsDeviceExtras } from './apns.token.js';
import type { ApnsEnvironment, ApnsPayload, ApnsRequestHeaders } from './apns.wire.js';
import type { NodeApnFailure, NodeApnOptions, NodeApnSent } from './node-apn.js';
import { Channel, defaultFactory, warmedUp, type NodeApnFactory, type WriteResult } from './apns.channel.js';

interface Item {
  target: DeliveryTarget<ApnsDeviceExtras>;
  index: number;
}

export class ApnsProvider implements PushProvider<ApnsOverrides, ApnsDeviceExtras> {
  private readonly channels = new Map<ApnsEnvironment, Channel | { error: string }>();
  private readonly closing = new Set<Promise<void>>();

  constructor(
    private readonly config: ApnsConfig,
    private readonly deps: ProviderDeps,
    private readonly factory: NodeApnFactory = defaultFactory,
  ) {}

  async send(batch: SendBatch<ApnsOverrides, ApnsDeviceExtras>): Promise<SendOutcome> {
    const { message, targets } = batch;
    const results = new Array<SendResult>(targets.length);
    const overrides = batch.overrides ?? {};

    const payload = buildApnsPayload(message, this.config, overrides);
    const size = Buffer.byteLength(JSON.stringify(payload));
    const limit = apnsPayloadLimit(apnsPushTypeOf(message, overrides));
    if (size > limit) {
      // Apple would answer 413 PayloadTooLarge for every stream: say it without sending.
      const vendorMessage = `the APNs payload is ${size} bytes; APNs accepts at most ${limit} (shorten the body or the data)`;
      return { results: sameResult(targets, { outcome: 'rejected', vendorCode: 'PayloadTooLarge', vendorMessage }) };
    }

    const groups = new Map<ApnsEnvironment, Item[]>();
    targets.forEach((target, index) => {
      const env = environmentOf(target, this.config);
      const group = groups.get(env);
      if (group) group.push({ target, index });
      else groups.set(env, [{ target, index }]);
    });
    await Promise.all(
      [...groups].map(([env, items]) => this.sendGroup(env, items, message, overrides, payload, results)),
    );
    const auth = results.find((r) => r.outcome === 'auth_error');
    if (auth) this.deps.logger.warn({ provider: 'apns', vendorCode: auth.vendorCode }, auth.vendorMessage ?? 'APNs auth error');
    return { results };
  }

  private async sendGroup(
    env: ApnsEnvironment,
    items: Item[],
    message: SendBatch['message'],
    overrides: ApnsOverrides,
    payload: ApnsPayload,
    results: SendResult[],
  ): Promise<void> {
    const channel = this.channel(env);
    if ('error' in channel) {
      for (const { target, index } of items) {
        results[index] = { deliveryId: target.deliveryId, outcome: 'auth_error', vendorCode: 'credentials', vendorMessage: channel.error };
      }
      return;
    }
    const pending: Promise<void>[] = [];
    let stop: WriteResult | undefined;
    for (const { target, index } of items) {
      if (stop) {
        results[index] = this.resultOf(target, stop);
        continue;
      }
      const admission = await channel.admit();
      if (typeof admission === 'object') {
        stop = notAttempted(admission.failed);
        results[index] = this.resultOf(target, stop);
        continue;
      }
      const headers = buildApnsHeaders(message, target, this.config, overrides);
      const write = this.write(channel, headers, payload, target.token).then((r) => {
        channel.release();
        if (admission === 'warmup') channel.warmed(r);
        if (!r.sent && r.status === undefined) channel.lostAnswer();
        results[index] = this.resultOf(target, r, headers['apns-id']);
        return r;
      });
      if (admission === 'warmup') {
        const r = await write;
        if (!warmedUp(r)) stop = notAttempted(r);
      } else {
        pending.push(write.then(() => undefined));
      }
    }
    await Promise.all(pending);
  }

  private async write(channel: Channel, headers: ApnsRequestHeaders, payload: ApnsPayload, token: string): Promise<WriteResult> {
    const note = new apn.Notification();
    note.rawPayload = payload;
    note.id = headers['apns-id'];
    note.topic = headers['apns-topic'];
    note.pushType = headers['apns-push-type'];
    note.priority = headers['apns-priority'];
    if (headers['apns-expiration'] !== undefined) note.expiry = headers['apns-expiration'];
    if (headers['apns-collapse-id'] !== undefined) note.collapseId = headers['apns-collapse-id'];
    const started = process.hrtime.bigint();
    let result: WriteResult;
    try {
      const { sent, failed } = await channel.provider.send(note, token);
      const ok = sent[0] as NodeApnSent | undefined;
      result = ok ? { sent: true, status: 200, apnsId: ok['apns-id'] } : failureOf(failed[0] as NodeApnFailure | undefined);
    } catch (err) {
      result = failureOf({ error: err instanceof Error ? err : String(err) });
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.deps.observeRequest(seconds, result.sent ? undefined : result.status === undefined ? 'transport' : `http_${result.status}`);
    return result;
  }

  private resultOf(target: DeliveryTarget<ApnsDeviceExtras>, r: WriteResult, apnsId?: string): SendResult {
    if (r.sent) return { deliveryId: target.deliveryId, outcome: 'sent', vendorMessageId: r.apnsId ?? apnsId };
    const o = apnsOutcome(r, { environmentCertain: target.registered && target.extras?.apns?.environment !== undefined });
    return {
      deliveryId: target.deliveryId,
      ...o,
      ...(r.apnsId ?? apnsId ? { vendorMessageId: r.apnsId ?? apnsId } : {}),
      ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}),
    };
  }

  private channel(env: ApnsEnvironment): Channel | { error: string } {
    const existing = this.channels.get(env);
    if (existing) return existing;
    let created: Channel | { error: string };
    try {
      created = new Channel(this.factory(this.providerOptions(env)), this.config.maxStreamsPerSession);
    } catch (err) {
      // node-apn reads and checks the key/certificate here (file missing, key mismatch, expired or
      // wrong-environment certificate): a credentials problem.
      created = { error: `APNs credentials could not be loaded for ${env}: ${errorText(err)}` };
    }
    this.channels.set(env, created);
    return created;
  }

  private providerOptions(env: ApnsEnvironment): NodeApnOptions {
    const { auth, address, port, ca } = this.config;
    return {
      ...('token' in auth ? { token: { key: auth.token.key, keyId: auth.token.keyId, teamId: auth.token.teamId } } : { cert: auth.cert.cert, key: auth.cert.key }),
      ...('cert' in auth && auth.cert.passphrase !== undefined ? { passphrase: auth.cert.passphrase } : {}),
      // Always explicit: node-apn's default comes from NODE_ENV.
      production: env === 'production',
      address: APNS_HOSTS[env],
      // `host` moves only the TCP connection (SNI, certificate check and :authority stay Apple's).
      ...(address !== undefined ? { host: address } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(ca !== undefined ? { ca: [ca] } : {}),
      connectionRetryLimit: this.config.connectionRetryLimit,
      requestTimeout: this.config.requestTimeoutMs,
    };
  }

  /** Drop both sessions: the next send builds new providers, which sign a fresh JWT. */
  async refreshCredentials(): Promise<void> {
    const old = [...this.channels.values()];
    this.channels.clear();
    for (const channel of old) {
      if (!(channel instanceof Channel)) continue;
      const done = channel.shutdown().finally(() => this.closing.delete(done));
      this.closing.add(done);
    }
  }

  async close(): Promise<void> {
    await this.refreshCredentials();
    await Promise.all([...this.closing]);
  }
}

/** The rest of a batch after the session's first request failed on credentials or transport. */
function notAttempted(r: WriteResult): WriteResult {
  return {
    ...r,
    apnsId: undefined,
    errorMessage: `not sent: the first request on this APNs session failed (${r.errorMessage ?? r.reason ?? r.status})`,
  };
}

function failureOf(f: NodeApnFailure | undefined): WriteResult {
  if (!f) return { sent: false, errorMessage: 'node-apn returned no result' };
  const status = typeof f.status === 'number' ? f.status : undefined;
  const text = errorText(f.error);
  // ExpiredProviderToken comes back as error.message, not response.reason (lib/client.js:486-494).
  const reason = f.response?.reason ?? (status !== undefined && /^[A-Z][A-Za-z]+$/.test(text) ? text : undefined);
  const retryAfter = Number(f.retryAfter);
  return {
    sent: false,
    status,
    reason,
    errorMessage: status === undefined ? `APNs stream failed without an answer: ${text || String(f.status ?? 'unknown error')}` : text || undefined,
    apnsId: f['apns-id'],
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  };
}

function errorText(err: unknown): string {
  if (err === undefined || err === null) return '';
  if (typeof err === 'string') return err;
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' ? message : String(err);
}

/**
 * The APNs adapter: each target is one `POST /3/device/<token>` stream on the tenant's long-lived HTTP/2 session for
 * its environment (apns.channel.ts, providers/shared/http2-session.ts; docs/vendors/apns.md#transport):
 * - one session per environment, created on first use; the device's registered environment picks it, a raw token
 *   goes to the tenant's default;
 * - streams in flight stay under min(maxStreamsPerSession, the server's SETTINGS limit), shared by concurrent batches:
 *   a new session starts at one stream as Apple allows and ramps when Apple raises the limit;
 * - until a request was answered with the current credentials, a batch sends one target alone first: refused
 *   credentials cost one request;
 * - 429/5xx and streams that ended without an answer become `retry`/`rate_limited` for the dispatcher's backoff;
 *   streams APNs refused unprocessed (GOAWAY, REFUSED_STREAM) are sent again on the next session first.
 * Why not @parse/node-apn any more: measured, it cost about twice the CPU per notification of a plain node:http2
 * client and did not follow Apple's stream ramp (docs/vendors/apns.md#transport).
 */
import { retryAfterOf, sameResult } from '../shared/results.js';
import { parseJsonObject } from '../shared/text.js';
import type { StreamAnswer } from '../shared/http2-session.js';
import type { DeliveryTarget, ProviderDeps, PushProvider, SendBatch, SendOutcome, SendResult } from '../types.js';
import type { ApnsConfig } from './apns.config.js';
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
import type { ApnsEnvironment, ApnsRequestHeaders } from './apns.wire.js';
import { Channel, credentialsAccepted, type WriteResult } from './apns.channel.js';

interface Item {
  target: DeliveryTarget<ApnsDeviceExtras>;
  index: number;
}

export class ApnsProvider implements PushProvider<ApnsOverrides, ApnsDeviceExtras> {
  private readonly channels = new Map<ApnsEnvironment, Channel | { error: string }>();

  constructor(
    private readonly config: ApnsConfig,
    private readonly deps: ProviderDeps,
  ) {}

  async send(batch: SendBatch<ApnsOverrides, ApnsDeviceExtras>): Promise<SendOutcome> {
    const { message, targets } = batch;
    const results = new Array<SendResult>(targets.length);
    const overrides = batch.overrides ?? {};

    // Encoded once and shared by every stream of the batch.
    const body = Buffer.from(JSON.stringify(buildApnsPayload(message, this.config, overrides)), 'utf8');
    const size = body.length;
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
      [...groups].map(([env, items]) => this.sendGroup(env, items, message, overrides, body, results)),
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
    body: Buffer,
    results: SendResult[],
  ): Promise<void> {
    const channel = this.channel(env);
    if ('error' in channel) {
      for (const { target, index } of items) {
        results[index] = { deliveryId: target.deliveryId, outcome: 'auth_error', vendorCode: 'credentials', vendorMessage: channel.error };
      }
      return;
    }
    // Answers arrive by callback, counted down to one promise for the batch: no promise per stream.
    let open = 1;
    let allAnswered!: () => void;
    const answered = new Promise<void>((resolve) => (allAnswered = resolve));
    const settle = () => --open === 0 && allAnswered();
    let stop: WriteResult | undefined;
    for (const { target, index } of items) {
      if (stop) {
        results[index] = this.resultOf(target, stop);
        continue;
      }
      const ready = channel.admit();
      const admission = typeof ready === 'string' ? ready : await ready;
      if (typeof admission === 'object') {
        stop = notAttempted(admission.failed);
        results[index] = this.resultOf(target, stop);
        continue;
      }
      const headers = buildApnsHeaders(message, target, this.config, overrides);
      if (admission === 'verify') {
        const r = await new Promise<WriteResult>((resolve) => this.write(channel, headers, body, target.token, resolve));
        results[index] = this.resultOf(target, r, headers['apns-id']);
        channel.verified(r);
        if (!credentialsAccepted(r)) stop = notAttempted(r);
      } else {
        open++;
        this.write(channel, headers, body, target.token, (r) => {
          results[index] = this.resultOf(target, r, headers['apns-id']);
          settle();
        });
      }
    }
    settle();
    await answered;
  }

  private write(channel: Channel, h: ApnsRequestHeaders, body: Buffer, token: string, done: (r: WriteResult) => void): void {
    const started = performance.now();
    // The target's own headers object goes out as it is (node writes numbers as decimal text): no copy per target.
    channel.send({ path: `/3/device/${token}`, headers: h, body }, (answer) => {
      const result = this.writeResultOf(answer);
      // Apple says the token is too old: the next request signs a new one, whether or not the dispatcher refreshes.
      if (result.reason === 'ExpiredProviderToken') channel.token?.invalidate();
      this.deps.observeRequest((performance.now() - started) / 1000, result.sent ? undefined : result.status === undefined ? (answer.error ?? 'transport') : `http_${result.status}`);
      done(result);
    });
  }

  /** One stream's answer as a WriteResult: 200 with the echoed apns-id, else Apple's JSON `{ reason }`. */
  private writeResultOf(a: StreamAnswer): WriteResult {
    if (a.status === undefined) return { sent: false, errorMessage: `APNs stream ended without an answer (${a.error ?? 'transport'})` };
    const apnsId = headerText(a.headers?.['apns-id']);
    if (a.status === 200) return { sent: true, status: 200, apnsId };
    const reason = parseJsonObject(a.body)?.reason;
    return {
      sent: false,
      status: a.status,
      reason: typeof reason === 'string' ? reason : undefined,
      errorMessage: typeof reason === 'string' ? reason : undefined,
      apnsId,
      retryAfterMs: retryAfterOf(a.headers, this.deps.now()),
    };
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
      created = new Channel(env, this.config, this.deps);
    } catch (err) {
      // The .p8 key or the certificate/key pair cannot be used (not a key, key mismatch, wrong passphrase).
      created = { error: `APNs credentials could not be loaded for ${env}: ${errorText(err)}` };
    }
    this.channels.set(env, created);
    return created;
  }

  /** After an auth_error: a fresh JWT (token auth) or a new TLS connection (certificate auth) for the next send. */
  async refreshCredentials(): Promise<void> {
    for (const channel of this.channels.values()) if (channel instanceof Channel) channel.refresh();
  }

  async close(): Promise<void> {
    const channels = [...this.channels.values()];
    this.channels.clear();
    await Promise.all(channels.map((c) => (c instanceof Channel ? c.close() : undefined)));
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

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function errorText(err: unknown): string {
  if (err === undefined || err === null) return '';
  if (typeof err === 'string') return err;
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' ? message : String(err);
}

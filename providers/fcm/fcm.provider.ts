/**
 * FCM HTTP v1 adapter (docs/vendors/fcm.md#transport, #request): firebase-admin supplies the OAuth access token
 * (fcm.credentials.ts); each target is one `POST /v1/projects/{project}/messages:send` stream on
 * the tenant's persistent HTTP/2 session (providers/shared/http2-session.ts); fcm.errors.ts decides the outcomes.
 * On `auth_error` the dispatcher calls `refreshCredentials()` once and resends; this adapter
 * never loops on auth errors itself.
 */
import { retryAfterOf, sameResult } from '../shared/results.js';
import { parseJsonObject } from '../shared/text.js';
import type { ProviderDeps, PushProvider, SendBatch, SendOutcome } from '../types.js';
import type { FcmConfig } from './fcm.config.js';
import { FcmAccessTokens, FcmCredentialError, serviceAccountOf } from './fcm.credentials.js';
import { fcmBatchResults, fcmErrorCodeOf, type FcmAnswer, type FcmTargetAnswer } from './fcm.errors.js';
import { buildFcmMessage, buildFcmRequestHead, fcmBodyFor, fcmPlatformOf, type FcmDeviceExtras, type FcmOverrides } from './fcm.request.js';
import { Http2Session, type StreamAnswer } from '../shared/http2-session.js';
import type { FcmErrorBody, FcmSendResponse } from './fcm.wire.js';

export class FcmProvider implements PushProvider<FcmOverrides, FcmDeviceExtras> {
  readonly projectId: string;
  /** Exposed for tests and diagnostics (sessions opened, streams in flight). */
  readonly session: Http2Session;
  /** Exposed for tests and diagnostics (OAuth exchanges made). */
  readonly tokens: FcmAccessTokens;
  private readonly basePath: string;

  constructor(
    private readonly config: FcmConfig,
    private readonly deps: ProviderDeps,
  ) {
    const projectId = config.projectId ?? serviceAccountOf(config.credential)?.project_id;
    if (!projectId) throw new Error('fcm: projectId is required (set projectId, or use a service account with project_id)');
    this.projectId = projectId;
    const url = new URL(config.endpoint);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.session = new Http2Session({
      origin: url.origin,
      tls: { ca: config.ca },
      label: 'fcm',
      timeoutMs: config.timeoutMs,
      maxStreams: config.maxConcurrentStreams,
      logger: deps.logger,
    });
    this.tokens = new FcmAccessTokens(config, deps);
  }

  async send(batch: SendBatch<FcmOverrides, FcmDeviceExtras>): Promise<SendOutcome> {
    const { message, targets } = batch;
    if (targets.length === 0) return { results: [] };

    // One template per payload variant (Android, or iOS per apns-topic), stringified once.
    const bodies = new Map<string, (token: string) => string>();
    const keys: string[] = [];
    const now = this.deps.now();
    for (const t of targets) {
      const platform = fcmPlatformOf(t);
      const topic = t.extras?.apns?.topic;
      const key = platform === 'ios' ? `ios:${topic ?? ''}` : 'android';
      if (!bodies.has(key)) bodies.set(key, fcmBodyFor(buildFcmMessage(message, platform, this.config, now, topic, batch.overrides)));
      keys.push(key);
    }

    let accessToken: string;
    try {
      accessToken = await this.tokens.get();
    } catch (err) {
      const e = err instanceof FcmCredentialError ? err : new FcmCredentialError('retry', 'oauth_transport', String(err));
      this.deps.logger.warn({ vendorCode: e.vendorCode, outcome: e.outcome }, `fcm: ${e.message}`);
      return { results: sameResult(targets, { outcome: e.outcome, vendorCode: e.vendorCode, vendorMessage: e.message }) };
    }
    const head = buildFcmRequestHead(this.projectId, accessToken, this.basePath);

    const answers = await Promise.all(
      targets.map(async (t, i): Promise<FcmTargetAnswer> => {
        const payloadKey = keys[i] as string;
        const body = (bodies.get(payloadKey) as (token: string) => string)(t.token);
        const started = process.hrtime.bigint();
        const a = await this.session.request({ path: head.path, headers: head.headers, body });
        const reason = a.error ?? (a.status !== undefined && a.status >= 400 ? `http_${a.status}` : undefined);
        this.deps.observeRequest(Number(process.hrtime.bigint() - started) / 1e9, reason);
        return { deliveryId: t.deliveryId, payloadKey, answer: this.answerOf(a) };
      }),
    );
    return { results: fcmBatchResults(answers) };
  }

  async refreshCredentials(): Promise<void> {
    this.tokens.invalidate();
  }

  async warmUp(): Promise<void> {
    await this.tokens.get();
  }

  async close(): Promise<void> {
    await this.session.close();
    this.tokens.close();
  }

  private answerOf(a: StreamAnswer): FcmAnswer {
    if (a.status === undefined) return { code: a.error ?? 'transport', message: `the stream ended without an answer (${a.error ?? 'transport'})` };
    const body = parseJsonObject(a.body);
    if (a.status >= 200 && a.status < 300) {
      const name = (body as Partial<FcmSendResponse> | undefined)?.name;
      return { status: a.status, ...(typeof name === 'string' ? { name } : {}) };
    }
    const err = (body as Partial<FcmErrorBody> | undefined)?.error;
    return {
      status: a.status,
      code: fcmErrorCodeOf(body),
      message: typeof err?.message === 'string' ? err.message : `HTTP ${a.status}`,
      retryAfterMs: retryAfterOf(a.headers, this.deps.now()),
    };
  }
}

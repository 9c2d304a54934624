/**
 * HarmonyOS NEXT Push Kit v3 adapter: a thin transport around the pure builders and the outcome
 * table (docs/vendors/harmony.md). The Bearer token is our own PS256 JWT, cached for its life and
 * re-signed before it expires (no token exchange); one send request per batch (requests of ≤ 10 tokens
 * for test messages), one SendResult per target; recall through `messages:revoke`.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { CredentialCache, type FetchedCredential } from '../shared/credentials.js';
import { createVendorHttp, transportReason, type VendorHttp, type VendorResponse } from '../shared/http.js';
import { credentialFailure, retryAfterOf, sameResult, transportRetry } from '../shared/results.js';
import { clip, parseJsonObject } from '../shared/text.js';
import type { DeliveryTarget, ProviderDeps, PushProvider, RecallRequest, RecallResult, SendBatch, SendOutcome, SendResult } from '../types.js';
import type { HarmonyConfig } from './harmony.config.js';
import { harmonyOutcomeFor, illegalTokenOutcome, parseIllegalTokens } from './harmony.errors.js';
import { harmonyJwtParts, signHarmonyJwt } from './harmony.jwt.js';
import {
  buildHarmonyHeaders,
  buildHarmonyRevokeRequest,
  buildHarmonySendRequest,
  harmonyPushTypeOf,
  harmonyRevokePath,
  harmonySendPath,
  type HarmonyOverrides,
} from './harmony.request.js';
import { HARMONY_CODES, HARMONY_MAX_TEST_TOKENS, HARMONY_MAX_TOKENS, HARMONY_PUSH_TYPES, type HarmonyPushType, type HarmonyResponse } from './harmony.wire.js';

/** Re-sign this long before the JWT's `exp` (at most half its life): no send races its expiry. */
export const HARMONY_JWT_REFRESH_MARGIN_MS = 5 * 60_000;

export class HarmonyProvider implements PushProvider<HarmonyOverrides> {
  private readonly http: VendorHttp;
  private readonly key: KeyObject;
  /** The JWT is ours, not fetched: the cache keeps one for its life, as Huawei asks ("reusable while valid"). */
  private readonly jwt: CredentialCache<string>;
  /**
   * Set once the vendor accepted a token for this config: the project id is then right, and
   * `noRight` on a token means the token, not the config (see `illegalTokenOutcome`).
   */
  private projectConfirmed = false;

  constructor(
    private readonly config: HarmonyConfig,
    private readonly deps: ProviderDeps,
  ) {
    this.http = createVendorHttp({ baseURL: config.endpoint, ca: config.ca, timeoutMs: config.timeoutMs }, deps);
    this.key = createPrivateKey(config.serviceAccount.private_key);
    this.jwt = new CredentialCache({ fetch: async () => this.mint(), now: () => deps.now(), refreshMarginMs: HARMONY_JWT_REFRESH_MARGIN_MS });
  }

  /**
   * The dispatcher sends 1..1000 distinct tokens with one payload (limits.maxTargetsPerRequest): one request.
   * A test message is the exception the dispatcher cannot know (it is an override): Huawei takes ≤ 10 tokens
   * for one (else 80300030), so it goes in requests of 10.
   */
  async send(batch: SendBatch<HarmonyOverrides>): Promise<SendOutcome> {
    const { targets } = batch;
    if (targets.length === 0) return { results: [] };
    if (batch.overrides?.testMessage && targets.length > HARMONY_MAX_TEST_TOKENS) {
      const results: SendResult[] = [];
      for (let i = 0; i < targets.length; i += HARMONY_MAX_TEST_TOKENS) results.push(...(await this.sendRequest(batch, targets.slice(i, i + HARMONY_MAX_TEST_TOKENS))));
      return { results };
    }
    return { results: await this.sendRequest(batch, targets) };
  }

  /** Sign the first JWT now, so a key the vendor's algorithm cannot use shows at start-up. */
  async warmUp(): Promise<void> {
    await this.jwt.get();
  }

  /** After an auth error: the next request carries a newly signed JWT. */
  async refreshCredentials(): Promise<void> {
    this.jwt.invalidate();
  }

  /**
   * `POST /v1/{clientId}/messages:revoke` with the message's notify id and ≤ 1000 tokens per request
   * (docs/vendors/harmony.md#recall). A data-only (background) message has no notification to take
   * back, and without `clientId` in the config there is no revoke URL.
   */
  async recall(request: RecallRequest<HarmonyOverrides>): Promise<RecallResult[]> {
    const tokens = [...new Set(request.tokens)];
    if (tokens.length === 0) return [];
    if (!request.message.notification) return tokens.map((token) => ({ token, outcome: 'not_recallable', reason: 'a data-only (background) message has no notification to recall' }));
    const clientId = this.config.clientId;
    if (clientId === undefined) return tokens.map((token) => ({ token, outcome: 'failed', reason: 'recall needs clientId in the harmony config (POST /v1/{clientId}/messages:revoke)' }));
    const results: RecallResult[] = [];
    for (let i = 0; i < tokens.length; i += HARMONY_MAX_TOKENS) {
      const chunk = tokens.slice(i, i + HARMONY_MAX_TOKENS);
      let res: VendorResponse;
      try {
        res = await this.post(harmonyRevokePath(clientId), buildHarmonyRevokeRequest(request.message, chunk, request.overrides), HARMONY_PUSH_TYPES.ALERT);
      } catch (err) {
        results.push(...chunk.map((token): RecallResult => ({ token, outcome: 'failed', reason: `transport: ${transportReason(err)}` })));
        continue;
      }
      results.push(...this.interpretRevoke(res, chunk));
    }
    return results;
  }

  async close(): Promise<void> {
    this.http.close();
  }

  /** One `messages:send` request for these targets. */
  private async sendRequest(batch: SendBatch<HarmonyOverrides>, targets: readonly DeliveryTarget[]): Promise<SendResult[]> {
    let jwt: string;
    try {
      jwt = await this.jwt.get();
    } catch (err) {
      return sameResult(targets, credentialFailure(err));
    }
    const body = buildHarmonySendRequest(batch.message, targets.map((t) => t.token), this.config, batch.callbackRef, this.deps.now(), batch.overrides);
    let res: VendorResponse;
    try {
      res = await this.http.post(harmonySendPath(this.config.projectId), body, buildHarmonyHeaders(jwt, harmonyPushTypeOf(batch.message)));
    } catch (err) {
      return sameResult(targets, transportRetry(err));
    }
    return this.interpret(res, targets);
  }

  private async mint(): Promise<FetchedCredential<string>> {
    const { header, claims } = harmonyJwtParts(this.config.serviceAccount, this.deps.now(), this.config.jwtLifetimeSeconds);
    return { value: signHarmonyJwt(header, claims, this.key), expiresAt: claims.exp * 1000 };
  }

  private async post(path: string, body: unknown, pushType: HarmonyPushType): Promise<VendorResponse> {
    const jwt = await this.jwt.get();
    return this.http.post(path, body, buildHarmonyHeaders(jwt, pushType));
  }

  private interpret(res: VendorResponse, targets: readonly DeliveryTarget[]): SendResult[] {
    const { code, msg, requestId } = answerOf(res);
    const perToken = code === HARMONY_CODES.PARTIAL_SUCCESS || code === HARMONY_CODES.ALL_TOKENS_INVALID;
    if (perToken && res.status < 500) return this.perToken(code, msg, requestId, targets);
    const outcome = harmonyOutcomeFor(code, res.status);
    if (outcome === 'sent') this.projectConfirmed = true;
    const retryAfterMs = outcome === 'rate_limited' || outcome === 'retry' ? retryAfterOf(res.headers, this.deps.now()) : undefined;
    return sameResult(targets, {
      outcome,
      vendorCode: code ?? `http_${res.status}`,
      vendorMessage: outcome === 'sent' ? undefined : clip(msg ?? `HTTP ${res.status}`),
      vendorMessageId: requestId,
      retryAfterMs,
    });
  }

  /**
   * 80100000 (some tokens failed) / 80300007 (all failed): the reasons in `msg.illegalTokens` decide
   * per token. Without a readable list, 80100000 keeps every target `sent` (the vendor took the good
   * ones, resending would duplicate) and 80300007 retries every target: Huawei's table says "prune
   * if the reason is token-related", and some reasons are not (`noPushTypeRight`, `notSupportPlayVoice`
   * would then prune every device of the app), so without the reasons pruning would be a guess
   * (https://developer.huawei.com/consumer/en/doc/harmonyos-references-V13/push-scenariozed-api-response-V13/).
   */
  private perToken(code: string, msg: string | undefined, requestId: string | undefined, targets: readonly DeliveryTarget[]): SendResult[] {
    const illegal = parseIllegalTokens(msg);
    const all = code === HARMONY_CODES.ALL_TOKENS_INVALID;
    if (!illegal) {
      this.deps.logger.warn({ provider: 'harmony', requestId, code }, 'harmony per-token answer without a readable illegalTokens list');
      return sameResult(targets, { outcome: all ? 'retry' : 'sent', vendorCode: code, vendorMessage: all ? clip(msg ?? 'all tokens invalid, no reasons given') : undefined, vendorMessageId: requestId });
    }
    const distinct = new Set(targets.map((t) => t.token));
    const someAccepted = [...distinct].some((t) => !illegal.has(t));
    if (someAccepted) this.projectConfirmed = true;
    const allNoRight = [...distinct].every((t) => illegal.get(t) === 'noRight');
    return targets.map((t): SendResult => {
      const reason = illegal.get(t.token);
      if (reason === undefined) return { deliveryId: t.deliveryId, outcome: all ? 'retry' : 'sent', vendorCode: code, vendorMessageId: requestId };
      const verdict = illegalTokenOutcome(reason);
      let outcome = verdict.outcome;
      if (verdict.prunable === 'if_project_ok' && !this.projectConfirmed) {
        // noRight for every token of several, before any token went through: most likely our
        // projectId is not the app's project. Say so (lane paused, visible) rather than prune them all;
        // a lone token is retried, and pruned once a send has shown the project to be right.
        outcome = allNoRight && distinct.size > 1 ? 'auth_error' : 'retry';
      }
      return { deliveryId: t.deliveryId, outcome, vendorCode: code, vendorMessage: clip(reason), vendorMessageId: requestId };
    });
  }

  private interpretRevoke(res: VendorResponse, tokens: readonly string[]): RecallResult[] {
    const { code, msg } = answerOf(res);
    if (code === HARMONY_CODES.SUCCESS && res.status < 300) return tokens.map((token) => ({ token, outcome: 'recalled' }));
    if ((code === HARMONY_CODES.PARTIAL_SUCCESS || code === HARMONY_CODES.ALL_TOKENS_INVALID) && res.status < 500) {
      // Which reasons a revoke answer names is UNVERIFIED: a listed token had nothing to take back.
      const illegal = parseIllegalTokens(msg);
      const all = code === HARMONY_CODES.ALL_TOKENS_INVALID;
      return tokens.map((token): RecallResult => {
        const reason = illegal?.get(token);
        if (reason !== undefined || all) return { token, outcome: 'not_recallable', reason: clip(reason ?? msg ?? code), vendorCode: code };
        // Partial success without a readable list: which tokens failed is unknown; revoking again is harmless.
        if (!illegal) return { token, outcome: 'failed', reason: 'partial revoke answer without a token list', vendorCode: code };
        return { token, outcome: 'recalled' };
      });
    }
    const outcome = harmonyOutcomeFor(code, res.status);
    return tokens.map((token) => ({ token, outcome: outcome === 'rejected' ? 'not_recallable' : 'failed', reason: clip(msg ?? `HTTP ${res.status}`), vendorCode: code ?? `http_${res.status}` }));
  }
}

function answerOf(res: VendorResponse): { code: string | undefined; msg: string | undefined; requestId: string | undefined } {
  const data = parseJsonObject(res.data) as Partial<HarmonyResponse> | undefined;
  const code = data?.code !== undefined && data.code !== null ? String(data.code) : undefined;
  return { code, msg: typeof data?.msg === 'string' ? data.msg : undefined, requestId: typeof data?.requestId === 'string' ? data.requestId : undefined };
}

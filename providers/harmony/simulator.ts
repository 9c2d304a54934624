/**
 * An in-process HarmonyOS NEXT Push Kit v3 server (docs/vendors/harmony.md#simulator), written from
 * Huawei's documentation, not from the adapter: it generates a service-account key pair and hands
 * out the key file, verifies every Bearer JWT against the PUBLIC half (PS256, `kid`, `iss`, `aud`,
 * lifetime ≤ 1 day, expiry) the way Push Kit does, checks `push-type`, batch and field limits,
 * answers per token with `illegalTokens`, remembers what it delivered so `messages:revoke` can take
 * it back, and posts signed receipt-V2 callbacks when a receipt URL is configured.
 *
 * Quota: Push Kit has no send-time quota code; per-device and scenario caps surface only in
 * receipts (102, 256). So `quotaExhausted` changes no send answer: the receipts of accepted tokens
 * then carry 256 (MARKETING notifications) or 102 (anything else) instead of 0.
 */
import { constants, createHmac, generateKeyPairSync, randomBytes, randomUUID, verify, type KeyObject } from 'node:crypto';
import axios from 'axios';
import { SimControls } from '../shared/sim-controls.js';
import { ReceiptOutbox } from '../shared/sim-receipts.js';
import { startHttpSimulator, type HttpSimulator, type SimRequest, type SimResponse } from '../shared/sim-server.js';
import {
  C,
  CALLBACK_HEADER,
  checkOptions,
  checkPayload,
  decodeJson,
  JWT_AUDIENCE,
  JWT_MAX_LIFETIME_S,
  MAX_BODY_BYTES,
  MAX_TEST_TOKENS,
  MAX_TOKENS,
  PUSH_TYPES,
  type HarmonySimReceiptStatus,
  type HarmonySimSendBody,
  type HarmonySimServiceAccount,
} from './simulator.rules.js';

export type { HarmonySimReceiptStatus, HarmonySimSendBody, HarmonySimServiceAccount } from './simulator.rules.js';

export interface HarmonySimulatorOptions {
  /** @default '388421841221000001' */
  projectId?: string;
  /** The app's client id in the revoke path. @default '110000001' */
  clientId?: string;
  /** The simulator's clock (JWT expiry, receipts). @default Date.now */
  now?: () => number;
  /** RSA modulus of the generated service-account key (Huawei's example key is 4096). @default 2048 */
  keyBits?: number;
  /** The AppGallery Connect receipt configuration: when given, accepted tokens get receipts posted there. */
  receipts?: HarmonyReceiptConfig;
}

export interface HarmonyReceiptConfig {
  url: string;
  callbackUserName?: string | undefined;
  callbackKey?: string | undefined;
}

export interface CannedAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const SEND_PATH = /^\/v3\/([^/]+)\/messages:send$/;
const REVOKE_PATH = /^\/v1\/([^/]+)\/messages:revoke$/;
export class HarmonySimulator extends SimControls {
  readonly projectId: string;
  readonly clientId: string;
  readonly keyId: string;
  readonly subAccount: string;
  /** The `illegalTokens` reason given for `invalidTokens`. */
  invalidTokenReason = 'tokenFormatError';
  /** Tokens answered with a chosen reason (noRight, noPushTypeRight, …). */
  readonly tokenReasons = new Map<string, string>();
  revokeRequests = 0;
  /** Every (notifyId, token) taken back by a revoke. */
  readonly revoked: Array<{ notifyId: number; token: string }> = [];
  /** The last send that passed auth, with its push-type header. */
  lastSend: { pushType: number; body: HarmonySimSendBody } | undefined;
  /** Every JWT that passed verification, decoded (tests check the re-signing). */
  readonly jwtsSeen: Array<{ jwt: string; header: Record<string, unknown>; claims: Record<string, unknown> }> = [];
  receiptConfig: HarmonyReceiptConfig | undefined;
  readonly receipts = new ReceiptOutbox();

  private readonly now: () => number;
  private readonly privateKeyPem: string;
  private publicKey: KeyObject;
  private readonly ownPublicKey: KeyObject;
  /** Every JWT that passed verification, as sent: what `rejectCredentials` revokes. */
  private readonly jwtsAccepted = new Set<string>();
  /** JWTs signed with a key the console revoked (`rejectCredentials`): refused with 80200001 from then on. */
  private readonly jwtsRevoked = new Set<string>();
  private readonly canned: CannedAnswer[] = [];
  /** notifyId → tokens it was delivered to (what revoke can take back). */
  private readonly delivered = new Map<number, Set<string>>();
  private requestSeq = 0;

  private constructor(
    private readonly server: HttpSimulator,
    opts: HarmonySimulatorOptions,
  ) {
    super();
    this.projectId = opts.projectId ?? '388421841221000001';
    this.clientId = opts.clientId ?? '110000001';
    this.now = opts.now ?? Date.now;
    this.receiptConfig = opts.receipts;
    this.keyId = randomBytes(16).toString('hex');
    this.subAccount = String(100_000_000_000 + Math.floor(Math.random() * 1e11));
    const pair = generateKeyPairSync('rsa', { modulusLength: opts.keyBits ?? 2048 });
    this.privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.publicKey = pair.publicKey;
    this.ownPublicKey = pair.publicKey;
  }

  static async start(opts: HarmonySimulatorOptions = {}): Promise<HarmonySimulator> {
    const ref: { sim?: HarmonySimulator } = {};
    const server = await startHttpSimulator((req) => {
      if (!ref.sim) throw new Error('simulator not started');
      return ref.sim.handle(req);
    }, { recordRequests: false });
    ref.sim = new HarmonySimulator(server, opts);
    return ref.sim;
  }

  get url(): string {
    return this.server.url;
  }

  /** The key file the developer API console would download for this project. */
  serviceAccount(): HarmonySimServiceAccount {
    return {
      project_id: this.projectId,
      key_id: this.keyId,
      private_key: this.privateKeyPem,
      sub_account: this.subAccount,
      auth_uri: 'https://oauth-login.cloud.huawei.com/oauth2/v3/authorize',
      token_uri: JWT_AUDIENCE,
      auth_provider_cert_uri: 'https://oauth-login.cloud.huawei.com/oauth2/v3/certs',
      client_cert_uri: `https://oauth-login.cloud.huawei.com/oauth2/v3/x509?client_id=${this.subAccount}`,
    };
  }

  /** The console deleted the key: every JWT signed with it is refused (80200001) until `restoreKey`. */
  rotateKey(): void {
    this.publicKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
  }

  /** The key file's key is valid again. */
  restoreKey(): void {
    this.publicKey = this.ownPublicKey;
  }

  /**
   * `rejectCredentials`: the console revoked the key the tenant's JWTs are signed with. Every JWT seen so far
   * stays refused (80200001); once set back, only a newly signed JWT (`refreshCredentials`) goes through.
   */
  protected override revokeIssuedCredentials(): void {
    for (const jwt of this.jwtsAccepted) this.jwtsRevoked.add(jwt);
    this.jwtsAccepted.clear();
  }

  /** Answer the next authorized sends with these answers, in order (codes the simulator cannot provoke). */
  answerNext(...answers: CannedAnswer[]): void {
    this.canned.push(...answers);
  }

  /** POST a receipt-V2 body to `url` as Huawei does, signed when `signing` is given. */
  async sendReceipt(
    url: string,
    statuses: HarmonySimReceiptStatus[],
    signing?: { callbackUserName: string; callbackKey: string; timestamp?: number },
  ): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signing) headers[CALLBACK_HEADER] = this.callbackHeader(signing.callbackUserName, signing.callbackKey, signing.timestamp);
    const res = await axios.post(url, { statuses }, { headers, validateStatus: () => true, proxy: false });
    return { status: res.status, body: res.data as unknown };
  }

  /**
   * `X-HUAWEI-CALLBACK-ID: timestamp=…;nonce=…;value=Base64(HmacSHA256(secret, timestamp + nonce + userName))`
   * (https://developer.huawei.com/consumer/cn/doc/harmonyOS-guides/push-msg-receipt/).
   */
  callbackHeader(callbackUserName: string, callbackKey: string, timestamp = this.now()): string {
    const nonce = randomUUID();
    const value = createHmac('sha256', callbackKey).update(`${timestamp}${nonce}${callbackUserName}`, 'utf8').digest('base64');
    return `timestamp=${timestamp};nonce=${nonce};value=${value}`;
  }

  async close(): Promise<void> {
    await this.receipts.close();
    await this.server.close();
  }

  private handle(req: SimRequest): SimResponse {
    if (req.method !== 'POST') return { status: 404, body: { error: 'not found' } };
    const send = SEND_PATH.exec(req.path);
    if (send) {
      this.recordSend(req.path, req.headers, req.rawBody);
      const fault = this.faults.takeTransport();
      if (fault) return { fault };
      const answer = this.answerSend(req, decodeURIComponent(send[1] ?? ''));
      return this.delayMs > 0 ? { ...answer, delayMs: this.delayMs } : answer;
    }
    const revoke = REVOKE_PATH.exec(req.path);
    if (revoke) return this.answerRevoke(req, decodeURIComponent(revoke[1] ?? ''));
    return { status: 404, body: { error: 'not found' } };
  }

  /**
   * The JWT checks of Push Kit (docs/vendors/harmony.md#authentication): PS256 over
   * `header.claims` with the key's public half, `kid` = key_id, `iss` = sub_account, `aud` = the
   * token URI; `exp - iat` > 1 day → 80300036; expired → 80200005; anything else wrong → 80200001, and so
   * is every JWT while `rejectCredentials` is set, and afterwards any JWT seen before or during it.
   */
  private checkJwt(req: SimRequest): SimResponse | undefined {
    const denied = (code: string, msg: string) => this.answer(401, code, msg);
    const m = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(String(req.headers.authorization ?? ''));
    if (!m) return denied(C.AUTH_ERROR, 'authentication error: no JWT');
    const [, h = '', p = '', s = ''] = m;
    const jwt = `${h}.${p}.${s}`;
    if (this.rejectCredentials) {
      this.jwtsRevoked.add(jwt);
      return denied(C.AUTH_ERROR, 'authentication error: the service account key was revoked');
    }
    if (this.jwtsRevoked.has(jwt)) return denied(C.AUTH_ERROR, 'authentication error: the service account key was revoked');
    const header = decodeJson(h);
    const claims = decodeJson(p);
    if (!header || !claims) return denied(C.AUTH_ERROR, 'authentication error: unreadable JWT');
    if (header['alg'] !== 'PS256') return denied(C.AUTH_ERROR, 'authentication error: alg must be PS256');
    if (header['kid'] !== this.keyId) return denied(C.AUTH_ERROR, 'authentication error: unknown kid');
    const signed = verify('sha256', Buffer.from(`${h}.${p}`, 'utf8'), { key: this.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(s, 'base64url'));
    if (!signed) return denied(C.AUTH_ERROR, 'authentication error: bad signature');
    if (claims['iss'] !== this.subAccount) return denied(C.AUTH_ERROR, 'authentication error: iss is not the sub_account');
    if (claims['aud'] !== JWT_AUDIENCE) return denied(C.AUTH_ERROR, 'authentication error: wrong aud');
    const iat = claims['iat'];
    const exp = claims['exp'];
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= iat) return denied(C.AUTH_ERROR, 'authentication error: iat/exp');
    if (exp - iat > JWT_MAX_LIFETIME_S) return denied(C.JWT_LIFETIME_TOO_LONG, 'the JWT validity period exceeds 1 day');
    if (this.now() / 1000 >= exp) return denied(C.JWT_EXPIRED, 'the JWT has expired');
    this.jwtsSeen.push({ jwt, header, claims });
    this.jwtsAccepted.add(jwt);
    return undefined;
  }

  private answerSend(req: SimRequest, pathProjectId: string): SimResponse {
    const throttled = this.faults.takeThrottle();
    if (throttled) {
      const headers: Record<string, string> = throttled.retryAfterSeconds !== undefined ? { 'retry-after': String(throttled.retryAfterSeconds) } : {};
      return { status: 503, headers, body: 'Service Unavailable' };
    }
    if (this.faults.takeFail()) return this.answer(500, C.INTERNAL_ERROR, 'Internal error');
    const denied = this.checkJwt(req);
    if (denied) return denied;
    // The JWT's project must be the path's (a wrong projectId is one of 80200001's causes).
    if (pathProjectId !== this.projectId) return this.answer(401, C.AUTH_ERROR, 'authentication error: project mismatch');
    const canned = this.canned.shift();
    if (canned) return { status: canned.status, body: canned.body, ...(canned.headers ? { headers: canned.headers } : {}) };

    const pushType = Number(req.headers['push-type']);
    if (!/^\d+$/.test(String(req.headers['push-type'] ?? '')) || !PUSH_TYPES.has(pushType)) return this.answer(400, C.BAD_PAYLOAD, 'Illegal payload, push-type is invalid');
    const body = req.body as Partial<HarmonySimSendBody> | undefined;
    if (typeof body !== 'object' || body === null || typeof body.payload !== 'object' || body.payload === null) return this.answer(400, C.BAD_PAYLOAD, 'Illegal payload');
    const tokens = body.target?.token;
    const options = (body.pushOptions ?? {}) as Record<string, unknown>;
    if (!Array.isArray(tokens) || tokens.length === 0 || tokens.some((t) => typeof t !== 'string')) return this.answer(400, C.PARAM_ERROR, 'target.token is required');
    if (options['testMessage'] === true && tokens.length > (pushType === 1 ? 1 : MAX_TEST_TOKENS)) return this.answer(400, C.TEST_MESSAGE_TOO_MANY_TOKENS, 'too many tokens for a test message');
    if (tokens.length > (pushType === 1 ? 1 : MAX_TOKENS)) return this.answer(400, C.TOO_MANY_TOKENS, 'the number of tokens is out of range');
    if (Buffer.byteLength(JSON.stringify({ ...body, target: { token: [] } }), 'utf8') > MAX_BODY_BYTES) return this.answer(400, C.BODY_TOO_LARGE, 'the message body size exceeds 4096 bytes');
    const invalid = checkOptions(options) ?? checkPayload(pushType, body.payload as Record<string, unknown>);
    if (invalid) return this.answer(400, invalid.code, invalid.msg);
    this.lastSend = { pushType, body: body as HarmonySimSendBody };

    const illegal: Record<string, string[]> = {};
    const good: string[] = [];
    for (const t of tokens as string[]) {
      const reason = this.tokenReasons.get(t) ?? (this.invalidTokens.has(t) ? this.invalidTokenReason : undefined);
      if (reason) (illegal[reason] ??= []).push(t);
      else good.push(t);
    }
    this.accepted.push(...good);
    const notification = (body.payload as { notification?: { notifyId?: unknown; category?: unknown } }).notification;
    if (typeof notification?.notifyId === 'number' && good.length > 0) {
      const set = this.delivered.get(notification.notifyId) ?? new Set<string>();
      for (const t of good) set.add(t);
      this.delivered.set(notification.notifyId, set);
    }
    const failure = tokens.length - good.length;
    if (good.length === 0) return this.answer(400, C.ALL_TOKENS_INVALID, JSON.stringify({ illegalTokens: illegal, failure }));
    const answer = failure > 0 ? this.answer(200, C.PARTIAL_SUCCESS, JSON.stringify({ illegalTokens: illegal, success: good.length, failure })) : this.answer(200, C.SUCCESS, 'Success');
    const result = !this.quotaExhausted ? 0 : notification?.category === 'MARKETING' ? 256 : 102;
    const biTag = typeof options['biTag'] === 'string' ? options['biTag'] : undefined;
    this.receiptsLater(good, pushType, biTag, (answer.body as { requestId: string }).requestId, result);
    return answer;
  }

  /** `messages:revoke`: push-type 0 or 2, `notifyId`, ≤ 1000 tokens; takes back what was delivered with that id. */
  private answerRevoke(req: SimRequest, pathClientId: string): SimResponse {
    this.revokeRequests += 1;
    const denied = this.checkJwt(req);
    if (denied) return denied;
    if (pathClientId !== this.clientId) return this.answer(401, C.AUTH_ERROR, 'authentication error: client id mismatch');
    const pushType = String(req.headers['push-type'] ?? '');
    if (pushType !== '0' && pushType !== '2') return this.answer(400, C.BAD_PAYLOAD, 'Illegal payload, push-type must be 0 or 2 to revoke');
    const body = req.body as { notifyId?: unknown; token?: unknown } | undefined;
    if (typeof body?.notifyId !== 'number' || !Number.isInteger(body.notifyId)) return this.answer(400, C.PARAM_ERROR, 'notifyId is required');
    const tokens = body.token;
    if (!Array.isArray(tokens) || tokens.length === 0 || tokens.some((t) => typeof t !== 'string')) return this.answer(400, C.PARAM_ERROR, 'token is required');
    if (tokens.length > MAX_TOKENS) return this.answer(400, C.TOO_MANY_TOKENS, 'the number of tokens is out of range');
    const shown = this.delivered.get(body.notifyId);
    const missing: string[] = [];
    for (const t of tokens as string[]) {
      if (shown?.delete(t)) this.revoked.push({ notifyId: body.notifyId, token: t });
      else missing.push(t);
    }
    // The reason name for "nothing to revoke" is UNVERIFIED; the simulator says messageNotFound.
    const msg = JSON.stringify({ illegalTokens: { messageNotFound: missing }, success: tokens.length - missing.length, failure: missing.length });
    if (missing.length === tokens.length) return this.answer(400, C.ALL_TOKENS_INVALID, msg);
    return missing.length > 0 ? this.answer(200, C.PARTIAL_SUCCESS, msg) : this.answer(200, C.SUCCESS, 'Success');
  }

  /** Receipt V2 for each accepted token, at most 100 statuses a call. */
  private receiptsLater(tokens: string[], pushType: number, biTag: string | undefined, requestId: string, result: number): void {
    const cfg = this.receiptConfig;
    if (!cfg || tokens.length === 0) return;
    const signing = cfg.callbackUserName && cfg.callbackKey ? { callbackUserName: cfg.callbackUserName, callbackKey: cfg.callbackKey } : undefined;
    for (let i = 0; i < tokens.length; i += 100) {
      const statuses = tokens.slice(i, i + 100).map((token): HarmonySimReceiptStatus => ({
        token,
        pushType,
        appPackageName: 'com.example.pushgate',
        requestId,
        ...(biTag !== undefined ? { biTag } : {}),
        deliveryStatus: { result, timestamp: this.now() },
      }));
      this.receipts.later(() => this.sendReceipt(cfg.url, statuses, signing));
    }
  }

  private answer(status: number, code: string, msg: string): SimResponse {
    this.requestSeq += 1;
    return { status, body: { code, msg, requestId: `${this.now()}${String(this.requestSeq).padStart(6, '0')}` } };
  }
}

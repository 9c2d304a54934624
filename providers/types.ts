/**
 * The provider contract. Every vendor folder exports one `ProviderDefinition` and
 * `providers/registry.ts` lists them; nothing else in pushgate names a vendor.
 */
import type { z } from 'zod';
import type { Logger } from 'pino';

/** What happened to one target, normalized across vendors (README.md "What it does", Outcomes). */
export type Outcome =
  | 'sent'
  | 'invalid_token'
  | 'retry'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'rejected'
  | 'auth_error';

export const OUTCOMES: readonly Outcome[] = [
  'sent',
  'invalid_token',
  'retry',
  'rate_limited',
  'quota_exceeded',
  'rejected',
  'auth_error',
];

export type Priority = 'high' | 'normal';

export interface ClickAction {
  type: 'app' | 'url' | 'intent';
  value?: string | undefined;
}

export interface NotificationContent {
  title: string;
  body: string;
  image?: string | undefined;
  sound?: string | undefined;
  badge?: number | undefined;
  clickAction?: ClickAction | undefined;
}

export interface MessageOptions {
  /** A `MessageCategory` (providers/categories.ts) for new messages; typed string because stored messages may predate the closed list. */
  category?: string | undefined;
  priority: Priority;
  ttlSeconds?: number | undefined;
  collapseKey?: string | undefined;
}

/** The message as every adapter sees it: what the backend sent, normalized. */
export interface OutgoingMessage {
  id: string;
  /** Absent for a data-only (silent) message. */
  notification?: NotificationContent | undefined;
  data: Record<string, string>;
  options: MessageOptions;
  createdAt: number;
}

/** One device to reach. `deliveryId` is stable across retries: derive vendor idempotency keys from it. */
export interface DeliveryTarget<E = unknown> {
  deliveryId: string;
  token: string;
  /**
   * The device's extra fields, as the provider's `deviceFieldsSchema` produced them at registration (or
   * for a raw token, at accept); absent when the device has none. E.g. APNs `{ apns: { environment, topic? } }`.
   */
  extras?: E | undefined;
  /** True when the token came from a registered device (not a raw token in the send request). */
  registered: boolean;
}

/**
 * One request's worth of work. The dispatcher guarantees (src/core/dispatcher.ts, tested in
 * test/core/dispatch-guarantees.test.ts) what adapters may rely on: 1..`limits.maxTargetsPerRequest` targets,
 * distinct tokens, and one payload (one message) for all of them.
 */
export interface SendBatch<O = unknown, E = unknown> {
  message: OutgoingMessage;
  /**
   * This provider's own `options.overrides[<id>]`, parsed by its `overridesSchema` when the message was
   * accepted; absent when the sender gave none. Other providers' overrides never reach an adapter.
   */
  overrides?: O | undefined;
  targets: DeliveryTarget<E>[];
  /** Where the vendor should post delivery receipts; set when the tenant has a public base URL. */
  callbackUrl?: string | undefined;
  /** Opaque value the adapter puts in the vendor's echo field (biTag, callback param…) so receipts map back. */
  callbackRef: string;
}

export interface SendResult {
  deliveryId: string;
  outcome: Outcome;
  vendorCode?: string | undefined;
  vendorMessage?: string | undefined;
  vendorMessageId?: string | undefined;
  /** From the vendor's Retry-After (or its documented equivalent), in milliseconds. */
  retryAfterMs?: number | undefined;
  /** For quota_exceeded: which of the vendor's message classes ran out (default: the delivery's class). */
  quotaClass?: string | undefined;
}

/** A quota reading the vendor reported in passing (exported as pushgate_quota_remaining). */
export interface QuotaReading {
  quotaClass: string;
  remaining: number;
}

export interface SendOutcome {
  results: SendResult[];
  quota?: QuotaReading[] | undefined;
}

export interface PushProvider<O = unknown, E = unknown> {
  /** Send one batch; resolve to exactly one result per target, never throw for a vendor answer. */
  send(batch: SendBatch<O, E>): Promise<SendOutcome>;
  /**
   * Drop cached credentials so the next send fetches new ones. The dispatcher calls it once
   * after an `auth_error` and resends the batch; absent for static keys (Xiaomi), where an
   * auth error pauses the lane at once.
   */
  refreshCredentials?(): Promise<void>;
  /**
   * Fetch credentials before the first batch (OAuth/auth tokens), so the first vendor requests go
   * out right when the lane's rate slot is taken and bad credentials show at start-up. Optional;
   * failures are logged, never fatal (the vendor may be briefly down).
   */
  warmUp?(): Promise<void>;
  /**
   * Take back a message already sent, where the vendor can (HarmonyOS revoke). Optional: vendors
   * without a server-side recall leave it out. The adapter derives the vendor's recall key from the
   * message the way it did at send (e.g. the notify id from the message id), so nothing extra is
   * stored. Resolves to one result per token, never throws for a vendor answer.
   */
  recall?(request: RecallRequest<O>): Promise<RecallResult[]>;
  close(): Promise<void>;
}

export interface RecallRequest<O = unknown> {
  /** The message as it was sent (same id and options). */
  message: OutgoingMessage;
  /**
   * The provider's own overrides slice the message was sent with (as `SendBatch.overrides`): a recall key the
   * sender chose at send (HarmonyOS `notifyId`) lives there. Absent when the sender gave none.
   */
  overrides?: O | undefined;
  /** The tokens it was sent to, in canonical form. */
  tokens: string[];
}

/**
 * - `recalled`: the vendor took it back (not yet delivered, or shown and not tapped);
 * - `not_recallable`: it cannot be (the vendor has nothing to recall for this token, or this kind
 *   of message has no recall, e.g. a data-only one): final;
 * - `failed`: the recall request did not go through (auth, rate limit, transport): may be tried again.
 */
export type RecallOutcome = 'recalled' | 'not_recallable' | 'failed';

export interface RecallResult {
  token: string;
  outcome: RecallOutcome;
  /** Why, for anything but `recalled`. */
  reason?: string | undefined;
  vendorCode?: string | undefined;
}

export interface ProviderDeps {
  /** Injected clock (ms since epoch). */
  now(): number;
  /** Injected randomness in [0, 1). */
  random(): number;
  logger: Logger;
  /** Observe one vendor HTTP request (feeds pushgate_provider_request_duration_seconds / errors). */
  observeRequest(seconds: number, errorReason?: string): void;
}

export interface ProviderLimits {
  /** Most targets one vendor request may carry (Huawei 1000, FCM 500, RongCloud 100, APNs 1…). */
  maxTargetsPerRequest: number;
  /** Default lane rate: vendor requests per second and requests in flight; tenants may override. */
  defaultRate: { perSecond: number; concurrency: number };
}

/** A delivery-receipt event, after the adapter verified and parsed the vendor's callback. */
export interface ReceiptEvent {
  status: 'delivered' | 'clicked' | 'invalid_token' | 'quota_exceeded' | 'other';
  vendorStatus: string;
  token?: string | undefined;
  /** The `callbackRef` we put in the outgoing message, when the vendor echoes it. */
  callbackRef?: string | undefined;
  vendorMessageId?: string | undefined;
}

export interface ReceiptRequest {
  headers: Record<string, string | string[] | undefined>;
  /** Parsed body (JSON or form, by content type). */
  body: unknown;
  rawBody: string;
  query: Record<string, unknown>;
}

export interface ReceiptHandler<C> {
  /**
   * 'valid' / 'invalid' when the vendor signs its receipts and the tenant configured the key;
   * 'unsigned' lets the gateway fall back to the per-tenant secret in the callback URL.
   */
  verify(req: ReceiptRequest, config: C, now: number): 'valid' | 'invalid' | 'unsigned';
  parse(req: ReceiptRequest): ReceiptEvent[];
  /** The body the vendor expects back (Huawei wants `{errno:0}`). */
  reply?: unknown;
}

/** A vendor simulator: an in-process server that speaks the vendor's real protocol. */
export interface Simulator {
  /** Base URL the adapter should be pointed at. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Why a vendor cannot take a message at all, whatever the device: the API answers it at accept (the
 * provider's targets are listed in `skipped`, or 400 `message_not_deliverable` when no provider is left)
 * instead of storing deliveries that could only fail.
 * - `data_only_unsupported`: no notification, and the vendor has no data-only (pass-through) message;
 * - `payload_too_large`: over the vendor's size limit, measured on the vendor's own encoding;
 * - `unsupported_content`: another field the vendor refuses and pushgate cannot cut (e.g. a click URL too long).
 */
export type MessageCheckReason = 'data_only_unsupported' | 'payload_too_large' | 'unsupported_content';

export interface MessageCheckFailure {
  reason: MessageCheckReason;
  /** What the vendor cannot take and how to change the message, naming the limit. */
  message: string;
}

/**
 * What one vendor code means and what the operator should do about it, in words for the people who
 * run pushgate (the API shows it beside each failed delivery and summary group).
 */
export interface CodeExplanation {
  /** What the vendor said, e.g. "The token is not registered for this app any more". */
  meaning: string;
  /** What to do, e.g. "Nothing: the device was pruned; the app registers a new token on its next start". */
  action: string;
}

/**
 * Everything pushgate knows about one vendor, generic over its tenant config `C`, its parsed
 * `options.overrides[<id>]` slice `O` and its device extras `E`. Methods (not function-typed
 * properties) on purpose: they keep a typed definition assignable to `AnyProviderDefinition`, the
 * one erased type of the heterogeneous registry list.
 */
export interface ProviderDefinition<C = unknown, O = undefined, E = undefined> {
  /** The provider id used in the API, config and metric labels. */
  id: string;
  /** Tenant credential/config schema, validated once at start-up. */
  configSchema: z.ZodType<C>;
  /**
   * The one identifier this vendor needs (format and length). Its output is the token's canonical
   * form: what pushgate stores, hashes for lookups and uniqueness, and sends. Fold only what the
   * vendor documents as the same token (APNs hex is case-insensitive: lowercase); never trim or
   * repair silently. Every token file says which canonical form its vendor has.
   */
  tokenSchema: z.ZodType<string>;
  /**
   * Version of `tokenSchema`'s canonical form (default 1: the token as given). Bump it when the
   * schema starts to canonicalise differently: on start-up and `npm run migrate`, stored devices
   * of this provider are rewritten to the new form once, and devices that become the same token
   * are merged (src/store/token-forms.ts).
   */
  tokenFormVersion?: number;
  /**
   * Extra per-device fields this vendor needs besides the token (APNs and FCM-for-iOS: `apns`), a
   * `z.object` whose keys are the extra request fields. The core validates them at registration and
   * for raw tokens, stores the output as the device's opaque `extras`, and hands it back as
   * `DeliveryTarget.extras`. Without it, any extra field is refused.
   */
  deviceFieldsSchema?: z.ZodType<E>;
  /**
   * Vendor-specific `options.overrides.<id>` fields. The core parses the slice once, at accept (a
   * failure is a 400), stores the output, and hands it back as `SendBatch.overrides`. Without it,
   * an overrides section for this vendor is refused.
   */
  overridesSchema?: z.ZodType<O>;
  limits: ProviderLimits;
  /** Fields of `config` that are secrets (redacted in logs and config dumps). */
  secretFields: readonly string[];
  /**
   * The vendor's quota class for a message category (e.g. Xiaomi public/private). Deliveries of a
   * class paused for quota wait while other classes flow. Default: one class, 'default'.
   */
  quotaClassOf?(category: string | undefined, config: C): string;
  /** When the vendor's daily quotas reset; default midnight Asia/Shanghai. */
  quotaResetTimeZone?: string;
  /** Hours (local to `timeZone`) outside which a quota class must not be sent: held, not dropped. */
  sendWindow?(quotaClass: string): { fromHour: number; toHour: number; timeZone: string } | undefined;
  /**
   * Whether this vendor can take the message, decided before it is stored: data-only support,
   * size after the vendor's own encoding (run through the vendor's pure request builder), fields it
   * refuses. Called once per (message, tenant config), never per target; `undefined` means it can.
   * `overrides` is this vendor's parsed slice (as `SendBatch.overrides`), absent when none was given.
   */
  checkMessage?(message: OutgoingMessage, config: C, overrides: O | undefined): MessageCheckFailure | undefined;
  create(config: C, deps: ProviderDeps): PushProvider<O, E>;
  /**
   * Explanations of the vendor codes this adapter records as `SendResult.vendorCode`, keyed exactly as
   * recorded (e.g. Huawei "80300007", APNs "BadDeviceToken"), from the vendor's doc page
   * (docs/vendors/<id>.md). Every code the adapter maps explicitly should be here; a code that is not
   * is explained by pushgate's normalized reason (src/core/explanations.ts) or not at all.
   */
  errors?: Readonly<Record<string, CodeExplanation>>;
  receipts?: ReceiptHandler<C>;
  /** Start this vendor's simulator and return a tenant config pointing at it (playground, tests, bench). */
  playground?(ctx?: PlaygroundContext): Promise<{ simulator: SimulatorControls; config: C }>;
}

export interface PlaygroundContext {
  /**
   * Where this gateway takes the tenant's receipts from this vendor (set when server.publicBaseUrl
   * is). Vendors whose receipt address lives in their console, not in the message (Huawei), give
   * it to their simulator; the others read it from each message.
   */
  receiptUrl?: string | undefined;
  /** Per-request timeout to put in the config (the conformance suite uses a short one to see a hung vendor become `retry`). */
  timeoutMs?: number | undefined;
}

/**
 * A token in its provider's canonical form, for lookups (unregister, receipts). A token the schema
 * refuses is returned as given: its lookup then finds nothing, as it always did.
 */
export function canonicalToken(def: Pick<AnyProviderDefinition, 'tokenSchema'>, token: string): string {
  const parsed = def.tokenSchema.safeParse(token);
  return parsed.success ? parsed.data : token;
}

/**
 * A definition of any vendor, its types erased: what the registry lists and the core handles. The
 * core passes each adapter only values its own schemas produced (config, overrides slice, extras).
 */
export type AnyProviderDefinition = ProviderDefinition<unknown, unknown, unknown>;

/**
 * Declares a vendor: infers config, overrides and extras types from the schemas, so `create`,
 * `checkMessage` and the adapter see them typed, and the result still fits `AnyProviderDefinition`.
 */
export function defineProvider<C, O = undefined, E = undefined>(def: ProviderDefinition<C, O, E>): ProviderDefinition<C, O, E> {
  return def;
}

/**
 * The knobs every vendor simulator offers tests, the playground and the benchmarks, so the same
 * scenario ("slow vendor", "throttled", "quota gone") reads the same for every vendor.
 */
export interface SimulatorControls extends Simulator {
  /** Hold every send answer this long. */
  delayMs: number;
  /** Tokens the vendor considers invalid/unregistered. */
  readonly invalidTokens: Set<string>;
  /** Answer the next `n` send requests with the vendor's rate-limit signal. */
  throttle(n: number, retryAfterSeconds?: number): void;
  /** Answer the next `n` send requests with the vendor's transient server error. */
  fail(n: number): void;
  /** Answer sends with the vendor's daily-quota-exceeded signal until set back to false. */
  quotaExhausted: boolean;
  /** Every token the vendor accepted for delivery, in order (duplicates kept: at-least-once is measurable). */
  readonly accepted: string[];
  /** Number of send requests received (accepted or not). */
  sendRequests: number;
  /**
   * While true the vendor refuses the current credentials with its auth error; access tokens issued
   * before are revoked, so after it is set back a send needs new credentials (`refreshCredentials`).
   */
  rejectCredentials: boolean;
  /** The next `n` send requests lose their connection without an answer. */
  resetConnection(n: number): void;
  /** The next `n` send requests get no answer at all (until close): the adapter's timeout decides. */
  hang(n: number): void;
  /** The last send request as it arrived (path, headers, raw body), for vendor-agnostic wire checks. */
  readonly lastSendRaw?: { path: string; headers: Record<string, string | string[] | undefined>; rawBody: string } | undefined;
  /**
   * False when the vendor's send API never names a dead token (RongCloud: unknown users are simply
   * not pushed), so `invalidTokens` cannot turn into `invalid_token`. @default true
   */
  readonly reportsInvalidTokens?: boolean;
  /**
   * False when the vendor documents no Retry-After on its rate-limit answer, so `throttle(n, seconds)`
   * sends none (APNs' 429). @default true
   */
  readonly sendsRetryAfter?: boolean;
  /**
   * True when the vendor's rate-limit answer is about one target, not the sender (APNs' 429
   * TooManyRequests: too many notifications to one device): a throttled target is `retry` with its
   * own back-off and the lane is not paused. @default false
   */
  readonly throttlesPerTarget?: boolean;
}

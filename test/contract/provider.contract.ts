/**
 * The provider conformance suite: what every vendor adapter promises the dispatcher, checked through
 * `definition.create(config, deps).send(batch)` against the vendor's own simulator (started by the
 * definition's `playground()`), for every provider in providers/registry.ts
 * (providers.contract.test.ts). Vendor-specific behaviour is tested beside each adapter.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import type {
  DeliveryTarget,
  OutgoingMessage,
  AnyProviderDefinition,
  ProviderDeps,
  PushProvider,
  SendBatch,
  SendOutcome,
  SendResult,
  SimulatorControls,
} from '../../providers/types.js';
import { explainError } from '../../src/core/explanations.js';

export interface ProviderContractOptions {
  /** Every provider id in the registry (foreign overrides and their keys are drawn from the others). */
  allIds: readonly string[];
  /** A distinct token the provider's tokenSchema accepts; default: the first candidate form the schema takes. */
  token?: (i: number) => string;
}

/** Short timeout for the "vendor never answers" case: long enough for a loaded CI machine's normal answers. */
const HANG_TIMEOUT_MS = 800;
const RETRY_AFTER_SECONDS = 7;
/** The value of every foreign overrides section: it must never be on the wire. */
const FOREIGN_SENTINEL = 'zzforeignoverridezz';

/**
 * The batch the adapter receives: the core parses `options.overrides[<id>]` at accept and hands the
 * adapter only its own slice in `batch.overrides`; the message carries no overrides map. No own
 * overrides are given here (their shape is the vendor's: its own tests cover them).
 */
function batchOf(message: OutgoingMessage, targets: DeliveryTarget[]): SendBatch {
  return { message, targets, callbackRef: 'contract-ref' };
}

export function describeProvider(definition: AnyProviderDefinition, opts: ProviderContractOptions): void {
  describe(`provider ${definition.id}`, () => {
    const limit = definition.limits.maxTargetsPerRequest;
    const token = opts.token ?? tokenFactory(definition);
    let seq = 0;
    const targets = (n: number): DeliveryTarget[] =>
      Array.from({ length: n }, () => {
        const i = ++seq;
        return { deliveryId: `d${i}`, token: token(i), registered: true };
      });
    const message = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
      id: `msg-${seq}`,
      notification: { title: 'Conformance', body: 'one result per target' },
      data: { k: 'v' },
      options: { priority: 'high' },
      createdAt: Date.now(),
      ...over,
    });

    let sim: SimulatorControls;
    let config: unknown;
    let provider: PushProvider;
    let logs: string[];
    let simClosed: boolean;

    /** A fresh simulator and adapter; `timeoutMs` shortens the adapter's request timeout. */
    async function start(timeoutMs?: number): Promise<void> {
      if (!definition.playground) throw new Error(`provider ${definition.id} has no playground(): every provider needs a simulator`);
      const played = await definition.playground(timeoutMs ? { timeoutMs } : {});
      sim = played.simulator;
      simClosed = false;
      config = definition.configSchema.parse(played.config);
      logs = [];
      provider = definition.create(config, deps(logs));
    }

    async function send(batch: SendBatch): Promise<SendOutcome> {
      const out = await provider.send(batch);
      // The promise every adapter keeps whatever happened: exactly one result per target.
      expect(out.results.map((r) => r.deliveryId).sort()).toEqual(batch.targets.map((t) => t.deliveryId).sort());
      return out;
    }
    const outcomes = (out: SendOutcome) => [...new Set(out.results.map((r) => r.outcome))];

    afterEach(async () => {
      await provider?.close();
      if (!simClosed) await sim?.close();
    });

    it.each([1, 2, limit].filter((n, i, all) => all.indexOf(n) === i))('a batch of %i targets gets one result per target, all sent', async (n) => {
      await start();
      const batch = batchOf(message(), targets(n));
      const out = await send(batch);
      expect(outcomes(out)).toEqual(['sent']);
      expect(new Set(sim.accepted)).toEqual(new Set(batch.targets.map((t) => t.token)));
    });

    it('a token the vendor calls dead is answered invalid_token, alone or beside a live one', async () => {
      await start();
      const [dead, live, deadAlone] = targets(3) as [DeliveryTarget, DeliveryTarget, DeliveryTarget];
      for (const t of [dead, deadAlone]) sim.invalidTokens.add(t.token);
      const pair = await send(batchOf(message(), [dead, live]));
      const alone = await send(batchOf(message(), [deadAlone]));
      const outcomeOf = (out: SendOutcome, t: DeliveryTarget) => out.results.find((r) => r.deliveryId === t.deliveryId)?.outcome;
      expect(outcomeOf(pair, live)).toBe('sent');
      if (sim.reportsInvalidTokens === false) {
        // The vendor never names dead tokens (RongCloud): they are simply not pushed.
        expect([outcomeOf(pair, dead), outcomeOf(alone, deadAlone)]).toEqual(['sent', 'sent']);
        expect(sim.accepted).toEqual([live.token]);
      } else {
        expect([outcomeOf(pair, dead), outcomeOf(alone, deadAlone)]).toEqual(['invalid_token', 'invalid_token']);
      }
    });

    it('a throttling vendor is answered rate_limited (retry for a per-device throttle), waiting at least the Retry-After it gives', async () => {
      await start();
      sim.throttle(1, RETRY_AFTER_SECONDS);
      const [result] = (await send(batchOf(message(), targets(1)))).results;
      // A throttle of one device (APNs) must not pause the lane for every other device.
      expect(result?.outcome).toBe(sim.throttlesPerTarget ? 'retry' : 'rate_limited');
      // Never sooner than the vendor asked; an adapter may wait longer by its vendor's rules (FCM: ≥ 60 s).
      if (sim.sendsRetryAfter !== false) expect(result?.retryAfterMs).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000);
    });

    it('a vendor server error is answered retry', async () => {
      await start();
      await provider.warmUp?.();
      // Enough failures for any failover the adapter does (RongCloud's backup host shares the script).
      sim.fail(4);
      expect(outcomes(await send(batchOf(message(), targets(2))))).toEqual(['retry']);
    });

    it('a refused connection is answered retry', async () => {
      await start();
      await provider.warmUp?.();
      await sim.close();
      simClosed = true;
      expect(outcomes(await send(batchOf(message(), targets(2))))).toEqual(['retry']);
    });

    it('a connection reset before the answer is answered retry', async () => {
      await start();
      await provider.warmUp?.();
      sim.resetConnection(4);
      expect(outcomes(await send(batchOf(message(), targets(2))))).toEqual(['retry']);
    });

    it('a vendor that never answers is answered retry once the request times out', async () => {
      await start(HANG_TIMEOUT_MS);
      await provider.warmUp?.();
      sim.hang(4);
      expect(outcomes(await send(batchOf(message(), targets(2))))).toEqual(['retry']);
    });

    it('refused credentials are answered auth_error, and a send after a refresh recovers once they are right again', async () => {
      await start();
      await provider.warmUp?.();
      sim.rejectCredentials = true;
      expect(outcomes(await send(batchOf(message(), targets(2))))).toEqual(['auth_error']);
      sim.rejectCredentials = false;
      // What the dispatcher does after an auth_error (static keys have nothing to refresh).
      await provider.refreshCredentials?.();
      expect(outcomes(await send(batchOf(message(), targets(2))))).toEqual(['sent']);
    });

    it('explains its vendor codes in words: every entry a non-empty meaning and action', () => {
      // Optional on the contract; every vendor in this repository has a table.
      const table = definition.errors ?? {};
      expect(Object.keys(table).length).toBeGreaterThan(0);
      for (const [code, e] of Object.entries(table)) {
        expect([code, Object.keys(e).sort()]).toEqual([code, ['action', 'meaning']]);
        expect([code, e.meaning.trim().length > 10, e.action.trim().length > 5]).toEqual([code, true, true]);
      }
    });

    it('explains the vendor code it records for a dead token, a throttle and refused credentials', async () => {
      await start();
      await provider.warmUp?.();
      const recorded: SendResult[] = [];
      const [dead, live] = targets(2) as [DeliveryTarget, DeliveryTarget];
      sim.invalidTokens.add(dead.token);
      recorded.push(...(await send(batchOf(message(), [dead, live]))).results);
      sim.throttle(1, RETRY_AFTER_SECONDS);
      recorded.push(...(await send(batchOf(message(), targets(1)))).results);
      sim.rejectCredentials = true;
      recorded.push(...(await send(batchOf(message(), targets(1)))).results);
      const failed = recorded.filter((r) => r.outcome !== 'sent');
      expect(failed.length).toBeGreaterThan(0);
      // Explained by the vendor's own table or pushgate's kit codes (http_<status>), never only by the outcome.
      for (const r of failed) expect([r.outcome, r.vendorCode, explainError(definition, r.outcome, r.vendorCode)?.of]).toEqual([r.outcome, r.vendorCode, 'vendorCode']);
    });

    it('an oversized payload is refused before any request to the vendor', async () => {
      await start();
      const big = message({ data: { blob: 'x'.repeat(64 * 1024) } });
      const failure = definition.checkMessage?.(big, config, undefined);
      if (failure) {
        // Refused at accept: no delivery is stored, so no request can follow.
        expect(failure.reason).toBe('payload_too_large');
      } else {
        expect(outcomes(await send(batchOf(big, targets(1))))).toEqual(['rejected']);
        expect(sim.sendRequests).toBe(0);
      }
    });

    it("other providers' overrides never reach the vendor's request, and an unknown provider id never makes it refuse", async () => {
      await start();
      const foreign = [...opts.allIds.filter((id) => id !== definition.id), 'newcomer'];
      // Where 0.1 handed every adapter the whole map: an adapter that still reads (or spreads) it leaks a sentinel.
      const legacyMap = Object.fromEntries(foreign.map((id) => [id, { [id]: FOREIGN_SENTINEL }]));
      const withMap = message({ options: { priority: 'high', overrides: legacyMap } as OutgoingMessage['options'] });
      expect(outcomes(await send(batchOf(withMap, targets(2))))).toEqual(['sent']);
      const raw = sim.lastSendRaw;
      expect(raw).toBeDefined();
      const keys = wireKeys(raw?.rawBody ?? '');
      expect(foreign.filter((id) => keys.has(id))).toEqual([]);
      expect(raw?.rawBody).not.toContain(FOREIGN_SENTINEL);
    });

    it('never writes a config secret to the log, whatever the vendor answers', async () => {
      await start();
      const secrets = secretValues(config, definition.secretFields);
      expect(secrets.length).toBeGreaterThan(0);
      await provider.warmUp?.();
      await send(batchOf(message(), targets(2)));
      sim.rejectCredentials = true;
      await send(batchOf(message(), targets(1)));
      sim.rejectCredentials = false;
      await provider.refreshCredentials?.();
      sim.fail(4);
      await send(batchOf(message(), targets(1)));
      await sim.close();
      simClosed = true;
      await send(batchOf(message(), targets(1)));
      const text = logs.join('');
      expect(secrets.filter((s) => text.includes(s))).toEqual([]);
    });
  });
}

/** Deps whose logger writes every record (trace and up) into `logs`. */
function deps(logs: string[]): ProviderDeps {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  return { now: Date.now, random: Math.random, logger: pino({ level: 'trace' }, stream), observeRequest: () => {} };
}

/** Token forms most vendors take (64 hex: APNs, FCM, Huawei…; 32 hex: OPPO's registration id). */
const TOKEN_FORMS: ReadonlyArray<(i: number) => string> = [(i) => i.toString(16).padStart(64, 'a'), (i) => i.toString(16).padStart(32, 'a')];

function tokenFactory(definition: AnyProviderDefinition): (i: number) => string {
  const form = TOKEN_FORMS.find((f) => definition.tokenSchema.safeParse(f(1)).success);
  if (!form) throw new Error(`no sample token form fits provider ${definition.id}: pass opts.token to describeProvider`);
  return (i) => definition.tokenSchema.parse(form(i));
}

/**
 * Every key in a vendor request body: JSON objects (also JSON inside string values, as Huawei's
 * `data` or OPPO's `message` field), form fields and their dotted parts (Xiaomi `extra.callback`).
 */
export function wireKeys(raw: string): Set<string> {
  const keys = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      const t = v.trim();
      if (t.startsWith('{') || t.startsWith('[')) {
        try {
          visit(JSON.parse(t));
        } catch {
          /* text, not JSON */
        }
      }
      return;
    }
    if (Array.isArray(v)) return v.forEach(visit);
    if (typeof v === 'object' && v !== null) {
      for (const [k, inner] of Object.entries(v)) {
        keys.add(k);
        visit(inner);
      }
    }
  };
  const t = raw.trim();
  if (t.startsWith('{') || t.startsWith('[')) visit(t);
  else {
    for (const [k, v] of new URLSearchParams(t)) {
      for (const part of k.split('.')) keys.add(part);
      visit(v);
    }
  }
  return keys;
}

/**
 * The values of the config's secret fields (matched by key name anywhere in the config), each
 * line of a multi-line secret (a PEM key) on its own; a config value naming a JSON key file (FCM's
 * service account) contributes the secret fields inside it.
 */
function secretValues(config: unknown, secretFields: readonly string[]): string[] {
  const out = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const line of v.split('\n')) if (line.trim().length >= 16 && !line.startsWith('-----')) out.add(line.trim());
      if (v.length >= 6 && !v.includes('\n')) out.add(v);
    } else if (typeof v === 'object' && v !== null) Object.values(v).forEach(add);
  };
  const walk = (v: unknown): void => {
    if (typeof v === 'string' && v.endsWith('.json') && existsSync(v)) {
      try {
        walk(JSON.parse(readFileSync(v, 'utf8')));
      } catch {
        /* not a key file */
      }
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    for (const [k, inner] of Object.entries(v)) {
      if (secretFields.includes(k)) add(inner);
      else walk(inner);
    }
  };
  walk(config);
  return [...out];
}

/**
 * A client generated at run time from /openapi.json (openapi-client-axios, by operationId) calls
 * every operation of a listening gateway, and each answer must be a documented status whose body
 * matches the documented JSON Schema (checked with Ajv, draft 2020-12 as OpenAPI 3.1 uses).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { OpenAPIClientAxios, type OpenAPIClient } from 'openapi-client-axios';
import { huaweiCallbackHeader } from '../../providers/huawei/huawei.receipts.js';
import { HUAWEI_CALLBACK_HEADER } from '../../providers/huawei/huawei.wire.js';
import { CLIENT_KEY, SERVER_KEY, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  security: unknown[];
  responses: Record<string, Json>;
}
type Call = (cfg?: AxiosRequestConfig) => Promise<AxiosResponse>;

let t: TestGateway;
let server: Server;
let doc: { paths: Record<string, Record<string, Operation>>; components: { responses: Record<string, Json> } };
let client: OpenAPIClient;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));

beforeAll(async () => {
  t = await testGateway();
  server = t.gw.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  doc = (await fetch(`${base}/openapi.json`).then((r) => r.json())) as typeof doc;
  const api = new OpenAPIClientAxios({
    definition: structuredClone(doc) as never,
    withServer: { url: base },
    axiosConfigDefaults: { validateStatus: () => true, headers: { Authorization: `Bearer ${SERVER_KEY}` } },
  });
  client = await api.init();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await t.close();
});

const operations = () => Object.values(doc.paths).flatMap((ops) => Object.values(ops));
const operation = (id: string) => operations().find((o) => o.operationId === id)!;
const op = (id: string) => client[id] as (params?: unknown, data?: unknown, cfg?: AxiosRequestConfig) => Promise<AxiosResponse>;

/** The answer's status is documented for the operation and its body matches that status's schema. */
function expectDocumented(operationId: string, res: AxiosResponse): void {
  let reply = operation(operationId).responses[String(res.status)];
  if (!reply) throw new Error(`${operationId} answered ${res.status}, which its document does not list: ${JSON.stringify(res.data)}`);
  if (typeof reply.$ref === 'string') reply = doc.components.responses[reply.$ref.split('/').pop()!]!;
  const content = reply.content as Record<string, { schema: Json }> | undefined;
  if (!content) {
    expect(res.data).toBe('');
    return;
  }
  const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
  const media = content[type];
  if (!media) throw new Error(`${operationId} ${res.status} answered ${type}; documented: ${Object.keys(content).join(', ')}`);
  const validate = ajv.compile(media.schema);
  if (!validate(res.data)) throw new Error(`${operationId} ${res.status} does not match its schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.data)}`);
}

describe('a client generated from /openapi.json', () => {
  const ids: { message?: string; device?: string } = {};
  const userId = 'oa-user';

  /** One call per operationId, in an order where each finds what the earlier ones created. */
  const calls: Record<string, [expected: number, call: Call]> = {
    registerDevice: [201, (cfg) => op('registerDevice')(null, { provider: 'huawei', token: hwToken(1), userId }, cfg)],
    listDevices: [200, (cfg) => op('listDevices')({ userId }, null, cfg)],
    sendMessage: [202, (cfg) => op('sendMessage')({ 'Idempotency-Key': 'oa-1' }, { to: { userIds: [userId, 'nobody'] }, notification: { title: 'Hi', body: 'there' } }, cfg)],
    getMessage: [200, (cfg) => op('getMessage')({ id: ids.message, limit: 10 }, null, cfg)],
    listMessages: [200, (cfg) => op('listMessages')({ limit: 10, status: 'done', createdFrom: new Date(t.clock.now() - 60_000).toISOString() }, null, cfg)],
    listMessageDeliveries: [200, (cfg) => op('listMessageDeliveries')({ id: ids.message, limit: 10, state: 'sent', provider: 'huawei' }, null, cfg)],
    listDeadLetters: [200, (cfg) => op('listDeadLetters')({ state: 'failed', errorCode: 'invalid_token', limit: 10 }, null, cfg)],
    getDeliverySummary: [200, (cfg) => op('getDeliverySummary')({ since: new Date(t.clock.now() - 60_000).toISOString() }, null, cfg)],
    listLanes: [200, (cfg) => op('listLanes')(null, null, cfg)],
    retryMessage: [200, (cfg) => op('retryMessage')({ id: ids.message, 'Idempotency-Key': 'oa-retry-1' }, { providers: ['huawei'], errorCodes: ['auth_error'] }, cfg)],
    retryDeliveries: [200, (cfg) => op('retryDeliveries')(null, { state: 'failed', errorCode: 'invalid_token', limit: 100 }, cfg)],
    postReceipt: [
      200,
      (cfg) =>
        op('postReceipt')({ provider: 'huawei', tenant: 'acme' }, { statuses: [{ status: 0, token: hwToken(1), biTag: ids.message }] }, {
          ...cfg,
          headers: { ...cfg?.headers, [HUAWEI_CALLBACK_HEADER]: huaweiCallbackHeader(t.clock.now(), 'n1', 'cbuser', 'cbkey') },
        }),
    ],
    listWebhookDeliveries: [200, (cfg) => op('listWebhookDeliveries')({ state: 'failed', limit: 10 }, null, cfg)],
    retryWebhookDeliveries: [200, (cfg) => op('retryWebhookDeliveries')(null, { ids: ['evt_none'] }, cfg)],
    exportUserData: [200, (cfg) => op('exportUserData')({ userId }, null, cfg)],
    cancelMessage: [200, (cfg) => op('cancelMessage')({ id: ids.message }, null, cfg)],
    getHealth: [200, (cfg) => op('getHealth')(null, null, cfg)],
    getReadiness: [200, (cfg) => op('getReadiness')(null, null, cfg)],
    getMetrics: [200, (cfg) => op('getMetrics')(null, null, cfg)],
    getOpenApi: [200, (cfg) => op('getOpenApi')(null, null, cfg)],
    deleteDevice: [204, (cfg) => op('deleteDevice')({ id: ids.device }, null, cfg)],
    unregisterDevice: [204, (cfg) => op('unregisterDevice')(null, { provider: 'huawei', token: hwToken(2) }, cfg)],
    eraseUser: [200, (cfg) => op('eraseUser')({ userId }, null, cfg)],
  };

  it('calls every documented operation by its operationId and gets documented answers', async () => {
    expect(Object.keys(calls).sort()).toEqual(operations().map((o) => o.operationId).sort());
    for (const [operationId, [expected, call]] of Object.entries(calls)) {
      if (operationId === 'getMessage') await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'huawei' });
      if (operationId === 'listDeadLetters') {
        // One delivery the vendor refuses as an invalid token, so the dead-letter view has a row to check against its schema.
        t.sim.invalidTokens.add(hwToken(7));
        await op('sendMessage')(null, { to: { tokens: [{ provider: 'huawei', token: hwToken(7) }] }, data: { k: 'v' } });
        await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'huawei' });
      }
      if (operationId === 'listLanes') {
        // A paused lane with something queued, so the pause and the counts are checked against the schema too.
        t.sim.throttle(1, 5);
        await op('sendMessage')(null, { to: { tokens: [{ provider: 'huawei', token: hwToken(6) }] }, data: { k: 'v' } });
        await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'huawei' });
      }
      if (operationId === 'deleteDevice') {
        ids.device = (await op('registerDevice')(null, { provider: 'huawei', token: hwToken(3) })).data.id;
        await op('registerDevice')(null, { provider: 'huawei', token: hwToken(2) });
      }
      const res = await call();
      if (operationId === 'sendMessage') ids.message = res.data.id;
      // The listings answer a non-empty page, so their item schemas were exercised too.
      const items = { listMessages: 'messages', listMessageDeliveries: 'deliveries', listDeadLetters: 'deliveries', getDeliverySummary: 'counts', listLanes: 'lanes' }[operationId];
      if (items) expect([operationId, ((res.data as Record<string, unknown[]>)[items]?.length ?? 0) > 0]).toEqual([operationId, true]);
      expect([operationId, res.status]).toEqual([operationId, expected]);
      expectDocumented(operationId, res);
    }
    // The calls did what they say: the receipt marked the delivery delivered, erasure removed the user.
    const status = await op('getMessage')({ id: ids.message });
    expect(status.data.counts).toMatchObject({ delivered: 1 });
    expect((await op('listDevices')({ userId })).data.devices).toEqual([]);
  });

  it('documents the 401 of every keyed operation and the 403 of server-only ones', async () => {
    for (const [operationId, [, call]] of Object.entries(calls)) {
      const security = operation(operationId).security;
      if (!security.length) continue;
      const res = await call({ headers: { Authorization: 'Bearer not-a-key' } });
      expect([operationId, res.status]).toEqual([operationId, 401]);
      expectDocumented(operationId, res);
      if (security.some((s) => 'clientKey' in (s as Json))) continue;
      const forbidden = await call({ headers: { Authorization: `Bearer ${CLIENT_KEY}` } });
      expect([operationId, forbidden.status]).toEqual([operationId, 403]);
      expectDocumented(operationId, forbidden);
    }
  });

  it('documents the errors of bad input: invalid body, unknown id, reused Idempotency-Key, non-JSON, too large', async () => {
    const cases: Array<[string, number, () => Promise<AxiosResponse>]> = [
      ['registerDevice', 400, () => op('registerDevice')(null, { provider: 'huawei', token: hwToken(9), imei: '1' })],
      ['sendMessage', 400, () => op('sendMessage')(null, { to: {} })],
      ['getMessage', 400, () => op('getMessage')({ id: 'x', limit: 0 })],
      ['getMessage', 404, () => op('getMessage')({ id: 'no-such-message' })],
      ['listMessages', 400, () => op('listMessages')({ limit: 0 })],
      ['listMessageDeliveries', 404, () => op('listMessageDeliveries')({ id: 'no-such-message' })],
      ['listDeadLetters', 400, () => op('listDeadLetters')({ state: 'sent' })],
      ['getDeliverySummary', 400, () => op('getDeliverySummary')({ since: 'yesterday' })],
      ['listLanes', 400, () => op('listLanes')(null, null, { params: { provider: 'huawei' } })],
      ['deleteDevice', 404, () => op('deleteDevice')({ id: 'no-such-device' })],
      ['unregisterDevice', 404, () => op('unregisterDevice')(null, { provider: 'huawei', token: hwToken(8) })],
      [
        'sendMessage',
        409,
        async () => {
          await op('sendMessage')({ 'Idempotency-Key': 'oa-2' }, { to: { userIds: ['a'] }, data: { k: 'v' } });
          return op('sendMessage')({ 'Idempotency-Key': 'oa-2' }, { to: { userIds: ['b'] }, data: { k: 'v' } });
        },
      ],
      ['sendMessage', 415, () => op('sendMessage')(null, 'to=x', { headers: { 'Content-Type': 'text/plain' } })],
      ['sendMessage', 413, () => op('sendMessage')(null, { to: { userIds: ['u'] }, data: { big: 'x'.repeat(1_100_000) } })],
      ['postReceipt', 401, () => op('postReceipt')({ provider: 'huawei', tenant: 'acme', secret: 'wrong' }, { statuses: [] })],
    ];
    for (const [operationId, expected, call] of cases) {
      const res = await call();
      expect([operationId, res.status]).toEqual([operationId, expected]);
      expectDocumented(operationId, res);
    }
  });
});

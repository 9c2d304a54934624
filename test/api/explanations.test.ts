/**
 * Failed deliveries explained over real HTTP (Huawei simulator): a vendor code Huawei answers shows
 * in the summary group, the dead-letter item and the message's deliveries with Huawei's explanation;
 * a code Huawei's table does not know falls back to pushgate's reason; another tenant sees none of it.
 */
import { HUAWEI_EXPLANATIONS } from '../../providers/huawei/huawei.errors.js';
import { REASON_EXPLANATIONS } from '../../src/core/explanations.js';
import { OTHER_SERVER_KEY, hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

let t: TestGateway;
beforeEach(async () => {
  t = await testGateway({ config: { server: { port: 0, bodyLimit: '1mb' }, dispatch: { leaseSeconds: 30, maxAttempts: 1, backoffBaseMs: 1000, backoffMaxMs: 1000, pollIntervalMs: 50 } } });
});
afterEach(async () => {
  await t.close();
});

const HUAWEI = { tenant: 'acme', provider: 'huawei' };
const hello = { notification: { title: 'Hello', body: 'You have a new message' } };

async function sendAndDispatch(tokens: string[]): Promise<string> {
  const res = await t.server('post', '/v1/messages').send({ to: { tokens: tokens.map((token) => ({ provider: 'huawei', token })) }, ...hello }).expect(202);
  await t.gw.dispatcher.runLane(HUAWEI);
  return res.body.id as string;
}

describe('explanations of failed deliveries', () => {
  it('explains a code Huawei answers in the summary, the dead-letter view and the message, with what to do', async () => {
    t.sim.answerNext({ status: 400, body: { code: '80300008', msg: 'The message body size exceeds the default value', requestId: 'r1' } });
    const id = await sendAndDispatch([hwToken(1), hwToken(2)]);
    const explained = { ...HUAWEI_EXPLANATIONS['80300008'], of: 'vendorCode' };
    expect(explained.meaning).toMatch(/4 KB/);

    const summary = await t.server('get', '/v1/deliveries/summary').expect(200);
    expect(summary.body.counts).toEqual([{ provider: 'huawei', state: 'failed', errorCode: 'rejected', vendorCode: '80300008', count: 2, explanation: explained }]);

    const dead = await t.server('get', '/v1/deliveries').expect(200);
    expect(dead.body.deliveries.map((d: { explanation: unknown }) => d.explanation)).toEqual([explained, explained]);
    const status = await t.server('get', `/v1/messages/${id}`).expect(200);
    expect(status.body.deliveries.map((d: { explanation: unknown }) => d.explanation)).toEqual([explained, explained]);
    const listed = await t.server('get', `/v1/messages/${id}/deliveries`).expect(200);
    expect(listed.body.deliveries.map((d: { explanation: unknown }) => d.explanation)).toEqual([explained, explained]);

    // The other tenant's summary knows nothing of it.
    expect((await t.server('get', '/v1/deliveries/summary', OTHER_SERVER_KEY).expect(200)).body.counts).toEqual([]);
  });

  it("separates groups by vendor code, lists and replays one group by it, and explains a code Huawei's table does not know by pushgate's reason", async () => {
    t.sim.answerNext({ status: 400, body: { code: '80300008', msg: 'too large' } });
    await sendAndDispatch([hwToken(1)]);
    t.sim.answerNext({ status: 500, body: { code: '89999999', msg: 'something new' } });
    await sendAndDispatch([hwToken(2)]);
    const counts = (await t.server('get', '/v1/deliveries/summary').expect(200)).body.counts;
    expect(counts).toEqual([
      { provider: 'huawei', state: 'failed', errorCode: 'rejected', vendorCode: '80300008', count: 1, explanation: { ...HUAWEI_EXPLANATIONS['80300008'], of: 'vendorCode' } },
      // An unknown Huawei code is retried (here: one attempt allowed), and explained as a retry.
      { provider: 'huawei', state: 'failed', errorCode: 'retry', vendorCode: '89999999', count: 1, explanation: { ...REASON_EXPLANATIONS.retry, of: 'errorCode' } },
    ]);

    // One group is addressable as such: listed, and replayed, by its vendor code.
    const group = await t.server('get', '/v1/deliveries?provider=huawei&errorCode=rejected&vendorCode=80300008').expect(200);
    expect(group.body.deliveries.map((d: { lastError: { vendorCode: string } }) => d.lastError.vendorCode)).toEqual(['80300008']);
    const replay = await t.server('post', '/v1/deliveries/retry').send({ provider: 'huawei', vendorCode: '89999999' }).expect(200);
    expect(replay.body).toMatchObject({ requeued: 1, more: false });
    expect((await t.server('get', '/v1/deliveries').expect(200)).body.deliveries.map((d: { lastError: { vendorCode: string } }) => d.lastError.vendorCode)).toEqual(['80300008']);
  });

  it('gives sent deliveries no explanation', async () => {
    const id = await sendAndDispatch([hwToken(3)]);
    const status = await t.server('get', `/v1/messages/${id}`).expect(200);
    expect(status.body.deliveries).toEqual([expect.objectContaining({ state: 'sent', lastError: null, explanation: null })]);
  });
});

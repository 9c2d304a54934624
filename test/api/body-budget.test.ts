/**
 * server.bodyBudget: request bodies beyond the budget wait their turn before they are read, and
 * every one of them is still accepted (src/http/body-budget.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MessageService } from '../../src/core/messages.js';
import { BodyBudget } from '../../src/http/body-budget.js';
import { hwToken, testGateway, type TestGateway } from '../factories/gateway.js';

describe('BodyBudget', () => {
  it('admits bodies while they fit, then one at a time in arrival order', async () => {
    const budget = new BodyBudget(100);
    const order: string[] = [];
    const a = await budget.acquire(60);
    const b = budget.acquire(60).then((r) => (order.push('b'), r));
    const c = budget.acquire(10).then((r) => (order.push('c'), r));
    await Promise.resolve();
    expect(budget.queued).toBe(2); // c would fit, but b came first
    a();
    a(); // giving back twice counts once
    const releaseB = await b;
    const releaseC = await c;
    expect(order).toEqual(['b', 'c']);
    expect(budget.held).toBe(70);
    releaseB();
    releaseC();
    expect(budget.held).toBe(0);
  });

  it('lets a body larger than the whole budget through alone', async () => {
    const budget = new BodyBudget(100);
    const big = await budget.acquire(500);
    expect(budget.held).toBe(500);
    const small = budget.acquire(1);
    await Promise.resolve();
    expect(budget.queued).toBe(1);
    big();
    (await small)();
    expect(budget.held).toBe(0);
  });
});

describe('POST /v1/messages under a body budget', () => {
  let t: TestGateway;
  const accept = MessageService.prototype.accept;
  afterEach(async () => {
    MessageService.prototype.accept = accept;
    await t.close();
  });

  it('accepts concurrent sends larger than the budget one after another, all of them', async () => {
    t = await testGateway({ config: { server: { port: 0, bodyLimit: '1mb', bodyBudget: '2kb' } } });
    let running = 0;
    let most = 0;
    // How many accepts run at once: the budget admits the next body only after an answer.
    MessageService.prototype.accept = async function (this: MessageService, ...args) {
      most = Math.max(most, ++running);
      try {
        return await accept.apply(this, args);
      } finally {
        running--;
      }
    };
    // Each body is ~5 kB: more than the budget, so each waits for the one before to be answered.
    const body = (m: number) => ({ to: { tokens: Array.from({ length: 40 }, (_, i) => ({ provider: 'huawei', token: hwToken(m * 100 + i) })) }, notification: { title: 'hi', body: `#${m}` } });
    const answers = await Promise.all(Array.from({ length: 5 }, (_, m) => t.server('post', '/v1/messages').send(body(m))));
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    expect(answers.map((r) => r.body.targets)).toEqual([40, 40, 40, 40, 40]);
    expect(most).toBe(1);
    expect(await t.gw.store.pendingCount('acme')).toBe(200);
  });

  it('does not let a request without a valid key hold the budget with a body it never finishes', async () => {
    t = await testGateway({ config: { server: { port: 0, bodyLimit: '1mb', bodyBudget: '2kb' } } });
    const listening = t.gw.app.listen(0);
    await new Promise((resolve) => listening.once('listening', resolve));
    const slow = http.request({ port: (listening.address() as AddressInfo).port, method: 'POST', path: '/v1/messages', headers: { 'content-type': 'application/json', 'content-length': 500_000, authorization: 'Bearer not-a-key' } });
    slow.on('error', () => {});
    try {
      // The app is the first 'request' listener: once ours runs, the slow request has passed the budget's middleware.
      const seen = new Promise((resolve) => listening.once('request', resolve));
      slow.write('{"to":'); // and nothing more: a slow client, or an attacker
      await seen;
      const tokens = Array.from({ length: 40 }, (_, i) => ({ provider: 'huawei', token: hwToken(i) }));
      const sent = await t.server('post', '/v1/messages').send({ to: { tokens }, notification: { title: 'hi', body: 'x' } });
      expect(sent.status).toBe(202);
    } finally {
      slow.destroy();
      listening.closeAllConnections();
      await new Promise((resolve) => listening.close(resolve));
    }
  });

  it('still refuses a body over server.bodyLimit with 413, and bad input with 400 naming the field', async () => {
    t = await testGateway({ config: { server: { port: 0, bodyLimit: '1kb', bodyBudget: '2kb' } } });
    const tokens = Array.from({ length: 40 }, (_, i) => ({ provider: 'huawei', token: hwToken(i) }));
    await t.server('post', '/v1/messages').send({ to: { tokens }, notification: { title: 'hi', body: 'x' } }).expect(413);
    const bad = await t.server('post', '/v1/messages').send({ to: { tokens: [{ provider: 'huawei', token: 7 }] }, notification: { title: 'hi', body: 'x' } }).expect(400);
    expect(JSON.stringify(bad.body.error.details)).toContain('to.tokens.0.token');
  });
});

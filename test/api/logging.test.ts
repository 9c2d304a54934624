import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.js';
import { CLIENT_KEY, SERVER_KEY, hwToken, testGateway } from '../factories/gateway.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('trace', stream), text: () => lines.join('') };
}

describe('logs', () => {
  it('redact keys, secrets and tokens wherever they are logged', () => {
    const { logger, text } = capture();
    logger.info({ req: { headers: { authorization: `Bearer ${SERVER_KEY}` } } }, 'request');
    logger.info({ config: { security: { encryptionKey: 'f'.repeat(64) }, tenants: [{ serverKeys: [SERVER_KEY], clientKeys: [CLIENT_KEY], providers: { huawei: { clientSecret: 'hw-very-secret' } } }] } }, 'config');
    logger.warn({ vendor: { appSecret: 'mi-secret-1', token: hwToken(1), accessToken: 'oauth-abc' } }, 'vendor call failed');
    const out = text();
    for (const secret of [SERVER_KEY, CLIENT_KEY, 'f'.repeat(64), 'hw-very-secret', 'mi-secret-1', hwToken(1), 'oauth-abc']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('of a gateway at work carry no key or token', async () => {
    const { logger, text } = capture();
    const t = await testGateway({ logger });
    await t.server('post', '/v1/devices', CLIENT_KEY).send({ provider: 'huawei', token: hwToken(2), userId: 'u' }).expect(201);
    await t.server('post', '/v1/messages').send({ to: { userIds: ['u'] }, notification: { title: 'a', body: 'b' } }).expect(202);
    t.sim.fail(1);
    await t.gw.dispatcher.runLane({ tenant: 'acme', provider: 'huawei' });
    await t.close();
    expect(text().length).toBeGreaterThan(0);
    expect(text()).not.toContain(CLIENT_KEY);
    expect(text()).not.toContain(hwToken(2));
  });
});

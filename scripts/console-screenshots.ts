/**
 * Screenshots of every console page for docs/console.md: a playground-like gateway on the
 * simulators (with a queue, a paused lane and some failures to show), driven by Debian's Chromium.
 *
 *   npm run console:screenshots          (writes docs/console/*.png)
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { consoleGateway, chromiumInstalled, CHROMIUM, KEYS, launchChromium, tokens } from './console-harness.js';

const out = path.resolve(process.argv[2] ?? 'docs/console');

async function main(): Promise<void> {
  if (!chromiumInstalled()) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  mkdirSync(out, { recursive: true });
  const g = await consoleGateway({ huawei: { rateLimit: { perSecond: 2, concurrency: 1 } }, dispatch: { maxAttempts: 1 } });
  const browser = await launchChromium();
  try {
    const api = (method: string, url: string, body?: unknown) => g.api<{ id: string }>(KEYS.acmeServer, method, url, body);
    for (let i = 1; i <= 6; i++) await api('POST', '/v1/devices', { provider: 'huawei', token: tokens.huawei(i), userId: i <= 3 ? 'alice' : `user${i}` });
    await api('POST', '/v1/devices', { provider: 'xiaomi', token: tokens.xiaomi(1), userId: 'alice' });
    await api('POST', '/v1/devices', { provider: 'apns', token: tokens.apns(1), userId: 'alice', apns: { environment: 'sandbox' } });

    // Some failures: the Huawei simulator answers 5xx to the next requests (dispatch.maxAttempts 1).
    g.sim('acme', 'huawei').fail(3);
    const failed = await api('POST', '/v1/messages', { to: { userIds: ['alice'] }, notification: { title: 'Order shipped', body: 'Arrives Friday' }, options: { category: 'order' } });
    for (let i = 0; i < 2; i++) await api('POST', '/v1/messages', { to: { userIds: ['user4', 'user5'] }, notification: { title: 'Reminder', body: 'Meeting at 3' }, options: { category: 'reminder' } });
    await sleep(3000);
    // A paused lane: Xiaomi answers 429 with Retry-After.
    g.sim('acme', 'xiaomi').throttle(1000, 600);
    await api('POST', '/v1/messages', { to: { tokens: [{ provider: 'xiaomi', token: tokens.xiaomi(9) }] }, notification: { title: 'Hello', body: 'b' } });
    // A queue: 20 messages on a 2/s Huawei lane.
    for (let i = 0; i < 20; i++) await api('POST', '/v1/messages', { to: { userIds: ['user6'] }, notification: { title: `News ${i}`, body: 'b' }, options: { category: 'news' } });

    const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    const shot = (name: string) => page.screenshot({ path: path.join(out, `${name}.png`) });
    await page.goto(`${g.baseUrl}/console`);
    await page.getByLabel('Server key of your tenant').fill(KEYS.acmeServer);
    await shot('sign-in');
    await page.keyboard.press('Enter');
    await page.locator('tr[data-provider=huawei] [data-col=queued]', { hasText: /^[1-9]/ }).waitFor({ timeout: 10_000 });
    await page.locator('tr[data-provider=xiaomi] .badge', { hasText: 'rate_limited' }).waitFor({ timeout: 10_000 });
    await shot('lanes');

    await page.goto(`${g.baseUrl}/console#/messages`);
    await page.locator('tbody tr').first().waitFor();
    await shot('messages');

    await page.goto(`${g.baseUrl}/console#/messages/${failed.body.id}`);
    await page.locator('tr[data-delivery]').first().waitFor();
    await shot('message');

    await page.goto(`${g.baseUrl}/console#/failures`);
    const group = page.locator('section[data-group^="huawei/"]').first();
    await group.getByRole('button', { name: 'Show deliveries' }).click();
    await group.locator('tbody tr').first().waitFor();
    await shot('failures');

    await page.goto(`${g.baseUrl}/console#/devices`);
    await page.getByLabel('User id').fill('alice');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('heading', { name: /^Devices of alice/ }).waitFor();
    await page.getByRole('button', { name: 'Erase user…' }).click();
    await page.getByRole('dialog').getByLabel('Type alice to confirm').fill('ali');
    await shot('devices');
    await page.getByRole('dialog').getByRole('button', { name: 'Keep it' }).click();

    await page.goto(`${g.baseUrl}/console#/send`);
    await page.getByRole('radio', { name: /raw device token/ }).check();
    await page.getByLabel('Provider').selectOption('apns');
    await page.getByRole('textbox', { name: 'Token', exact: true }).fill(tokens.apns(7));
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('[data-testid=live-status]', { hasText: 'done' }).waitFor({ timeout: 15_000 });
    await shot('send');
    console.log(`screenshots written to ${path.relative(process.cwd(), out)}/`);
  } finally {
    await browser.close();
    await g.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

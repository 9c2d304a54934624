/**
 * The web console in a real browser (issue 13): Debian's Chromium driven by playwright-core, on a
 * gateway whose vendors are their in-process simulators. One browser and one page for the file;
 * each test starts from where the previous one left the page. Without Chromium the file is skipped
 * with one line, except under CI=true, where it fails (`.ci/run` installs Chromium).
 */
import type { Browser, Page } from 'playwright-core';
import { chromiumInstalled, CHROMIUM, consoleGateway, KEYS, launchChromium, tokens, type ConsoleGateway } from '../../scripts/console-harness.js';

const available = chromiumInstalled();
if (!available && process.env.CI === 'true') throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium (.ci/run does it)`);
if (!available) console.warn(`console browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
const d = available ? describe : describe.skip;

/** Polls a condition of the gateway (not of the page) every 100 ms, for at most 10 s. */
async function until(ok: () => Promise<boolean>): Promise<void> {
  for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (await ok()) return;
  throw new Error('condition not met within 10 s');
}

d('web console in Chromium', () => {
  let g: ConsoleGateway;
  let browser: Browser;
  let page: Page;
  const acme = <T = Record<string, unknown>>(method: string, url: string, body?: unknown) => g.api<T>(KEYS.acmeServer, method, url, body);

  beforeAll(async () => {
    [g, browser] = await Promise.all([consoleGateway({ huawei: { rateLimit: { perSecond: 4, concurrency: 1 } }, dispatch: { maxAttempts: 1 } }), launchChromium()]);
    page = await browser.newPage();
    for (const [provider, token, userId] of [
      ['huawei', tokens.huawei(1), 'alice'],
      ['xiaomi', tokens.xiaomi(2), 'bob'],
      ['huawei', tokens.huawei(3), 'carol'],
      ['xiaomi', tokens.xiaomi(4), 'carol'],
    ] as const) {
      expect((await acme('POST', '/v1/devices', { provider, token, userId })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await g?.close();
  });

  // A hash change is a same-document navigation: the session and the page's state stay.
  const goto = (hash: string) => page.goto(`${g.baseUrl}/console#${hash}`);
  const text = (selector: string) => page.locator(selector).innerText();

  it('refuses a client key, then signs in with a server key and shows the lanes of its tenant only', async () => {
    await page.goto(`${g.baseUrl}/console`);
    await page.getByLabel('Server key of your tenant').fill(KEYS.acmeClient);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'client key cannot sign in' }).waitFor();
    await page.getByLabel('Server key of your tenant').fill(KEYS.acmeServer);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Lanes' }).waitFor();
    expect(await text('[data-testid=tenant]')).toBe('acme');
    await page.locator('tr[data-provider]').first().waitFor();
    expect(await page.locator('tr[data-provider]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-provider')))).toEqual(['huawei', 'xiaomi', 'apns']);
  });

  it('shows a lane queue grow and drain while a send runs on the simulators', async () => {
    const huawei = page.locator('tr[data-provider=huawei]');
    for (let i = 0; i < 20; i++) expect((await acme('POST', '/v1/messages', { to: { userIds: ['alice'] }, notification: { title: `n${i}`, body: 'b' } })).status).toBe(202);
    // 20 vendor requests at 4/s: the page's 2 s refresh sees the queue, then sees it empty.
    await huawei.locator('[data-col=queued]', { hasText: /^[1-9]\d*$/ }).waitFor({ timeout: 10_000 });
    await huawei.locator('[data-col=queued]', { hasText: /^0$/ }).waitFor({ timeout: 20_000 });
    expect(Number(await huawei.locator('[data-col=sent]').innerText())).toBeGreaterThanOrEqual(20);
  });

  it('lists a failed delivery under Failures, opens it, and retries it once the simulator fault is fixed', async () => {
    g.sim('acme', 'huawei').fail(1000);
    await goto('/send');
    await page.getByRole('textbox', { name: 'User id' }).fill('alice');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('[data-testid=live-status]', { hasText: 'done' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('section[aria-live] tbody tr').innerText()).toMatch(/huawei\s+IQAA…_abc\s+failed/);

    await goto('/failures');
    const group = page.locator('section[data-group^="huawei/"]');
    await group.waitFor();
    expect(await group.locator('h2 .badge').innerText()).toBe('1');
    await group.getByRole('button', { name: 'Show deliveries' }).click();
    await group.locator('tbody a').click();
    await page.getByRole('heading', { name: /^Message msg_/ }).waitFor();
    const failedRow = page.locator('tr[data-delivery]');
    expect(await failedRow.innerText()).toMatch(/failed/);
    expect(await failedRow.locator('td').nth(5).innerText()).toMatch(/\(\w+/); // the last error in words, with its code

    g.sim('acme', 'huawei').fail(0);
    await page.getByRole('button', { name: 'Retry failed (1)' }).click();
    await page.getByRole('status').filter({ hasText: 'Requeued 1 delivery.' }).waitFor();
    await page.locator('[data-testid=message-status]', { hasText: 'done' }).waitFor({ timeout: 15_000 });
    await page.locator('tr[data-delivery] .badge', { hasText: /^(sent|delivered)$/ }).waitFor({ timeout: 15_000 });
  });

  it('cancels a message queued behind a paused lane, after a confirmation', async () => {
    g.sim('acme', 'xiaomi').throttle(1000, 120);
    const sent = await acme<{ id: string }>('POST', '/v1/messages', { to: { userIds: ['bob'] }, notification: { title: 'later', body: 'b' } });
    await goto(`/messages/${sent.body.id}`);
    const cancel = page.getByRole('button', { name: 'Cancel (1 pending)' });
    await cancel.waitFor();
    // The lane pauses on the vendor's 429 and the delivery waits queued (not in flight, which a cancel could not stop).
    await until(async () => {
      const lanes = (await acme<{ lanes: Array<{ provider: string; paused: unknown }> }>('GET', '/v1/lanes')).body.lanes;
      const msg = (await acme<{ counts: Record<string, number> }>('GET', `/v1/messages/${sent.body.id}`)).body;
      return lanes.find((l) => l.provider === 'xiaomi')?.paused != null && msg.counts.queued === 1;
    });
    await cancel.click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this message?' });
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    expect(await dialog.isVisible()).toBe(false);
    await cancel.click();
    await dialog.getByRole('button', { name: 'Cancel the message' }).click();
    await page.getByRole('status').filter({ hasText: 'Canceled 1 queued' }).waitFor();
    await page.locator('[data-state=canceled]', { hasText: 'canceled 1' }).waitFor();
    expect((await acme<{ counts: Record<string, number> }>('GET', `/v1/messages/${sent.body.id}`)).body.counts).toMatchObject({ canceled: 1, queued: 0 });
  });

  it('looks a user up with masked tokens, deletes one device and erases the user after typing their id', async () => {
    await goto('/devices');
    await page.getByLabel('User id').fill('carol');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('heading', { name: 'Devices of carol (2)' }).waitFor();
    const body = await page.locator('main').innerText();
    expect(body).not.toContain(tokens.huawei(3));
    expect(body).toContain('IQAA…_abc');

    await page.getByRole('button', { name: /^Delete the xiaomi device/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete the device' }).click();
    await page.getByRole('heading', { name: 'Devices of carol (1)' }).waitFor();

    await page.getByRole('button', { name: 'Erase user…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Erase user carol?' });
    const erase = dialog.getByRole('button', { name: 'Erase everything' });
    expect(await erase.isDisabled()).toBe(true);
    await dialog.getByLabel('Type carol to confirm').fill('carol');
    await erase.click();
    await page.getByRole('status').filter({ hasText: 'Erased carol: 1 devices' }).waitFor();
    expect((await acme<{ devices: unknown[] }>('GET', '/v1/devices?userId=carol')).body.devices).toEqual([]);
  });

  it('refuses a state-changing call of the session without its CSRF token, and from another site', async () => {
    const bare = await page.evaluate(async () => {
      const r = await fetch('/v1/users/alice', { method: 'DELETE', credentials: 'same-origin' });
      return { status: r.status, body: await r.json() };
    });
    expect(bare).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'csrf_token_invalid' }) } });

    // A page on another origin tries the same with the browser's cookie: the browser's preflight stops it.
    const evil = await browser.newPage();
    await evil.goto('about:blank');
    const forged = await evil.evaluate(async (base) => {
      try {
        await fetch(`${base}/v1/users/alice`, { method: 'DELETE', credentials: 'include' });
        return 'sent';
      } catch {
        return 'blocked';
      }
    }, g.baseUrl);
    await evil.close();
    expect(forged).toBe('blocked');
    expect((await acme<{ devices: unknown[] }>('GET', '/v1/devices?userId=alice')).body.devices).toHaveLength(1);
  });

  it("shows nothing of another tenant: beta's message is not found and beta's user has no devices here", async () => {
    await g.api(KEYS.betaServer, 'POST', '/v1/devices', { provider: 'huawei', token: tokens.huawei(9), userId: 'dave' });
    const beta = await g.api<{ id: string }>(KEYS.betaServer, 'POST', '/v1/messages', { to: { userIds: ['dave'] }, notification: { title: 't', body: 'b' } });
    await goto(`/messages/${beta.body.id}`);
    await page.getByRole('alert').filter({ hasText: 'not_found' }).first().waitFor();
    await goto('/devices');
    await page.getByLabel('User id').fill('dave');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('heading', { name: 'Devices of dave (0)' }).waitFor();
  });

  it('signs out: the page returns to the sign-in form and the old cookie no longer works', async () => {
    const cookies = await page.context().cookies();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Server key of your tenant').waitFor();
    const session = cookies.find((c) => c.name === 'pushgate_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const res = await fetch(`${g.baseUrl}/v1/messages`, { headers: { Cookie: `pushgate_session=${session!.value}` } });
    expect(res.status).toBe(401);
  });
});

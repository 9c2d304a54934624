/**
 * The verifier against the gateway's own signer (src/core/webhooks.ts signatureHeader): what one
 * signs, the other accepts, bytes or string, and each way a signature can be wrong has its reason.
 * test/e2e.test.ts checks real POSTs from a running gateway.
 */
import { signatureHeader } from '../../../src/core/webhooks.js';
import { checkWebhookSignature, parseWebhookEvent, verifyWebhookSignature, WebhookSignatureError } from '../src/index.js';

const SECRET = 'whsec-unit-test-0000000001';
const NOW = Date.parse('2026-03-01T12:00:00Z');
const T = NOW / 1000;
const body = JSON.stringify({ id: 'evt_1', type: 'device.pruned', createdAt: '2026-03-01T12:00:00.000Z', tenant: 'acme', data: { deviceId: 'dev_1', userId: 'Zoë', provider: 'huawei', reason: 'invalid_token' } });
const header = signatureHeader(SECRET, T, body);
const check = (o: Partial<Parameters<typeof checkWebhookSignature>[0]>) => checkWebhookSignature({ body, header, secret: SECRET, now: () => NOW, ...o })?.reason ?? 'valid';

describe('verifyWebhookSignature', () => {
  it('accepts what the gateway signs, as a string or as the raw bytes (UTF-8 included)', () => {
    expect(verifyWebhookSignature({ body, header, secret: SECRET, now: () => NOW })).toBe(true);
    expect(verifyWebhookSignature({ body: new TextEncoder().encode(body), header, secret: SECRET, now: () => NOW })).toBe(true);
    expect(verifyWebhookSignature({ body: Buffer.from(body), header, secret: SECRET, now: () => NOW })).toBe(true);
  });

  it('accepts any of several secrets while one is rotated, and extra header fields from a later scheme', () => {
    expect(check({ secret: ['the-new-secret-00000000001', SECRET] })).toBe('valid');
    expect(check({ header: `${header}, v2=abc` })).toBe('valid');
    expect(check({ header: ` v1=${'0'.repeat(64)} , ${header.replace(',', ' , ')}` })).toBe('valid');
  });

  it('gives the reason for each way a signature is wrong', () => {
    expect(check({ header: undefined })).toBe('missing_header');
    expect(check({ header: '' })).toBe('missing_header');
    expect(check({ header: 'v1=abc' })).toBe('malformed_header');
    expect(check({ header: `t=${T}` })).toBe('malformed_header');
    expect(check({ header: `t=soon,v1=${'a'.repeat(64)}` })).toBe('malformed_header');
    expect(check({ body: body.replace('Zoë', 'Zoe') })).toBe('signature_mismatch');
    expect(check({ secret: 'whsec-unit-test-0000000002' })).toBe('signature_mismatch');
    expect(check({ header: header.replace(`t=${T}`, `t=${T - 1}`) })).toBe('signature_mismatch'); // t is signed too
  });

  it('refuses a timestamp further than toleranceSeconds from now, either way', () => {
    expect(check({ now: () => NOW + 300_000 })).toBe('valid');
    expect(check({ now: () => NOW + 301_000 })).toBe('timestamp_out_of_tolerance');
    expect(check({ now: () => NOW - 301_000 })).toBe('timestamp_out_of_tolerance');
    expect(check({ now: () => NOW + 60_000, toleranceSeconds: 30 })).toBe('timestamp_out_of_tolerance');
  });
});

describe('parseWebhookEvent', () => {
  it('returns the typed event once the signature holds', () => {
    const event = parseWebhookEvent({ body: Buffer.from(body), header, secret: SECRET, now: () => NOW });
    expect(event.type).toBe('device.pruned');
    if (event.type === 'device.pruned') expect(event.data).toEqual({ deviceId: 'dev_1', userId: 'Zoë', provider: 'huawei', reason: 'invalid_token' });
  });

  it('throws WebhookSignatureError with the reason, and never parses an unverified body', () => {
    const err = (() => {
      try {
        parseWebhookEvent({ body: '{not json', header, secret: SECRET, now: () => NOW });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(WebhookSignatureError);
    expect(err).toMatchObject({ reason: 'signature_mismatch', message: 'the signature does not match this body and secret' });
  });
});

/**
 * explainError: the vendor's own explanation of its code first, then pushgate's kit codes
 * (http_<status>, transport failures), then the normalized reason; null for no error or a code
 * nothing knows.
 */
import { OUTCOMES } from '../../providers/types.js';
import { explainError, REASON_EXPLANATIONS } from '../../src/core/explanations.js';

const vendor = { errors: { '42': { meaning: 'The answer to everything.', action: 'Ask a better question.' } } };

describe('explainError', () => {
  it("explains a vendor code from the vendor's table, saying it explained the vendor code", () => {
    expect(explainError(vendor, 'rejected', '42')).toEqual({ meaning: 'The answer to everything.', action: 'Ask a better question.', of: 'vendorCode' });
  });

  it('explains the codes the vendor kit records for any vendor: HTTP statuses and transport failures', () => {
    expect(explainError(vendor, 'rate_limited', 'http_429')).toMatchObject({ meaning: expect.stringContaining('429'), of: 'vendorCode' });
    expect(explainError(undefined, 'retry', 'http_503')).toMatchObject({ meaning: expect.stringContaining('HTTP 503'), of: 'vendorCode' });
    expect(explainError(undefined, 'auth_error', 'http_401')).toMatchObject({ meaning: expect.stringContaining('credentials'), of: 'vendorCode' });
    expect(explainError(undefined, 'retry', 'econnrefused')).toMatchObject({ meaning: expect.stringContaining('refused the connection'), of: 'vendorCode' });
  });

  it('falls back to the normalized reason when the vendor code is unknown or absent', () => {
    expect(explainError(vendor, 'retry', '99999')).toEqual({ ...REASON_EXPLANATIONS.retry, of: 'errorCode' });
    expect(explainError(vendor, 'expired', undefined)).toEqual({ ...REASON_EXPLANATIONS.expired, of: 'errorCode' });
    // Inherited object keys are not codes.
    expect(explainError(vendor, 'rejected', 'toString')).toEqual({ ...REASON_EXPLANATIONS.rejected, of: 'errorCode' });
  });

  it('is null without an error, and for a code neither table knows', () => {
    expect(explainError(vendor, null, null)).toBeNull();
    expect(explainError(vendor, 'something_new', 'also_new')).toBeNull();
    expect(explainError(vendor, 'constructor', undefined)).toBeNull();
  });

  it('explains every outcome a vendor can report besides sent, and the reasons the dispatcher records itself', () => {
    for (const code of [...OUTCOMES.filter((o) => o !== 'sent'), 'expired', 'token_unavailable', 'recalled']) {
      expect([code, explainError(undefined, code, null)?.of]).toEqual([code, 'errorCode']);
    }
  });
});

import { vivoHttpOutcome, vivoInvalidUserOutcome } from './vivo.errors.js';

describe('vivo outcome table without a vivo body', () => {
  it('maps HTTP statuses and invalidUser statuses', () => {
    expect([500, 503, 404, 408, 429, 401, 403, 400, 200].map(vivoHttpOutcome)).toEqual([
      'retry', 'retry', 'retry', 'retry', 'rate_limited', 'auth_error', 'auth_error', 'rejected', 'retry',
    ]);
    expect([1, 2, 3, 4, 0].map(vivoInvalidUserOutcome)).toEqual(['invalid_token', 'invalid_token', 'invalid_token', 'rejected', 'rejected']);
  });
});

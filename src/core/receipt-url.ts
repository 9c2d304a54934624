/**
 * The URL vendors post a tenant's receipts to: `<server.publicBaseUrl>/v1/receipts/<provider>/<tenant>`,
 * with `?secret=<receiptSecret>` for vendors that sign nothing. Put into outgoing messages by the
 * dispatcher and, in the playground, into the simulators of vendors configured in a console.
 */
export function receiptCallbackUrl(publicBaseUrl: string | undefined, provider: string, tenant: string, secret: string | undefined): string | undefined {
  if (!publicBaseUrl) return undefined;
  const url = new URL(`v1/receipts/${provider}/${tenant}`, publicBaseUrl.endsWith('/') ? publicBaseUrl : `${publicBaseUrl}/`);
  if (secret) url.searchParams.set('secret', secret);
  return url.toString();
}

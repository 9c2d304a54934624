/**
 * A throwaway test CA and a server certificate for the TLS simulators (FCM, APNs), made with the
 * openssl CLI at first use (docs/vendors/fcm.md#simulator, docs/vendors/apns.md#simulator). Nothing here is used against a real vendor.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestTls {
  caPem: string;
  keyPem: string;
  certPem: string;
}

let cached: TestTls | undefined;

export function testTls(): TestTls {
  if (cached) return cached;
  const dir = mkdtempSync(path.join(tmpdir(), 'pushgate-tls-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
      '-days', '3650', '-subj', '/CN=pushgate test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
    writeFileSync(
      path.join(dir, 'ext.cnf'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:fcm.googleapis.com,DNS:api.push.apple.com,DNS:api.sandbox.push.apple.com\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
    );
    run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '3650', '-extfile', 'ext.cnf']);
    cached = {
      caPem: readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
      keyPem: readFileSync(path.join(dir, 'server.key'), 'utf8'),
      certPem: readFileSync(path.join(dir, 'server.pem'), 'utf8'),
    };
    return cached;
  } catch (err) {
    throw new Error(`could not create the simulators' test certificate with the openssl CLI: ${String(err)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Files a vendor config names (credential files, keys, CA certificates) are checked while the
 * config is validated, so a missing or wrong file is one more line in the start-up report instead
 * of a stack trace when the adapter is built. Used from the vendors' zod schemas: the core never
 * learns which vendor reads which file.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----/;
const PEM_END = /-----END [A-Z0-9 ]+-----/;

/** The file's text, or why it cannot be read (one phrase, no stack). */
export function readConfigFile(file: string): { text: string } | { problem: string } {
  try {
    return { text: readFileSync(file, 'utf8') };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'it is a directory' : e.message;
    return { problem: `cannot read ${file}: ${why}` };
  }
}

/**
 * A value that is PEM text or the path of a file holding it (APNs keys and certificates, also used for CA
 * files): a path must be readable and hold a complete PEM block; `check` then judges the PEM
 * itself and returns a problem, or undefined when it is fine. Returns the PEM, or undefined after
 * adding an issue.
 */
export function pemFromValue(value: string, ctx: z.RefinementCtx, check?: (pem: string) => string | undefined): string | undefined {
  let pem = value;
  let where = 'the PEM block';
  if (!PEM_BLOCK.test(value)) {
    const read = readConfigFile(value);
    if ('problem' in read) return fail(ctx, `${read.problem} (give the PEM text or the path of a readable PEM file)`);
    if (!PEM_BLOCK.test(read.text)) return fail(ctx, `${value} holds no PEM block (-----BEGIN …-----)`);
    pem = read.text;
    where = `the PEM block in ${value}`;
  }
  if (!PEM_END.test(pem)) return fail(ctx, `${where} is not complete (BEGIN without END)`);
  const problem = check?.(pem);
  return problem === undefined ? pem : fail(ctx, `${where === 'the PEM block' ? '' : `${value}: `}${problem}`);
}

/** The PEM text of a value `pemFromValue` accepted: the value itself, or the contents of the file it names. */
export function pemText(value: string): string {
  if (PEM_BLOCK.test(value)) return value;
  const read = readConfigFile(value);
  return 'text' in read ? read.text : value;
}

/** A vendor's `ca`: PEM text, or the path of a PEM file read at start-up; TLS always gets the PEM. */
export const caSchema = z.string().transform((v, ctx) => pemFromValue(v, ctx) ?? z.NEVER);

function fail(ctx: z.RefinementCtx, message: string): undefined {
  ctx.addIssue({ code: 'custom', message });
  return undefined;
}

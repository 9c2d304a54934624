/**
 * V8 heap settings pushgate applies to its own process (serve and the bench's gateway child), so
 * nobody has to pass node flags for a bounded footprint.
 *
 * V8 grows the old generation's limit up to 4× the live size after each full GC while the heap
 * grows fast, which a big accept does (a 100,000-target body is ~16 MB of JSON and ~60 MB of parsed
 * objects that live until the commit): after a few such requests the heap had room for several of
 * them at once and RSS settled there. Measured on 5 × 100,000-target POSTs (peak RSS, VmHWM):
 * 434 MB by default, 275 MB with a 20% growing step, the same CPU time (23.8 vs 24.1 s);
 * `--optimize-for-size` gave 230 MB but cost 28% more CPU. The semi-space size would be the
 * other knob, but V8 reads it only at start-up (a flag set here changes nothing).
 *
 * 50%, not 20% (issue 11, sixth round): a step of 20% made dispatch pay for it. 1,000 APNs streams in flight keep
 * their objects past a scavenge, so the old generation grows by 20% of what is live within a few batches and every
 * such step is a full GC. `node --heap-growing-percent=N dist/bench/apns-profile.js gateway 60000`, three rounds:
 * median gateway CPU per delivery 144.9 µs at 20%, 137.4 at 35%, 132.0 at 50%, 128.6 at 100%, 127–164 with V8's own
 * growing; the bench's backlog row (10 × 100,000 targets accepted, lanes stopped) peaked at 217 MB at 20%, 227 at 35%,
 * 240–251 MB at 50% and 363 MB with V8's own: 50% keeps it under the 300 MB goal and gives back most of the CPU.
 */
import v8 from 'node:v8';

const FLAG = 'heap-growing-percent';
/** Each full GC lets the heap grow by half of what is live before the next one. */
const GROWING_PERCENT = 50;

/**
 * Set the heap growing step unless the operator chose one: a node flag (`node --heap-growing-percent=20 …`). Node 20
 * refuses the flag in NODE_OPTIONS, but a later node may take it there, so that is honoured too.
 */
export function applyHeapSettings(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
  setFlags: (flags: string) => void = v8.setFlagsFromString,
): void {
  const chosen = [...execArgv, nodeOptions].some((a) => a.includes(FLAG) || a.includes(FLAG.replaceAll('-', '_')));
  if (!chosen) setFlags(`--${FLAG}=${GROWING_PERCENT}`);
}

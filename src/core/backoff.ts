/** Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"). */
export function fullJitter(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}

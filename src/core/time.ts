/** Lane quota days and send windows are counted in the vendor's own time zone (Beijing for CN vendors); the dispatcher holds lanes by these. Providers keep their own copy in providers/shared/time.ts: a provider never imports src/. */

/** Where a vendor's daily quotas reset when its definition names no `quotaResetTimeZone`: midnight Beijing time. */
export const DEFAULT_QUOTA_TIME_ZONE = 'Asia/Shanghai';

/** The hour (0–23) at `now` in `timeZone`. */
export function hourIn(now: number, timeZone: string): number {
  const h = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(now));
  return Number(h);
}

/** The next local midnight in `timeZone` after `now`, as ms since epoch. */
export function nextMidnight(now: number, timeZone: string): number {
  return nextLocalHour(now, 0, timeZone);
}

/** The next instant after `now` when the local clock in `timeZone` reads `hour`:00. */
export function nextLocalHour(now: number, hour: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(now));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const secondsIntoDay = get('hour') * 3600 + get('minute') * 60 + get('second');
  let delta = hour * 3600 - secondsIntoDay;
  if (delta <= 0) delta += 86_400;
  // Truncate to the second, then add: exact for zones without DST (Asia/Shanghai has none).
  return Math.floor(now / 1000) * 1000 + delta * 1000;
}

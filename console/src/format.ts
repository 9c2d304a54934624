/** Small formatting helpers: times as the operator reads them, errors in words. */
import type { DeliveryError } from './types.js';

export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '—';
  return duration(Math.max(0, now - Date.parse(iso)));
}

export function until(iso: string | null, now = Date.now()): string {
  if (!iso) return 'until further notice';
  return `for ${duration(Math.max(0, Date.parse(iso) - now))} (until ${new Date(iso).toLocaleTimeString()})`;
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

export const time = (iso: string) => new Date(iso).toLocaleString();

/** A delivery's last error as a sentence: the vendor's words, then the codes to search for. */
export function errorInWords(e: DeliveryError | null): string {
  if (!e) return '—';
  const codes = e.vendorCode ? `${e.code}, vendor code ${e.vendorCode}` : e.code;
  return `${e.message} (${codes})`;
}

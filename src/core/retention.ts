/**
 * The retention sweep (README.md "What it does", Privacy): devices idle longer than deviceIdleDays and messages
 * older than messageDays are deleted. `sweep(now)` is the unit; the timer only calls it.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/types.js';

const DAY = 86_400_000;

export class RetentionSweep {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: { store: Store; now(): number; logger: Logger; deviceIdleDays: number; messageDays: number; intervalMs: number }) {}

  async sweep(now = this.deps.now()): Promise<{ devices: number; messages: number }> {
    const devices = await this.deps.store.deleteIdleDevices(now - this.deps.deviceIdleDays * DAY);
    const messages = await this.deps.store.deleteOldMessages(now - this.deps.messageDays * DAY);
    if (devices || messages) this.deps.logger.info({ devices, messages }, 'retention sweep deleted expired records');
    return { devices, messages };
  }

  start(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.deps.logger.error({ err }, 'retention sweep failed; will retry next interval'));
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

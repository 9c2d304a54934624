/** A clock tests move by hand; everything in pushgate takes `now()` by injection. */
export class TestClock {
  constructor(public t = Date.UTC(2026, 10, 25, 4, 0, 0)) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

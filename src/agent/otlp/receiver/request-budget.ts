// The bound on OTLP work in flight, shared by both transports: requests at once and body bytes held.

export class RequestBudget {
  private active = 0;
  private held = 0;
  private peak = 0;

  constructor(
    readonly maxRequests: number,
    readonly maxBytes: number,
  ) {}

  /** Admits one more request expecting about `bytes`, or refuses (the caller answers 429 / UNAVAILABLE). */
  tryStart(bytes: number): boolean {
    if (this.active >= this.maxRequests || this.held + bytes > this.maxBytes) return false;
    this.active++;
    return true;
  }

  finish(): void {
    this.active--;
  }

  /** Holds `bytes` more if the bound allows; a body read refused here is answered 429. */
  tryHold(bytes: number): boolean {
    if (this.held + bytes > this.maxBytes) return false;
    this.hold(bytes);
    return true;
  }

  /** Tracks bytes held by admitted requests (negative to release). */
  hold(delta: number): void {
    this.held += delta;
    if (this.held > this.peak) this.peak = this.held;
  }

  snapshot(): Record<string, number> {
    return { activeRequests: this.active, bufferedBytes: this.held, peakBufferedBytes: this.peak };
  }
}

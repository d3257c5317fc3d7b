// Bounds on what one request may make the decoder build, whatever its size on the wire.
import { DecodeError } from './decode-error.js';

export interface DecodeLimits {
  /** AnyValue arrays/kvlists nested deeper than this are refused (a recursion bomb otherwise). */
  readonly maxAnyValueDepth: number;
  /** Objects (attributes, values, points, spans…) one request may decode to: memory stays bounded. */
  readonly maxElements: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxAnyValueDepth: 32, maxElements: 2_000_000 };

/** Counts decoded objects against `maxElements`. */
export class ElementBudget {
  private left: number;

  constructor(readonly limits: DecodeLimits) {
    this.left = limits.maxElements;
  }

  take(): void {
    if (--this.left < 0) throw new DecodeError(`the request decodes to more than ${this.limits.maxElements} elements`);
  }
}

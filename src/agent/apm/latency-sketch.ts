// A DDSketch of span durations (logarithmic mapping, 1% relative accuracy) and its protobuf form
// (DataDog/sketches-go ddsketch.proto), as the trace-agent sends in okSummary/errorSummary.
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const MULTIPLIER = 1 / Math.log(GAMMA);
/** Below this a value counts as zero (sketches-go's minIndexableValue is of this order). */
const MIN_INDEXABLE = 1e-9;

export class LatencySketch {
  private readonly bins = new Map<number, number>();
  private zeroCount = 0;
  count = 0;

  add(value: number): void {
    this.count++;
    if (!(value > MIN_INDEXABLE)) {
      this.zeroCount++;
      return;
    }
    // sketches-go LogarithmicMapping.Index: floor of log_gamma(value).
    const index = Math.floor(Math.log(value) * MULTIPLIER);
    this.bins.set(index, (this.bins.get(index) ?? 0) + 1);
  }

  /** The value a bin stands for, as sketches-go reconstructs it. */
  static valueOf(index: number): number {
    return Math.exp(index / MULTIPLIER) * (1 + RELATIVE_ACCURACY);
  }

  /** The q-quantile (0..1), within 1% of the true value. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = q * (this.count - 1);
    let seen = this.zeroCount;
    if (rank < seen) return 0;
    for (const index of [...this.bins.keys()].sort((a, b) => a - b)) {
      seen += this.bins.get(index)!;
      if (seen > rank) return LatencySketch.valueOf(index);
    }
    return 0;
  }

  toProto(): Uint8Array {
    const w = new BinaryWriter();
    w.tag(1, WireType.LengthDelimited).fork();
    w.tag(1, WireType.Bit64).double(GAMMA);
    w.join();
    w.tag(2, WireType.LengthDelimited).fork();
    for (const [index, count] of this.bins) {
      w.tag(1, WireType.LengthDelimited).fork();
      w.tag(1, WireType.Varint).sint32(index);
      w.tag(2, WireType.Bit64).double(count);
      w.join();
    }
    w.join();
    if (this.zeroCount > 0) w.tag(4, WireType.Bit64).double(this.zeroCount);
    return w.finish();
  }
}

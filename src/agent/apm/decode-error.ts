/** A payload the receiver cannot read: answered 400 and counted, never thrown further. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

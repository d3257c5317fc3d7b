/** A body that is not a valid OTLP request: answered 400 / INVALID_ARGUMENT and counted, never thrown further. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

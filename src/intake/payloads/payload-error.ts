/** A body the intake refuses with 400: the message says what is wrong and where. */
export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadError';
  }
}

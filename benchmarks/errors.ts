/** A gate file that cannot be used: not JSON, the wrong shape, or naming a contender that does not exist. */
export class GateFileError extends Error {
  override readonly name = 'GateFileError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

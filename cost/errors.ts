/**
 * Errors of the cost model. Bad input is the caller's to fix (the CLI maps it to exit code 2);
 * anything else is a defect.
 */
export class CostInputError extends Error {
  override readonly name = 'CostInputError';
  /** The flag or field at fault, e.g. `--peak-connections` or `capacity.ecs-sse`. */
  readonly field: string | undefined;

  constructor(message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.field = options?.field;
  }
}

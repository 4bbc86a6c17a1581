/**
 * One error type for everything a user can get wrong (bad file, bad flag, bad query).
 * `code` is stable and machine-readable; `message` is one line that names the problem.
 * The CLI maps it to exit code 2, the HTTP layer to a 4xx.
 */
export class SlimboardError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: string, message: string, options: { status?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SlimboardError';
    this.code = code;
    this.status = options.status ?? 400;
    this.details = options.details;
  }
}

export function isSlimboardError(e: unknown): e is SlimboardError {
  return e instanceof SlimboardError;
}

/** Render a zod error as one line: `field.path: message; other: message`. */
export function formatZodIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

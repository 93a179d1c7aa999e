export type DomainErrorCode =
  | 'invalid_input'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unavailable';

/** An expected failure with a stable code that the edge maps to a message for the user. */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fieldErrors: Readonly<Record<string, string>> = {},
    /** The account the message speaks about, if it names one: the audience rule applies to it too. */
    readonly accountId?: string,
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

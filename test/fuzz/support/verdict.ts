/** Runs one validation with a deadline: a hang is a failure, as is any error that is not typed. */
import { TokenValidationError, type TokenValidator, type ValidatedToken } from '@identity-model/core';

export type Verdict =
  | { accepted: true; result: ValidatedToken }
  | { accepted: false; error: TokenValidationError };

export async function verdict(validator: TokenValidator, token: string, deadlineMs = 3000): Promise<Verdict> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`validate() did not settle within ${deadlineMs} ms`)),
      deadlineMs,
    );
  });
  try {
    const result = await Promise.race([validator.validate(token), deadline]);
    return { accepted: true, result };
  } catch (error) {
    if (error instanceof TokenValidationError) return { accepted: false, error };
    throw new Error(
      `untyped failure: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    clearTimeout(timer);
  }
}

import { UsageError } from './exit-codes.js';

/** Longest token read from argv or stdin (characters): far above any real JWT, bounded all the same. */
export const MAX_TOKEN_LENGTH = 65_536;

/** Reads a stream to its end, refusing more than `maxBytes` (so a stray `cat /dev/zero |` ends). */
export async function readBounded(stream: AsyncIterable<Buffer | string>, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) throw new UsageError(`standard input is longer than ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The token argument: as given, or standard input for `-`; surrounding whitespace dropped. */
export async function readTokenArgument(
  value: string | undefined,
  readStdin: (maxBytes: number) => Promise<string>,
  usage: string,
): Promise<string> {
  if (value === undefined) throw new UsageError(`a token is required: ${usage}`);
  const token = (value === '-' ? await readStdin(MAX_TOKEN_LENGTH + 2) : value).trim();
  if (token === '')
    throw new UsageError(value === '-' ? 'standard input held no token' : 'the token is empty');
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new UsageError(`the token is longer than ${MAX_TOKEN_LENGTH} characters`);
  }
  return token;
}

/** Shows that there is a token without showing it: its first 8 characters (a JWT header's start) and length. */
export function maskToken(token: string): string {
  return `${token.slice(0, 8)}… (${token.length} characters; --raw prints it)`;
}

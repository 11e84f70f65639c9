/** The error code a fetch to `url` fails with (`ECONNREFUSED` once a fixture is stopped), or undefined. */
export async function connectionErrorCode(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return undefined;
  } catch (error) {
    return ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
  }
}

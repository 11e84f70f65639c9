/** The heap after three full collections (the process needs `--expose-gc`): what survives, not what waits. */
export function settledHeap(): { heapUsed: number; rss: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('measuring the heap needs node --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

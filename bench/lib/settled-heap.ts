import type { ChildProcess } from 'node:child_process';
import { getHeapCodeStatistics } from 'node:v8';

export interface HeapSample {
  heapUsed: number;
  rss: number;
}

/** The heap after three full collections (the process needs `--expose-gc`): what survives, not what waits. */
export function settledHeap(): HeapSample {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('measuring the heap needs node --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  // A collection leaves its sweeping to later allocations (all of it on the main thread under
  // --single-threaded), and the first thing that needs an iterable heap pays for the rest at once: a
  // deoptimization in instructions.ts's window swept ~23M instructions' worth there, in some runs and not
  // others. Code statistics walk the heap, so V8 finishes sweeping now.
  getHeapCodeStatistics();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

/** The child's next IPC message; rejects if it exits first, so a crashed server fails the part, not hangs it. */
export function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`server exited with ${signal ?? code}`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message as T);
    });
  });
}

/** Asks an HTTP bench server (`http-server.ts`, started with `--expose-gc`) for its settled heap. */
export function requestSettledHeap(child: ChildProcess): Promise<HeapSample> {
  const answer = nextMessage<HeapSample>(child);
  child.send({ heap: true });
  return answer;
}

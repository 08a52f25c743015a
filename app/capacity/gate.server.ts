/**
 * How much heavy work one instance does at once (docs/decisions/077-upload-cap.md). A gate
 * runs at most `limit` tasks together; a task that finds them all taken waits in a short
 * first-come queue, and is refused (`GateBusy`) when the queue is full or when its wait passes
 * `maxWaitMs`. The count lives in this process on purpose: it protects this process's memory,
 * so every instance keeps its own (one upload per instance on AWS Lambda needs none).
 */
import { getEnv } from "~/env.server";

export type GateOptions = {
  /** Tasks running at once. */
  limit: number;
  /** Tasks waiting for a slot at most; one more is refused at once. */
  maxWaiting: number;
  /** How long a task may wait for a slot before it is refused. */
  maxWaitMs: number;
};

/** A task the gate could not take: its queue was full, or the task waited too long. */
export class GateBusy extends Error {
  override readonly name = "GateBusy";
  constructor(readonly reason: "queue-full" | "waited-too-long") {
    super(reason === "queue-full" ? "Every slot and queue place is taken" : "No slot came free");
  }
}

export type Gate = {
  /** Run `task` in a slot, after waiting for one if need be; the slot is freed however it ends. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot now. */
  readonly waiting: number;
};

export function createGate({ limit, maxWaiting, maxWaitMs }: GateOptions): Gate {
  let active = 0;
  const queue: (() => void)[] = [];

  function acquire(): Promise<void> {
    if (active < limit && queue.length === 0) {
      active++;
      return Promise.resolve();
    }
    if (queue.length >= maxWaiting) return Promise.reject(new GateBusy("queue-full"));
    return new Promise((resolve, reject) => {
      const start = () => {
        clearTimeout(timer);
        active++;
        resolve();
      };
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(start), 1);
        reject(new GateBusy("waited-too-long"));
      }, maxWaitMs);
      timer.unref?.();
      queue.push(start);
    });
  }

  function release() {
    active--;
    queue.shift()?.();
  }

  return {
    async run(task) {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}

let analyses: Gate | undefined;

/** The instance's gate for decoding and classifying uploaded smears (`UPLOAD_CONCURRENCY`). */
export function analysisGate(): Gate {
  const env = getEnv();
  analyses ??= createGate({
    limit: env.UPLOAD_CONCURRENCY,
    maxWaiting: env.UPLOAD_QUEUE_LENGTH,
    maxWaitMs: env.UPLOAD_QUEUE_WAIT_SECONDS * 1000,
  });
  return analyses;
}

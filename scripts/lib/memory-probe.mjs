// Loaded into the server by `npm run bench:memory` (node --expose-gc --import this file): on
// request over the IPC channel, collect garbage and report the process's memory. Never used
// in production.
process.on("message", (message) => {
  if (message?.type !== "measure") return;
  globalThis.gc?.();
  globalThis.gc?.();
  const usage = process.memoryUsage();
  process.send?.({ type: "memory", id: message.id, ...usage });
});

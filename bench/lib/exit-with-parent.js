// Preloaded into every process the benchmark starts (node -r bench/lib/exit-with-parent.js ...): a child
// whose orchestrator died without stopping it (SIGKILL, crash) notices it was re-parented and exits, so
// an interrupted benchmark never leaves services consuming from the broker.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 1000).unref();

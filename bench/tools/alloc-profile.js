// Where a service's bytes go: preload this into the service (`-r`), and it samples every allocation,
// including objects collected since, for a window of a run, then writes a V8 sampling heap profile.
// With the benchmark: BENCH_NODE_FLAGS="--max-semi-space-size=8 --heap-growing-percent=40 -r $PWD/bench/tools/alloc-profile.js"
// Environment: ALLOC_PROFILE_MATCH (regular expression on the entry script, default intake's api),
// ALLOC_PROFILE_START_MS (default 14000: after start-up and warm-up), ALLOC_PROFILE_MS (default 12000),
// ALLOC_PROFILE_DIR (default /tmp/alloc-profiles). Read the result with alloc-summary.js.
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const match = new RegExp(process.env.ALLOC_PROFILE_MATCH || 'declaration-intake/src/main\\.js$');
if (process.argv[1] && match.test(process.argv[1])) {
  const startMs = Number(process.env.ALLOC_PROFILE_START_MS || 14000);
  const windowMs = Number(process.env.ALLOC_PROFILE_MS || 12000);
  const dir = process.env.ALLOC_PROFILE_DIR || '/tmp/alloc-profiles';
  const session = new inspector.Session();
  session.connect();
  const sampling = {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  };
  setTimeout(() => {
    session.post('HeapProfiler.startSampling', sampling, (error) => {
      if (error) return console.error(`alloc-profile: ${error.message}`);
      setTimeout(() => {
        session.post('HeapProfiler.stopSampling', (stopError, result) => {
          if (stopError) return console.error(`alloc-profile: ${stopError.message}`);
          fs.mkdirSync(dir, { recursive: true });
          const file = path.join(dir, `${path.basename(process.argv[1], '.js')}-${process.pid}.heapprofile`);
          fs.writeFileSync(file, JSON.stringify(result.profile));
          console.error(`alloc-profile: ${windowMs} ms of allocations written to ${file}`);
        });
      }, windowMs).unref();
    });
  }, startMs).unref();
}

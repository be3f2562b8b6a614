// Reads a profile written by alloc-profile.js (or any .heapprofile): total bytes, then the functions that
// allocated most themselves and with what they called; with a function name as second argument, the call
// paths that led to its allocations.
// node bench/tools/alloc-summary.js /tmp/alloc-profiles/main-123.heapprofile [function] [depth]
'use strict';
const fs = require('node:fs');

const [file, focus, depthArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/tools/alloc-summary.js <file.heapprofile> [function] [depth]');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const bytesOf = new Map();
for (const s of profile.samples ?? []) bytesOf.set(s.nodeId, (bytesOf.get(s.nodeId) ?? 0) + s.size);
const nodeBytes = (n) => (bytesOf.size ? (bytesOf.get(n.id) ?? 0) : n.selfSize);
const label = (n) => {
  const f = n.callFrame;
  const where = f.url.includes('node_modules/')
    ? f.url.replace(/.*node_modules\//, '~/')
    : f.url.replace(/^.*?\/(dist|apps|libs)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
};
const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;

let total = 0;
const self = new Map();
const inclusive = new Map();
const paths = new Map();
const depth = Number(depthArg || 4);
(function walk(node, stack) {
  const name = label(node);
  const here = [...stack, name];
  const bytes = nodeBytes(node);
  total += bytes;
  self.set(name, (self.get(name) ?? 0) + bytes);
  for (const f of new Set(here)) inclusive.set(f, (inclusive.get(f) ?? 0) + bytes);
  if (focus && bytes && name.startsWith(`${focus} `)) {
    const p = here
      .slice(-1 - depth, -1)
      .reverse()
      .join('\n      <- ');
    paths.set(p, (paths.get(p) ?? 0) + bytes);
  }
  for (const child of node.children ?? []) walk(child, here);
})(profile.head, []);

const top = (m, n) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}% ${mb(v).padStart(10)}  ${k}`)
    .join('\n');
console.log(`allocated: ${mb(total)}`);
if (focus) {
  console.log(`\ncalled from (allocations of ${focus}):`);
  for (const [p, v] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, 10))
    console.log(`${mb(v).padStart(10)}  ${p}`);
} else {
  console.log(`\nby function, itself:\n${top(self, 30)}`);
  console.log(`\nby function, with what it called:\n${top(inclusive, 40)}`);
}

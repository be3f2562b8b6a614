// Compiles a service to plain JavaScript in dist/ (nx run <app>:build): the app's sources and every
// library it imports, with the @cic/* aliases rewritten to relative paths, decorator metadata kept for
// Nest's dependency injection, and no test files. The output runs on `node` with production
// dependencies only; no TypeScript hook at run time.
//   node scripts/build.js <app>      e.g. declaration-intake
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');
const tsconfig = require('../tsconfig.base.json');

const root = path.resolve(__dirname, '..');
const app = process.argv[2];
if (!app || !fs.existsSync(path.join(root, 'apps', app))) {
  process.stderr.write(
    `usage: node scripts/build.js <app> (one of: ${fs.readdirSync(path.join(root, 'apps')).join(', ')})\n`,
  );
  process.exit(2);
}
const aliases = tsconfig.compilerOptions.paths;
const skip = /\.(spec|int-spec)\.ts$|\/testing\/|\/bench\//;

/** Relative imports and @cic/* aliases of a source file, resolved to source files. */
function dependencies(file) {
  const text = fs.readFileSync(file, 'utf8');
  const out = [];
  for (const m of text.matchAll(/(?:from|import|import\(|require\()\s*['"]([^'"]+)['"]/g)) {
    const spec = m[1];
    let target;
    if (aliases[spec]) target = path.join(root, aliases[spec][0]);
    else if (spec.startsWith('.')) target = path.resolve(path.dirname(file), spec);
    else continue;
    for (const candidate of [target, `${target}.ts`, path.join(target, 'index.ts')]) {
      if (candidate.endsWith('.ts') && fs.existsSync(candidate)) {
        out.push(candidate);
        break;
      }
    }
  }
  return out;
}

// Every entry point of the app (main, worker, migrate, CLIs) and what they import, transitively.
const entries = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (p.endsWith('.ts') && !skip.test(p)) entries.push(p);
  }
})(path.join(root, 'apps', app, 'src'));
const files = new Set();
const imported = new Set();
const queue = [...entries];
while (queue.length) {
  const f = queue.pop();
  if (files.has(f) || skip.test(f)) continue;
  files.add(f);
  const deps = dependencies(f);
  for (const d of deps) imported.add(d);
  queue.push(...deps);
}
// The files that run as a process (main, worker, migrate, the CLIs): the app's files nobody imports.
const runnable = new Set(entries.filter((f) => !imported.has(f)));

const outRoot = path.join(root, 'dist');

/**
 * A runnable file is written as a two-line entry that turns source maps on for this service's own code
 * and then loads the compiled file. `node --enable-source-maps` would also load the maps of every
 * dependency that ships one (TypeORM's carry their TypeScript sources): 20-30 MB more resident per
 * process, for stack traces into node_modules (bench/README.md, "What runs"). The entry has to do it before
 * anything else is compiled: Node reads a file's map when it compiles the file.
 */
function writeEntry(entry, impl) {
  fs.writeFileSync(
    entry,
    [
      "'use strict';",
      "// Written by scripts/build.js: source maps for this service's code, not for node_modules.",
      "require('node:module').setSourceMapsSupport(true, { nodeModules: false, generatedCode: false });",
      `module.exports = require('./${path.basename(impl)}');`,
      '',
    ].join('\n'),
  );
}
const started = Date.now();
for (const file of files) {
  const rel = path.relative(root, file);
  const entry = path.join(outRoot, rel.replace(/\.ts$/, '.js'));
  const out = runnable.has(file) ? entry.replace(/\.js$/, '.impl.js') : entry;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  if (runnable.has(file)) writeEntry(entry, out);
  const { code, map } = swc.transformFileSync(file, {
    swcrc: false,
    sourceMaps: true,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
      baseUrl: root,
      paths: aliases,
    },
    module: { type: 'commonjs' },
  });
  fs.writeFileSync(out, `${code}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
  fs.writeFileSync(`${out}.map`, map);
}
process.stdout.write(
  `built ${app}: ${files.size} files to ${path.relative(root, outRoot)}/ in ${Date.now() - started} ms\n`,
);

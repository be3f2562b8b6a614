import Module, { createRequire } from 'node:module';

/**
 * pdfkit requires fontkit as it loads, though only embedded fonts (TrueType, OpenType) use it; the
 * certificates use the standard PDF fonts alone. fontkit and what it brings (brotli, unicode tables) are
 * about 15 MB resident and 6 MB of heap in a bare process (pdfkit loaded: 68 MB, 53 MB with this); in the
 * PDF worker at 200/s the heap's floor went from 55 to 48 MB and the resident peak from 185 to 178 MB.
 * Imported before pdfkit, this puts a stand-in for fontkit where pdfkit will
 * find it: the real module loads the first time anything of it is used, so an embedded font still works.
 * Only under Node's own module loader (a test runner with its own registry loads the real one at once).
 */
export const fontkitPath = createRequire(require.resolve('pdfkit')).resolve('fontkit');

let real: Record<string | symbol, unknown> | undefined;

/** Whether fontkit itself has been loaded (by a font that needed it). */
export function fontkitLoaded(): boolean {
  return real !== undefined;
}

function load(): Record<string | symbol, unknown> {
  if (!real) {
    delete require.cache[fontkitPath];
    real = createRequire(fontkitPath)(fontkitPath) as Record<string | symbol, unknown>;
  }
  return real;
}

if (require.cache && !require.cache[fontkitPath]) {
  const standIn = new Module(fontkitPath);
  standIn.filename = fontkitPath;
  standIn.loaded = true;
  standIn.exports = new Proxy(
    {},
    { get: (_target, name) => load()[name], has: (_target, name) => name in load() },
  );
  require.cache[fontkitPath] = standIn;
}

// One progress line: rewritten in place on a terminal, one line per second otherwise (CI logs).

const tty = process.stdout.isTTY === true;
let shown = false;
let lastPrinted = 0;

export function progress(text: string): void {
  if (tty) {
    const width = process.stdout.columns || 160;
    process.stdout.write(`\r\x1b[K${text.length > width - 1 ? text.slice(0, width - 2) + '…' : text}`);
    shown = true;
    return;
  }
  const now = Date.now();
  if (now - lastPrinted < 1000) return;
  lastPrinted = now;
  process.stdout.write(`${text}\n`);
}

/** A normal log line, printed above the progress line. */
export function say(text: string): void {
  if (tty && shown) process.stdout.write('\r\x1b[K');
  shown = false;
  process.stdout.write(`${text}\n`);
}

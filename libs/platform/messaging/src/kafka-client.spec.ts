import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../../..');

/** Runs a snippet in a fresh Node process (warnings are process-wide) and returns what it printed to stderr. */
function stderrOf(snippet: string): string {
  const result = spawnSync(process.execPath, ['-r', './scripts/register.js', '-e', snippet], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30000,
  });
  expect(result.status).toBe(0);
  return result.stderr;
}

describe('dropKafkajsTimerWarning', () => {
  const arm = `setTimeout(() => undefined, -1 - Date.now()); process.emitWarning('still printed', 'DeprecationWarning');`;

  it('drops the negative-timeout warning kafkajs causes and prints every other warning', () => {
    const stderr = stderrOf(
      `require('./libs/platform/messaging/src/kafka-client').dropKafkajsTimerWarning(); ${arm}`,
    );
    expect(stderr).not.toContain('TimeoutNegativeWarning');
    expect(stderr).toContain('DeprecationWarning: still printed');
  });

  it('is needed: without it Node prints the warning', () => {
    const stderr = stderrOf(arm);
    expect(stderr).toContain('TimeoutNegativeWarning');
  });
});

// What every browser test shares: the checks and their tally, a free port, axe-core's
// serious and critical violations, horizontal overflow, and where chromium and the
// screenshots are.
import { createRequire } from 'node:module';
import { createServer } from 'node:net';

const require = createRequire(import.meta.url);
const axeSource = require('axe-core').source;

export const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
export const screenshots = process.env.TINHOP_SCREENSHOTS;

let failed = 0;
export function check(condition, what) {
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${what}`);
  if (!condition) failed += 1;
}
export function failures() {
  return failed;
}

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function axe(page, what) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of bad) console.log(`     axe: ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target).join(' ')}`);
  check(bad.length === 0, `${what}: no serious or critical axe-core violation`);
}

export async function noOverflow(page, what) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  check(scroll <= client, `${what}: no horizontal overflow (${scroll} <= ${client} px)`);
}

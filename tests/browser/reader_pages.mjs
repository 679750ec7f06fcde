// The reader pages of a running `tinhop serve --demo` in Debian's chromium (issue #21):
// both widths without horizontal overflow, the dark scheme, Vietnamese, the top stories
// (issue #20), paging, a story
// page, search, English, no JavaScript needed, and no serious or critical axe-core
// violation on any page. TINHOP_SCREENSHOTS=DIR saves the README's screenshots there.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

import {
  axe, check, chromium, failures, freePort, noOverflow, screenshots,
} from './checks.mjs';

const [tinhop] = process.argv.slice(2);

async function waitForStories(base) {
  for (let i = 0; i < 200; i += 1) {
    try {
      const body = await (await fetch(`${base}/`)).text();
      if ((body.match(/<article[\s>]/g) || []).length >= 4) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the demo daemon served no stories within 20 s');
}

const dir = mkdtempSync(join(tmpdir(), 'tinhop-browser-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const daemon = spawn(tinhop, ['serve', '--demo', '--db', join(dir, 'tinhop.db'), '--listen', `127.0.0.1:${port}`],
  { stdio: 'ignore' });
let browser;
try {
  await waitForStories(base);
  browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox'] });
  const page = await browser.newPage();
  // A reader in Việt Nam: headless Chromium would ask for en-US.
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'vi-VN,vi;q=0.9' });

  for (const [width, name] of [[1280, 'desktop'], [390, 'mobile']]) {
    for (const scheme of ['light', 'dark']) {
      await page.setViewport({ width, height: 900 });
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      await page.goto(`${base}/`, { waitUntil: 'load' });
      const what = `river ${width} px ${scheme}`;
      await noOverflow(page, what);
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      check(background === (scheme === 'dark' ? 'rgb(20, 21, 24)' : 'rgb(255, 255, 255)'), `${what}: background ${background}`);
      if (screenshots && (name === 'desktop') === (scheme === 'light')) await page.screenshot({ path: join(screenshots, `reader-${name}-${scheme}.png`) });
      if (scheme === 'dark') await axe(page, what);
    }
  }
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
  await page.setViewport({ width: 1280, height: 900 });

  await page.goto(`${base}/`);
  check(await page.evaluate(() => document.documentElement.lang) === 'vi', 'the river is in Vietnamese');
  const text = await page.evaluate(() => document.body.innerText);
  check(text.includes('Mọi nguồn') && text.includes('Tin mới'), 'Vietnamese words render');

  // Top stories (issue #20): the first section, each with every publisher, the first marked.
  const top = await page.evaluate(() => {
    const section = document.querySelector('main > section.top-stories');
    if (!section || section !== document.querySelector('main').firstElementChild) return null;
    return [...section.querySelectorAll('article')].map((a) => ({
      publishers: a.querySelectorAll('ol.pubs li').length,
      first: a.querySelector('ol.pubs li:first-child .first') !== null,
      times: a.querySelectorAll('ol.pubs li time').length,
    }));
  });
  check(top !== null && top.length > 0, `the top stories come first (${top ? top.length : 0})`);
  check(top !== null && top.every((t) => t.publishers >= 2 && t.first && t.times === t.publishers),
    'each top story lists its publishers with their times, the first marked');

  // Paging: older, then newer brings the first page back; the first-page link is there.
  await page.goto(`${base}/?limit=2`);
  const firstTitle = await page.$eval('main > article h3', (h) => h.textContent);
  await Promise.all([page.waitForNavigation(), page.click('nav.pages a:last-child')]);
  const second = await page.$eval('nav.pages', (n) => n.textContent);
  check(second.includes('← Mới hơn') && second.includes('Trang đầu') && second.includes('Cũ hơn →'),
    `page 2 links newer, first and older (${second})`);
  check(await page.$eval('main > article h3', (h) => h.textContent) !== firstTitle, 'page 2 shows other stories');
  await Promise.all([page.waitForNavigation(), page.click('nav.pages a:first-child')]);
  check(await page.$eval('main > article h3', (h) => h.textContent) === firstTitle, 'newer goes back to page 1');
  await axe(page, 'paging');

  // A story page, by the number at the end of the first entry's id.
  const feed = await (await fetch(`${base}/feed.json`)).json();
  const story = feed.items[0].id.split('cluster-').pop();
  await page.goto(`${base}/stories/${story}`);
  check(await page.$('ol.timeline li') !== null && await page.$('.versions section') !== null,
    `/stories/${story} has a timeline and versions`);
  await noOverflow(page, 'story page');
  await axe(page, 'story page');

  // Search keeps its query; with JavaScript off, the plain GET form does the same.
  const word = firstTitle.trim().split(/\s+/)[0];
  for (const javascript of [true, false]) {
    await page.setJavaScriptEnabled(javascript);
    await page.goto(`${base}/`);
    await page.type('input[name=q]', word);
    await Promise.all([page.waitForNavigation(), page.click('form.filter button')]);
    const kept = await page.$eval('input[name=q]', (i) => i.value);
    const heading = await page.$eval('main > h2', (h) => h.textContent);
    check(kept === word && heading === `Kết quả cho “${word}”` && await page.$('article') !== null,
      `search for "${word}" keeps the query (JavaScript ${javascript ? 'on' : 'off'})`);
  }
  await page.setJavaScriptEnabled(true);
  await axe(page, 'search results');

  // The sources' directory: found by a word of a name written without its marks.
  await page.goto(`${base}/sources`);
  const names = await page.$$eval('ul.sources li > a:first-child', (as) => as.map((a) => a.textContent));
  check(names.length > 0, `/sources lists the sources (${names.length})`);
  await noOverflow(page, 'sources directory');
  await axe(page, 'sources directory');
  const plain = (text) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
  const wanted = names[0];
  await page.type('input[name=q]', plain(wanted));
  await Promise.all([page.waitForNavigation(), page.click('form.filter button')]);
  const found = await page.$$eval('ul.sources li > a:first-child', (as) => as.map((a) => a.textContent));
  check(found.includes(wanted), `searching "${plain(wanted)}" finds "${wanted}"`);

  await page.goto(`${base}/?hl=en`);
  check(await page.evaluate(() => document.documentElement.lang) === 'en', '?hl=en gives English');
  check(await page.$eval('main > h2', (h) => h.textContent) === 'Latest', 'English words render');
  await axe(page, 'English river');
} catch (error) {
  console.log(`FAIL ${error.stack || error}`);
  check(false, 'the test ran to its end');
} finally {
  if (browser) await browser.close();
  daemon.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
console.log(failures() === 0 ? 'all browser checks passed' : `${failures()} browser check(s) failed`);
process.exit(failures() === 0 ? 0 : 1);

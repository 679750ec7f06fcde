// The admin console of a running `tinhop serve` in Debian's chromium (issue #21): sign in,
// add a site by its address and see the discovered feed polled (a local HTTP server here
// serves the site page and its feed), edit, disable, remove after the confirmation, a form
// post without its CSRF token refused, an html source's preview with a suggestion picked,
// sign out; both widths without horizontal overflow,
// the dark scheme, one pass with JavaScript off, and no serious or critical axe-core
// violation on any page. TINHOP_SCREENSHOTS=DIR saves the README's screenshots there.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

import {
  axe, check, chromium, failures, freePort, noOverflow, screenshots,
} from './checks.mjs';

const [tinhop] = process.argv.slice(2);
const token = 'console-browser-test-token-0123456789abcdef';
const csrfRefusal = '403 Forbidden: this form\'s security token is missing or wrong, or your session ended. '
  + 'Nothing was changed. Open the page again (sign in if asked) and resend the form.\n';

// The site whose address is pasted: a home page naming its feed, and the feed.
function siteServer() {
  const rss = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Báo Thử</title><link>http://site.test/</link><description>Tin thử</description>
${[1, 2, 3].map((n) => `<item><title>Tin thử số ${n}: giá xăng giảm lần thứ ${n}</title><link>http://site.test/tin-${n}.html</link>
<guid>tin-${n}</guid><pubDate>${new Date(Date.now() - n * 3600e3).toUTCString()}</pubDate>
<description>Bản tin số ${n} về giá xăng dầu trong nước, khác hẳn các bản tin khác.</description></item>`).join('\n')}
</channel></rss>`;
  const home = '<!DOCTYPE html><html lang="vi"><head><title>Báo Thử</title>'
    + '<link rel="alternate" type="application/rss+xml" title="Báo Thử" href="/rss.xml"></head>'
    + '<body><h1>Báo Thử</h1></body></html>';
  // A listing page for an html source: three dated cards.
  const listing = '<!DOCTYPE html><html lang="vi"><head><title>Tin mới</title></head><body><main>'
    + [1, 2, 3].map((n) => `<article class="card"><h3><a href="/tin-${n}.html">Tin mới số ${n}: mưa lớn ở miền Trung</a></h3>`
      + `<time datetime="${new Date(Date.now() - n * 3600e3).toISOString()}">${n} giờ trước</time></article>`).join('')
    + '</main></body></html>';
  return createHttpServer((request, response) => {
    if (request.url === '/rss.xml') {
      response.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8' });
      response.end(rss);
    } else if (request.url === '/tin-moi') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(listing);
    } else if (request.url === '/') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(home);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
}

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

async function signIn(page, admin) {
  await page.goto(`${admin}/admin/`);
  check(page.url() === `${admin}/admin/sign-in`, 'a page without a session leads to the sign-in');
  await page.type('#token', token);
  await submit(page, 'main form button');
  check(page.url() === `${admin}/admin/sources`, 'the token signs in');
}

const dir = mkdtempSync(join(tmpdir(), 'tinhop-console-'));
const [publicPort, adminPort] = [await freePort(), await freePort()];
const site = siteServer();
await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
const siteUrl = `http://127.0.0.1:${site.address().port}/`;
const admin = `http://127.0.0.1:${adminPort}`;
writeFileSync(join(dir, 'admin-token'), `${token}\n`);
chmodSync(join(dir, 'admin-token'), 0o600);
writeFileSync(join(dir, 'tinhop.toml'), `[server]
listen = "127.0.0.1:${publicPort}"
[admin]
listen = "127.0.0.1:${adminPort}"
token_file = "${join(dir, 'admin-token')}"
[database]
path = "${join(dir, 'tinhop.db')}"
[fetch]
allow_networks = ["127.0.0.1"]
`);
const daemon = spawn(tinhop, ['serve', '--config', join(dir, 'tinhop.toml')], { stdio: 'ignore' });
let browser;
try {
  for (let i = 0; i < 200; i += 1) {
    try {
      if ((await fetch(`${admin}/admin/console.css`)).ok) break;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox'] });
  const page = await browser.newPage();
  // The console's CSP allows no script, so axe-core is let in past it.
  await page.setBypassCSP(true);
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'vi-VN,vi;q=0.9' });
  await page.setViewport({ width: 1280, height: 900 });

  await page.goto(`${admin}/admin/sign-in`);
  await axe(page, 'sign-in page');
  await signIn(page, admin);
  const cookie = (await page.cookies()).find((c) => c.name === 'tinhop_admin');
  check(cookie && cookie.httpOnly && cookie.sameSite === 'Strict' && cookie.path === '/admin',
    'the session cookie is HttpOnly, SameSite=Strict, for /admin');

  // Add a site by its address: the feed it names is found, added and polled.
  await page.goto(`${admin}/admin/sources/new`);
  await axe(page, 'add page');
  await page.type('#url', siteUrl);
  await submit(page, 'main form button');
  const sourcePage = page.url().split('?')[0];
  check(/\/admin\/sources\/\d+$/.test(sourcePage), `the discovered feed is added (${page.url()})`);
  let polled = false;
  for (let i = 0; i < 60 && !polled; i += 1) {
    await page.goto(sourcePage);
    polled = await page.evaluate(() => document.querySelector('dl').innerText.includes('3 tin trong 30 ngày qua'));
    if (!polled) await new Promise((r) => setTimeout(r, 500));
  }
  check(polled, 'the new source is polled: its 3 items show in the sparkline');
  check(await page.$eval('h1', (h) => h.textContent) === 'Báo Thử', 'the source is named by its feed');
  await axe(page, 'source page');

  // Edit, then disable.
  await page.$eval('#title', (input) => { input.value = ''; });
  await page.type('#title', 'Báo Thử Nghiệm');
  await page.type('#categories', 'thử nghiệm');
  await submit(page, 'form[action$="' + sourcePage.split(admin)[1] + '"] button');
  check(await page.$eval('h1', (h) => h.textContent) === 'Báo Thử Nghiệm', 'the edit is saved');
  check(await page.$eval('.notice', (p) => p.textContent) === 'Đã lưu.', 'the page says it was saved');
  await submit(page, 'form[action$="/disable"] button');
  check(await page.$eval('.notice', (p) => p.textContent) === 'Đã tắt nguồn.', 'the source is disabled');
  check(await page.$('form[action$="/enable"]') !== null, 'a disabled source offers to enable it');

  // A form post without the CSRF token, with the session cookie, changes nothing.
  const forged = await fetch(`${sourcePage}/enable`, {
    method: 'POST', redirect: 'manual',
    headers: { Cookie: `tinhop_admin=${cookie.value}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'x=1',
  });
  check(forged.status === 403 && await forged.text() === csrfRefusal, 'a post without the CSRF token gets 403 and the exact body');
  await page.goto(sourcePage);
  check(await page.$('form[action$="/enable"]') !== null, 'the refused post changed nothing');

  // The list at both widths and in both schemes.
  for (const [width, name] of [[1280, 'desktop'], [390, 'mobile']]) {
    for (const scheme of ['light', 'dark']) {
      await page.setViewport({ width, height: 900 });
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      await page.goto(`${admin}/admin/sources`);
      const what = `source list ${width} px ${scheme}`;
      await noOverflow(page, what);
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      check(background === (scheme === 'dark' ? 'rgb(20, 21, 24)' : 'rgb(255, 255, 255)'), `${what}: background ${background}`);
      if (screenshots && (name === 'desktop') === (scheme === 'light')) await page.screenshot({ path: join(screenshots, `console-${name}-${scheme}.png`) });
      await axe(page, what);
    }
  }
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
  await page.setViewport({ width: 1280, height: 900 });
  check((await page.$$('svg.spark')).length === 1, 'the list shows the sparkline');

  // An html source (added through the API): its preview, and a suggestion picked.
  const created = await fetch(`${admin}/api/sources`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: `${siteUrl}tin-moi`, type: 'html', html: { item: 'main h3' } }),
  });
  check(created.status === 201, `an html source is added through the API (${created.status})`);
  const htmlId = (await created.json()).id;
  const preview = `${admin}/admin/sources/${htmlId}/preview`;
  for (const width of [1280, 390]) {
    await page.setViewport({ width, height: 900 });
    await page.goto(preview);
    await noOverflow(page, `preview ${width} px`);
    await axe(page, `preview ${width} px`);
  }
  await page.setViewport({ width: 1280, height: 900 });
  const rows = async () => page.$$eval('main tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText)));
  const before = await rows();
  check(before.length === 3 && before.every(([, date]) => date === '(không có ngày)'),
    'the preview lists the 3 items the selectors find, without dates');
  await submit(page, 'main ol form button');
  check(page.url() === `${preview}?done=selectors`, `a picked suggestion comes back to the preview (${page.url()})`);
  check(await page.$eval('.notice', (p) => p.textContent) === 'Đã lưu bộ chọn mới.', 'the preview says the selectors were saved');
  const after = await rows();
  check(after.length === 3 && after[0][0].startsWith('Tin mới số 1: mưa lớn ở miền Trung') && after.every(([, date]) => date !== '(không có ngày)'),
    'with the suggestion the items have their dates');
  await axe(page, 'preview after picking a suggestion');
  const removed = await fetch(`${admin}/api/sources/${htmlId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
  check(removed.ok, 'the html source is removed again');

  // Remove, after the confirmation page.
  await page.goto(`${sourcePage}/remove`);
  await axe(page, 'remove confirmation');
  await submit(page, 'button.danger');
  check(await page.$eval('.notice', (p) => p.textContent) === 'Đã xóa nguồn.', 'the source is removed');
  await page.goto(`${admin}/admin/opml`);
  await axe(page, 'OPML page');
  for (const width of [1280, 390]) {
    await page.setViewport({ width, height: 900 });
    await page.goto(`${admin}/admin/alerts`);
    check(await page.$eval('h1', (h) => h.textContent) === 'Cảnh báo', `the alerts page opens at ${width} px`);
    await noOverflow(page, `alerts page ${width} px`);
    await axe(page, `alerts page ${width} px`);
  }
  await page.setViewport({ width: 1280, height: 900 });

  // Sign out, then everything again with JavaScript off.
  await submit(page, 'form[action="/admin/sign-out"] button');
  check(await page.$eval('.notice', (p) => p.textContent) === 'Đã đăng xuất.', 'signed out');
  await page.goto(`${admin}/admin/sources`);
  check(page.url() === `${admin}/admin/sign-in`, 'after signing out the pages need a sign-in again');

  await page.setJavaScriptEnabled(false);
  await signIn(page, admin);
  await page.goto(`${admin}/admin/sources/new`);
  await page.type('#url', siteUrl);
  await submit(page, 'main form button');
  check(/\/admin\/sources\/\d+\?done=/.test(page.url()), 'without JavaScript a site is added too');
  await page.goto(`${admin}/admin/sources`);
  await page.type('#q', '127.0.0.1');
  await submit(page, 'form.filter button');
  check(await page.$eval('p.meta', (p) => p.textContent) === '1 nguồn', 'without JavaScript the search finds the source');
  await submit(page, 'form[action="/admin/sign-out"] button');
  check(page.url().endsWith('/admin/sign-in?done=signed_out'), 'without JavaScript signing out works');
} catch (error) {
  console.log(`FAIL ${error.stack || error}`);
  check(false, 'the test ran to its end');
} finally {
  if (browser) await browser.close();
  daemon.kill('SIGTERM');
  site.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(failures() === 0 ? 'all console browser checks passed' : `${failures()} console browser check(s) failed`);
process.exit(failures() === 0 ? 0 : 1);

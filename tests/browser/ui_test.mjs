// File: tests/browser/ui_test.mjs
// The web UI in a real browser: Debian's chromium, headless, driven by
// playwright-core (installed by the build from web/package-lock.json). It
// starts taskmesh on a free port, submits a wordcount task from a file with
// the keyboard, sees it reach `succeeded` with the right result, cancels a
// delayed task with its button, sees a backlog in the normal lane and the
// charts move, checks that the page
// made no request to any other host, then, against a second server with
// tokens, that the token typed in is kept in sessionStorage and used; it
// saves screenshots to
// $SCREENSHOT_DIR (and, with UPDATE_README_SCREENSHOT=1, docs/ui.png for the
// README). Exits non-zero on the first failed check.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';

const binary = process.env.TASKMESH_BINARY;
const modules = process.env.WEB_NODE_MODULES;
const shots = process.env.SCREENSHOT_DIR || mkdtempSync(path.join(tmpdir(), 'taskmesh-ui-'));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
assert.ok(binary && modules, 'TASKMESH_BINARY and WEB_NODE_MODULES must be set (tests/browser/CMakeLists.txt)');
const { chromium } = createRequire(path.resolve(modules, 'x.js'))('playwright-core');
mkdirSync(shots, { recursive: true });

// taskmesh on 127.0.0.1:0; the port comes from its "listening on" log line.
function startServer(extra = []) {
  // Four in-flight slots: a burst of delayed tasks makes a backlog the charts show.
  const child = spawn(binary, ['--listen', '127.0.0.1:0', '--log-format', 'text', '--workers', '2',
                               '--max-in-flight', '4', '--drain-timeout', '1s', ...extra],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`taskmesh did not start:\n${log}`)), 20000);
    const onData = (d) => {
      log += d;
      const m = /listening on [^ ]+:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${m[1]}`, log: () => log });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`taskmesh exited (${code}):\n${log}`)));
  });
}

const server = await startServer();
const browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
                                        args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const failures = [];
const began = Date.now();
const step = (what) => console.log(`${((Date.now() - began) / 1000).toFixed(1)} s: ${what}`);
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(server.url)) foreign.push(r.url()); });
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') failures.push(`console error: ${m.text()}`); });
  const statsEvents = async () => Number(await page.evaluate(() => document.body.dataset.statsEvents || 0));

  step('browser up');
  await page.goto(server.url + '/');
  await page.waitForFunction(() => Number(document.body.dataset.statsEvents || 0) >= 1, null, { timeout: 10000 });
  assert.match(await page.textContent('#mode'), /embedded mode/);

  step('page live');
  // A text file, read in the browser and sent as JSON: 9 words on 3 lines.
  const dir = mkdtempSync(path.join(tmpdir(), 'taskmesh-ui-file-'));
  const file = path.join(dir, 'fox.txt');
  writeFileSync(file, 'the quick brown fox\njumps over\nthe lazy dog\n');
  await page.selectOption('#op', 'wordcount');
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => document.querySelector('#payload').value.includes('lazy dog'));
  // Keyboard only: focus the submit button and press Enter.
  await page.focus('#submit');
  await page.keyboard.press('Enter');
  const row = page.locator('#tasks tbody tr').first();
  await row.locator('.status-succeeded').waitFor({ timeout: 10000 });
  await row.locator('td.id button').focus();
  await page.keyboard.press('Enter');
  const detail = JSON.parse(await page.textContent('#detail-body'));
  assert.equal(detail.status, 'succeeded');
  assert.deepEqual(detail.result, { words: 9 });
  assert.equal(detail.type, 'wordcount');

  step('wordcount from a file succeeded');
  // A delayed task, cancelled with its button.
  await page.fill('#payload', 'wait for me');
  await page.fill('#delay', '60000');
  await page.click('#submit');
  const delayed = page.locator('#tasks tbody tr').first();
  await delayed.locator('.status-running, .status-queued').waitFor({ timeout: 10000 });
  await delayed.locator('button.cancel').click();
  await delayed.locator('.status-cancelled').waitFor({ timeout: 10000 });

  step('cancelled');
  // The charts move: 300 tasks of 50 ms each through 4 slots (about 4 s of
  // backlog in the normal lane), then the charts must look different.
  const chart = page.locator('#chart-throughput');
  const backlogChart = page.locator('#chart-backlog');
  const before = await chart.screenshot();
  const backlogBefore = await backlogChart.screenshot();
  const seen = await statsEvents();
  await page.fill('#payload', 'lots of small tasks');
  await page.fill('#delay', '50');
  await page.fill('#copies', '300');
  await page.click('#submit');
  await page.waitForFunction(() => Number(document.querySelector('#n-backlog_normal')?.textContent) > 0,
                             null, { timeout: 10000 });
  assert.equal(Number(await page.textContent('#n-backlog_high')), 0);
  await page.waitForFunction((n) => Number(document.body.dataset.statsEvents) >= n + 3, seen, { timeout: 15000 });
  const after = await chart.screenshot();
  assert.ok(!before.equals(after), 'the throughput chart did not change after 300 tasks');
  assert.ok(!backlogBefore.equals(await backlogChart.screenshot()), 'the backlog chart did not change');
  const submitted = Number(await page.textContent('#n-submitted'));
  assert.ok(submitted >= 302, `submitted shows ${submitted}, expected at least 302`);

  step('charts moved');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(shots, 'ui.png') });
  await chart.screenshot({ path: path.join(shots, 'throughput-chart.png') });
  if (process.env.UPDATE_README_SCREENSHOT === '1')
    copyFileSync(path.join(shots, 'ui.png'), new URL('../../docs/ui.png', import.meta.url).pathname);
  assert.deepEqual(foreign, [], 'requests to other hosts');
  assert.deepEqual(failures, []);

  step('auth');
  // With tokens: the page loads (no data in it), its streams answer 401
  // until a token is typed in; the token is kept in sessionStorage for the
  // tab, so a reload goes on streaming without asking again.
  const tokenDir = mkdtempSync(path.join(tmpdir(), 'taskmesh-ui-tokens-'));
  const token = 'acme-ui-test-token-0123456789';
  writeFileSync(path.join(tokenDir, 'tokens'), `acme:${token}\n`);
  const authed = await startServer(['--auth-tokens-file', path.join(tokenDir, 'tokens')]);
  try {
    const p2 = await browser.newPage();
    await p2.goto(authed.url + '/');
    await p2.waitForFunction(() => /401/.test(document.querySelector('#mode').textContent), null, { timeout: 10000 });
    await p2.fill('#token', token);
    await p2.focus('#token');
    await p2.keyboard.press('Enter');
    await p2.waitForFunction(() => Number(document.body.dataset.statsEvents || 0) >= 1, null, { timeout: 10000 });
    assert.equal(await p2.evaluate(() => sessionStorage.getItem('taskmesh.token')), token);
    await p2.reload();
    assert.equal(await p2.inputValue('#token'), token);
    await p2.waitForFunction(() => Number(document.body.dataset.statsEvents || 0) >= 1, null, { timeout: 10000 });
  } finally {
    authed.child.kill('SIGTERM');
  }
  console.log(`ok: browser test passed; screenshots in ${shots}`);
} catch (e) {
  console.error(`FAILED: ${e.stack || e}\n${failures.join('\n')}\n--- taskmesh log ---\n${server.log().slice(-3000)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
  server.child.kill('SIGTERM');
}

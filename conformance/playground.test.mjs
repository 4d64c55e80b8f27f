// The playground in a real browser: Debian's Chromium, driven by
// playwright-core, loads GraphiQL from the facade started with -demo while
// every request to anywhere but the facade is cut off, runs a query, and
// keeps a screenshot of the result in results/playground.png. Nothing may
// be fetched from elsewhere, and the page's Content-Security-Policy may
// refuse nothing it needs.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { HOOK_TIMEOUT_MS, startDemo } from './lib/servers.mjs';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const RESULTS = new URL('./results/', import.meta.url).pathname;

let demo;
let browser;

before(async () => {
  demo = await startDemo();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No sandbox as root in CI containers; and no calls home, which this
    // machine's closed network would refuse anyway. Playwright gives the
    // browser a fresh, empty profile of its own.
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}, { timeout: HOOK_TIMEOUT_MS });

after(async () => {
  await browser?.close();
  await demo?.stop();
}, { timeout: HOOK_TIMEOUT_MS });

test('GraphiQL loads offline and runs a query against -demo', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const origin = new URL(demo.facadeURL).origin;

  const elsewhere = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + '/')) return route.continue();
    elsewhere.push(url);
    return route.abort('internetdisconnected');
  });
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (req.url().startsWith(origin + '/')) problems.push(`failed: ${req.url()} ${req.failure()?.errorText}`);
  });

  const response = await page.goto(`${demo.facadeURL}/`, { waitUntil: 'networkidle' });
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'] ?? '', /default-src 'self'/);

  // GraphiQL's query editor (CodeMirror), then its run button.
  const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
  await editor.waitFor({ state: 'visible', timeout: 20_000 });
  // A first visit opens on a walk from the caller's token, not on
  // GraphiQL's generic comment.
  const opening = await editor.evaluate((el) => el.CodeMirror.getValue());
  assert.match(opening, /viewer \{/);
  assert.match(opening, /organizations\(first: 5\)/);
  const query = '{ space(id: "acme-developer-portal") { title organization { title } integrations(first: 3) { totalCount nodes { name owner { title } } } } }';
  await editor.evaluate((el, q) => el.CodeMirror.setValue(q), query);
  await page.locator('.graphiql-execute-button').click();

  const result = page.locator('.graphiql-response .CodeMirror');
  await result.filter({ hasText: 'Developer Portal' }).waitFor({ timeout: 20_000 });
  const text = await result.innerText();
  for (const expected of ['"title": "Developer Portal"', '"title": "Acme Inc."', '"totalCount": 28']) {
    assert.ok(text.includes(expected), `the result pane lacks ${expected}:\n${text}`);
  }

  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, 'playground.png'), fullPage: true });

  // @defer: GraphiQL asks for multipart/mixed and merges the deferred part
  // into the result it shows. Its reader cancels the rest of the body once
  // it has read the closing boundary, which Chromium reports as an aborted
  // request: that one, of this step, is not a problem of the page.
  const before = problems.length;
  const deferred = '{ space(id: "acme-developer-portal") { title ... @defer { integrations(first: 2) { totalCount } } } }';
  await editor.evaluate((el, q) => el.CodeMirror.setValue(q), deferred);
  await page.locator('.graphiql-execute-button').click();
  await result.filter({ hasText: '"totalCount": 28' }).waitFor({ timeout: 20_000 });
  assert.doesNotMatch(await result.innerText(), /"integrations": null/, 'GraphiQL shows the deferred field null');
  await page.waitForTimeout(500);
  const during = problems.splice(before);
  problems.push(...during.filter((p) => !(p.includes('/graphql') && p.endsWith('net::ERR_ABORTED'))));

  // The caller's own Authorization, typed into GraphiQL's headers editor,
  // is what the facade forwards: the demo reader is no admin of the space,
  // where the demo's default credential is.
  const permissions = '{ space(id: "acme-handbook") { title permissions { admin } } }';
  await editor.evaluate((el, q) => el.CodeMirror.setValue(q), permissions);
  await page.getByRole('button', { name: 'Headers' }).click();
  const headers = page.locator('.graphiql-editor-tool .CodeMirror:visible').first();
  await headers.waitFor({ state: 'visible', timeout: 10_000 });
  await headers.evaluate((el) => el.CodeMirror.setValue('{"Authorization": "Bearer gb_demo_reader"}'));
  await page.locator('.graphiql-execute-button').click();
  await result.filter({ hasText: 'Employee Handbook' }).waitFor({ timeout: 20_000 });
  assert.match(await result.innerText(), /"admin": false/, 'the reader token did not reach the upstream');
  await page.screenshot({ path: join(RESULTS, 'playground-headers.png'), fullPage: true });
  // The token typed in does not outlive the page: not in the browser's
  // storage (GraphiQL writes it there a moment after an edit, when it
  // persists headers), and not back in the editor after a reload.
  await page.waitForTimeout(1_500);
  const stored = await page.evaluate(() => Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`).join('\n'));
  assert.doesNotMatch(stored, /gb_demo_reader/, 'GraphiQL kept the typed token in the browser\'s storage');
  await page.reload();
  await page.getByRole('button', { name: 'Headers' }).click();
  const reloaded = page.locator('.graphiql-editor-tool .CodeMirror:visible').first();
  await reloaded.waitFor({ state: 'visible', timeout: 10_000 });
  assert.doesNotMatch(await reloaded.evaluate((el) => el.CodeMirror.getValue()), /gb_demo_reader/, 'the token came back after a reload');
  await context.close();

  assert.deepEqual(elsewhere, [], 'the page asked for something from outside the facade');
  assert.deepEqual(problems, [], 'the page reported errors (a CSP refusal would show here)');
});

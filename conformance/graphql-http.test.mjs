// GraphQL over HTTP: the audits of graphql-http (the reference
// implementation of the spec, by its editors) run against the facade's
// /graphql. Every MUST has to pass; SHOULD and MAY results are recorded in
// results/graphql-http.json and summed up in a Markdown table, and do not
// fail the suite.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

import { serverAudits } from 'graphql-http';

import { HOOK_TIMEOUT_MS, REQUEST_TIMEOUT_MS, startStack } from './lib/servers.mjs';

const RESULTS_DIR = new URL('./results/', import.meta.url);
const RESULTS_FILE = new URL('graphql-http.json', RESULTS_DIR);
const LEVELS = ['MUST', 'SHOULD', 'MAY'];
const BODY_LIMIT = 2000;

const graphqlHttpVersion = JSON.parse(readFileSync(new URL('./node_modules/graphql-http/package.json', import.meta.url), 'utf8')).version;

// Each audit's requests and responses, recorded as they pass: an audit's
// result holds its last response only, and often with the body already read.
let exchanges = [];
async function recordingFetch(input, init = {}) {
  const request = {
    method: init.method ?? 'GET',
    url: String(input),
    headers: Object.fromEntries(new Headers(init.headers)),
    ...(init.body === undefined ? {} : { body: String(init.body).slice(0, BODY_LIMIT) }),
  };
  const exchange = { request };
  exchanges.push(exchange);
  const res = await fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = await res.clone().text();
  exchange.response = { status: res.status, headers: Object.fromEntries(res.headers), body: body.slice(0, BODY_LIMIT) };
  return res;
}

function levelOf(name) {
  return name.split(' ', 1)[0];
}

function describeFailure(r) {
  const lines = [`${r.id} ${r.name}`, `  reason: ${r.reason}`];
  for (const { request, response } of r.exchanges ?? []) {
    lines.push(`  request: ${request.method} ${request.url} ${JSON.stringify(request.headers)}${request.body !== undefined ? ` body=${request.body}` : ''}`);
    if (response) lines.push(`  response: ${response.status} ${JSON.stringify(response.headers)} body=${response.body}`);
  }
  return lines.join('\n');
}

function markdownSummary(results) {
  const rows = LEVELS.map((level) => {
    const of = results.filter((r) => r.level === level);
    const failed = of.filter((r) => r.status !== 'ok');
    return `| ${level} | ${of.length - failed.length} | ${failed.length} | ${failed.map((r) => `${r.id} ${r.name}`).join('<br>') || '—'} |`;
  });
  return [
    `graphql-http ${graphqlHttpVersion} server audits`,
    '',
    '| level | passed | failed | failures |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

describe(`graphql-http ${graphqlHttpVersion} server audits`, () => {
  let stack;
  const results = [];
  // The URL is a function: the audits are listed (and their tests
  // declared) before the facade is started.
  const audits = serverAudits({ url: () => stack.graphqlURL, fetchFn: recordingFetch });

  before(async () => {
    stack = await startStack();
  }, { timeout: HOOK_TIMEOUT_MS });

  after(async () => {
    await stack?.stop();
    if (results.length === 0) return;
    const summary = Object.fromEntries(LEVELS.map((level) => {
      const of = results.filter((r) => r.level === level);
      return [level, { passed: of.filter((r) => r.status === 'ok').length, failed: of.filter((r) => r.status !== 'ok').length }];
    }));
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify({ tool: 'graphql-http', version: graphqlHttpVersion, summary, audits: results }, null, 2)}\n`);
    console.log(`\n${markdownSummary(results)}\n\nwritten to ${RESULTS_FILE.pathname}`);
    const failures = results.filter((r) => r.status !== 'ok' && r.level !== 'MUST');
    if (failures.length) console.log(`\nSHOULD/MAY failures (not failing the suite):\n\n${failures.map(describeFailure).join('\n\n')}`);
  }, { timeout: HOOK_TIMEOUT_MS });

  test('the audits cover every level', () => {
    assert.ok(audits.length > 0);
    for (const level of ['MUST', 'SHOULD']) assert.ok(audits.some((a) => levelOf(a.name) === level), `no ${level} audit`);
  });

  for (const audit of audits) {
    const level = levelOf(audit.name);
    test(`${audit.id} ${audit.name}`, async (t) => {
      exchanges = [];
      let result;
      try {
        result = await audit.fn();
      } catch (err) {
        // graphql-http throws only for what it calls fatal, such as a
        // request that got no response at all.
        result = { status: 'error', reason: `fatal: ${err?.message ?? err}` };
      }
      const record = { id: audit.id, name: audit.name, level, status: result.status };
      if (result.status !== 'ok') {
        record.reason = result.reason;
        record.exchanges = exchanges;
      }
      results.push(record);
      if (result.status === 'ok') return;
      if (level === 'MUST') assert.fail(describeFailure(record));
      t.diagnostic(`${level} not met (recorded, not failing):`);
      for (const line of describeFailure(record).split('\n')) t.diagnostic(line);
    });
  }
});

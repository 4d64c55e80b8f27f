// Trusted documents, with the clients that make the lists: the facade runs
// with -trusted-documents (enforce, the default) over
// - a manifest @apollo/generate-persisted-query-manifest makes from the
//   Apollo suite's operations (lib/apollo-operations.mjs), which Apollo
//   Client 4 runs by id through its PersistedQueryLink and
//   @apollo/persisted-query-lists;
// - the file relay-compiler's persistConfig writes for the Relay suite's
//   operations (lib/relay.mjs), which relay-runtime runs by doc_id.
// Listed operations answer as the demo's data says at the upstream calls
// of their text; a free-form query from the same client is
// QUERY_NOT_IN_SAFELIST, an id the list lacks PERSISTED_QUERY_NOT_IN_LIST,
// both with no upstream call; GraphQL over HTTP's documentId works in a
// body and in a GET; and an operation added to the file runs after SIGHUP,
// while a listed one keeps running through the reload.
//
// The manifest and relay-compiler's file are made here, in a temporary
// directory, as an app's build makes them: they follow the suites'
// operations and the tools' versions, and there is no copy to go stale.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { generatePersistedQueryIdsAtRuntime, generatePersistedQueryIdsFromManifest } from '@apollo/persisted-query-lists';
import { Environment, Network, RecordSource, Store, fetchQuery } from 'relay-runtime';

import { HOOK_TIMEOUT_MS, REQUEST_TIMEOUT_MS, startStack } from './lib/servers.mjs';
import { installationKey, spaceIntegrations, viewer, viewerOrganizations } from './lib/demo.mjs';
import { INSTALLATION_BY_KEY, INTEGRATION_BLOCKS, PAGE, WALK, WALK_CALLS } from './lib/apollo-operations.mjs';
import { FRAGMENTS, compileRelay } from './lib/relay.mjs';

const conformanceDir = fileURLToPath(new URL('.', import.meta.url));
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const md5 = (text) => createHash('md5').update(text).digest('hex');

// writeList replaces the facade's list as a deploy would: the new file is
// renamed over the old, so the facade never reads half of it.
function writeList(path, content) {
  writeFileSync(`${path}.new`, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  renameSync(`${path}.new`, path);
}

// generateManifest runs the tool's CLI as an app's build does, from this
// directory (it reads `documents` relative to the working directory), and
// resolves with the manifest and the CLI's run.
function generateManifest(dir, name, documents) {
  const output = join(dir, `${name}.json`);
  const config = join(dir, `${name}.config.json`);
  writeFileSync(config, JSON.stringify({ documents, output }));
  const cli = join(conformanceDir, 'node_modules/@apollo/generate-persisted-query-manifest/cli.js');
  const run = spawnSync(process.execPath, [cli, '--config', config], { cwd: conformanceDir, encoding: 'utf8', timeout: 60_000 });
  const manifest = run.status === 0 ? JSON.parse(readFileSync(output, 'utf8')) : undefined;
  return { manifest, output, run };
}

// manifestOf is generateManifest for what must succeed: the manifest.
function manifestOf(dir, name, documents) {
  const { manifest, run } = generateManifest(dir, name, documents);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  return manifest;
}

// until calls attempt until it resolves with a truthy value, and fails when
// deadlineMs have passed without one: for what follows a signal, which the
// facade handles in its own time.
async function until(what, attempt, deadlineMs = 10_000) {
  const deadline = Date.now() + deadlineMs;
  let tries = 0;
  let last;
  for (;;) {
    tries += 1;
    last = await attempt();
    if (last?.ok) return { ...last, tries };
    if (Date.now() > deadline) assert.fail(`${what}: not within ${deadlineMs}ms (${tries} tries); last: ${last?.detail}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// The facade's output lines from index on, parsed where they are JSON.
function facadeLogSince(stack, index) {
  return stack.facadeOutput.slice(index).map((line) => {
    try {
      return JSON.parse(line);
    } catch {
      return { line };
    }
  });
}

function errorCodes(result) {
  return (result?.errors ?? []).map((e) => e.extensions?.code);
}

function withoutTypename(value) {
  if (Array.isArray(value)) return value.map(withoutTypename);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '__typename').map(([k, v]) => [k, withoutTypename(v)]));
  }
  return value;
}

// metric reads one sample of the facade's /metrics: name{labels} value,
// with labels as written there (in label order), or 0 when absent.
async function metric(stack, series) {
  const res = await fetch(`${stack.facadeURL}/metrics`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  assert.equal(res.status, 200);
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
const REFUSED = (code, enforced) => `facade_trusted_documents_refused_total{code="${code}",enforced="${enforced}"}`;

describe('Apollo Client 4, a manifest from @apollo/generate-persisted-query-manifest', () => {
  let dir;
  let stack;
  let listPath;
  let manifest; // what the facade is started with: the suite's operations
  let next; // the app's next release: one operation more

  // A query the app's next release adds to the Apollo suite's operations.
  const NEXT_OPERATION = 'query OrganizationTitle($id: ID!) {\n  organization(id: $id) { id title }\n}\n';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trusted-apollo-'));
    manifest = manifestOf(dir, 'manifest', ['lib/apollo-operations.mjs']);
    writeFileSync(join(dir, 'next.graphql'), NEXT_OPERATION);
    next = manifestOf(dir, 'next', ['lib/apollo-operations.mjs', join(dir, 'next.graphql')]);
    listPath = join(dir, 'trusted-documents.json');
    writeList(listPath, manifest);
    stack = await startStack({ facadeArgs: ['-trusted-documents', listPath] });
  }, { timeout: HOOK_TIMEOUT_MS });

  after(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // What each client sent and what came back, in order.
  const exchanges = [];
  async function recordingFetch(input, init = {}) {
    const url = new URL(typeof input === 'string' ? input : input.url);
    const res = await fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    exchanges.push({
      method: init.method ?? 'GET',
      params: Object.fromEntries(url.searchParams),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      status: res.status,
      contentType: res.headers.get('content-type'),
    });
    return res;
  }

  function httpLink() {
    return new HttpLink({ uri: stack.graphqlURL, fetch: recordingFetch });
  }

  // An app built with a manifest: it sends each operation's id from it.
  function persistedClient(fromManifest, { useGETForHashedQueries = false } = {}) {
    const persisted = new PersistedQueryLink({
      ...generatePersistedQueryIdsFromManifest({ loadManifest: () => fromManifest }),
      useGETForHashedQueries,
    });
    return new ApolloClient({ link: persisted.concat(httpLink()), cache: new InMemoryCache() });
  }

  // An app with no manifest at hand: the link hashes each document as the
  // tool does.
  function runtimeHashClient() {
    return new ApolloClient({
      link: new PersistedQueryLink(generatePersistedQueryIdsAtRuntime({ sha256 })).concat(httpLink()),
      cache: new InMemoryCache(),
    });
  }

  // The same client library without the link: documents go as text.
  function textClient() {
    return new ApolloClient({ link: httpLink(), cache: new InMemoryCache() });
  }

  const byName = (name) => manifest.operations.find((o) => o.name === name);

  test('the manifest holds the suite\'s operations, each id the sha256 of its body', () => {
    assert.equal(manifest.format, 'apollo-persisted-query-manifest');
    assert.equal(manifest.version, 1);
    assert.deepEqual(manifest.operations.map((o) => o.name), ['InstallationByKey', 'IntegrationBlocks', 'Page', 'Walk']);
    for (const op of manifest.operations) {
      assert.equal(op.type, 'query');
      assert.equal(op.id, sha256(op.body), op.name);
      // What Apollo Client sends: its cache asks for __typename.
      assert.match(op.body, /__typename/, op.name);
    }
    assert.deepEqual(next.operations.map((o) => o.name), ['InstallationByKey', 'IntegrationBlocks', 'OrganizationTitle', 'Page', 'Walk']);
  });

  // The tool runs each operation through an Apollo Client 4 of its own,
  // which has no handler for @defer; when a version of the tool lists such
  // an operation, the Apollo suite's @defer query belongs in the manifest.
  test('the tool (1.4.0) cannot list an operation with @defer under Apollo Client 4', () => {
    writeFileSync(join(dir, 'deferred.graphql'),
      'query Portal { space(id: "acme-developer-portal") { id ... @defer { title } } }\n');
    const { run } = generateManifest(dir, 'deferred', [join(dir, 'deferred.graphql')]);
    assert.notEqual(run.status, 0, run.stdout);
    assert.match(run.stdout + run.stderr, /`@defer` and `@stream` are not supported without specifying an incremental handler/);
  });

  const ANSWERS = {
    IntegrationBlocks: {
      variables: {},
      check: (data) => {
        assert.equal(data.jira.blocks[0].blockId, 'embed');
        assert.equal(data.jira.blocks[0].title, 'Jira issue');
        assert.equal(data.figma.blocks[0].blockId, 'embed');
        assert.equal(data.figma.blocks[0].title, 'Figma');
      },
      calls: ['getIntegrationByName GET /v1/integrations/figma', 'getIntegrationByName GET /v1/integrations/jira'],
    },
    InstallationByKey: {
      variables: { integration: 'auth0', id: 'inst-northwind-auth0' },
      check: (data) => assert.deepEqual(withoutTypename(data.installation),
        { id: 'inst-northwind-auth0', key: installationKey('northwind', 'auth0'), status: 'active' }),
      calls: ['getIntegrationInstallationById GET /v1/integrations/auth0/installations/inst-northwind-auth0'],
    },
    Page: {
      variables: {},
      check: (data) => {
        assert.deepEqual(data.space.integrations.edges.map((e) => e.node.name), spaceIntegrations('acme-developer-portal').slice(0, 2));
        assert.equal(data.space.integrations.pageInfo.hasNextPage, true);
      },
      calls: ['getSpaceById GET /v1/spaces/acme-developer-portal', 'listSpaceIntegrations GET /v1/spaces/acme-developer-portal/integrations'],
    },
    Walk: {
      variables: {},
      check: (data) => {
        assert.equal(data.viewer.displayName, viewer.displayName);
        assert.deepEqual(data.organizations.nodes.map((o) => o.id), viewerOrganizations);
        assert.equal(data.space.title, 'Employee Handbook');
        assert.equal(data.acmeSlack.key, installationKey('acme', 'slack'));
        assert.equal(data.marketplace.nodes.length, 10);
      },
      calls: WALK_CALLS,
    },
  };
  const QUERIES = { IntegrationBlocks: INTEGRATION_BLOCKS, InstallationByKey: INSTALLATION_BY_KEY, Page: PAGE, Walk: WALK };

  async function upstreamCalls(run) {
    await stack.simReset();
    const result = await run();
    const calls = (await stack.simCalls()).map((c) => `${c.Op} ${c.Method} ${c.Path}`).sort();
    return { result, calls };
  }

  for (const [name, want] of Object.entries(ANSWERS)) {
    test(`${name} runs by the manifest's id: the request holds the id and no text, and costs what its text costs`, async () => {
      const client = persistedClient(manifest);
      exchanges.length = 0;
      const { result, calls } = await upstreamCalls(() =>
        client.query({ query: QUERIES[name], variables: want.variables, fetchPolicy: 'no-cache' }));
      assert.equal(result.error?.message, undefined);
      want.check(result.data);
      assert.equal(exchanges.length, 1, JSON.stringify(exchanges));
      const [sent] = exchanges;
      assert.equal(sent.method, 'POST');
      assert.equal(sent.body.query, undefined, 'the link sent the text');
      assert.deepEqual(sent.body.extensions.persistedQuery, { version: 1, sha256Hash: byName(name).id });
      assert.equal(sent.status, 200);
      if (want.calls) assert.deepEqual(calls, want.calls);

      // The listed text, as the same client sends it without the link,
      // runs too, at the same calls.
      const plain = textClient();
      exchanges.length = 0;
      const text = await upstreamCalls(() =>
        plain.query({ query: QUERIES[name], variables: want.variables, fetchPolicy: 'no-cache' }));
      assert.equal(text.result.error?.message, undefined);
      assert.equal(exchanges[0].body.query, byName(name).body, 'Apollo Client sent another text than the manifest\'s');
      assert.deepEqual(text.result.data, result.data);
      assert.ok(calls.length > 0);
      assert.deepEqual(calls, text.calls);
      client.stop();
      plain.stop();
    });
  }

  test('Page pages by id, its variables in the request', async () => {
    const client = persistedClient(manifest);
    const first = await client.query({ query: PAGE, fetchPolicy: 'no-cache' });
    const second = await client.query({
      query: PAGE, variables: { after: first.data.space.integrations.pageInfo.endCursor }, fetchPolicy: 'no-cache',
    });
    assert.equal(second.error?.message, undefined);
    assert.deepEqual(second.data.space.integrations.edges.map((e) => e.node.name), spaceIntegrations('acme-developer-portal').slice(2, 4));
    client.stop();
  });

  test('with useGETForHashedQueries, the id goes in a GET\'s extensions parameter', async () => {
    const client = persistedClient(manifest, { useGETForHashedQueries: true });
    exchanges.length = 0;
    const want = ANSWERS.InstallationByKey;
    const result = await client.query({ query: INSTALLATION_BY_KEY, variables: want.variables, fetchPolicy: 'no-cache' });
    assert.equal(result.error?.message, undefined);
    want.check(result.data);
    assert.equal(exchanges.length, 1);
    const [sent] = exchanges;
    assert.equal(sent.method, 'GET');
    assert.equal(sent.params.query, undefined);
    assert.deepEqual(JSON.parse(sent.params.extensions).persistedQuery, { version: 1, sha256Hash: byName('InstallationByKey').id });
    assert.deepEqual(JSON.parse(sent.params.variables), want.variables);
    client.stop();
  });

  test('hashed at runtime (generatePersistedQueryIdsAtRuntime), a listed operation runs: its hash is the manifest\'s id', async () => {
    const client = runtimeHashClient();
    exchanges.length = 0;
    const result = await client.query({ query: INTEGRATION_BLOCKS, fetchPolicy: 'no-cache' });
    assert.equal(result.error?.message, undefined);
    ANSWERS.IntegrationBlocks.check(result.data);
    assert.equal(exchanges[0].body.extensions.persistedQuery.sha256Hash, byName('IntegrationBlocks').id);
    client.stop();
  });

  const FREE_FORM = gql`query Spy { organizations(first: 3) { nodes { id title spaces(first: 3) { nodes { id title } } } } }`;

  test('a free-form query from the same client is QUERY_NOT_IN_SAFELIST, with no upstream call', async () => {
    const client = textClient();
    const counted = await metric(stack, REFUSED('QUERY_NOT_IN_SAFELIST', true));
    exchanges.length = 0;
    const { result, calls } = await upstreamCalls(() => client.query({ query: FREE_FORM, fetchPolicy: 'no-cache', errorPolicy: 'all' }));
    assert.equal(result.data, undefined);
    assert.deepEqual(result.error?.errors?.map((e) => e.extensions?.code), ['QUERY_NOT_IN_SAFELIST'], String(result.error));
    assert.deepEqual(calls, []);
    // Apollo Client asks for application/graphql-response+json first: a
    // request error is a 400 in it.
    assert.equal(exchanges.length, 1);
    assert.equal(exchanges[0].status, 400);
    assert.match(exchanges[0].contentType, /^application\/graphql-response\+json/);
    assert.equal(await metric(stack, REFUSED('QUERY_NOT_IN_SAFELIST', true)), counted + 1);
    client.stop();
  });

  test('hashed at runtime, an unlisted operation is PERSISTED_QUERY_NOT_IN_LIST, and the link does not register its text', async () => {
    const client = runtimeHashClient();
    exchanges.length = 0;
    const { result, calls } = await upstreamCalls(() => client.query({ query: FREE_FORM, fetchPolicy: 'no-cache', errorPolicy: 'all' }));
    assert.deepEqual(result.error?.errors?.map((e) => e.extensions?.code), ['PERSISTED_QUERY_NOT_IN_LIST'], String(result.error));
    assert.deepEqual(calls, []);
    assert.equal(exchanges.length, 1, `the link retried: ${JSON.stringify(exchanges)}`);
    assert.equal(exchanges[0].body.query, undefined);
    client.stop();
  });

  test('an automatic persisted query\'s registration of an unlisted text is QUERY_NOT_IN_SAFELIST', async () => {
    const query = 'query Spy { organizations(first: 3) { nodes { id title } } }';
    const { result, calls } = await upstreamCalls(() => post({
      query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } },
    }));
    assert.deepEqual(errorCodes(result), ['QUERY_NOT_IN_SAFELIST'], JSON.stringify(result));
    assert.deepEqual(calls, []);
  });

  // GraphQL over HTTP's persisted documents, by plain fetch.
  async function post(body, accept = 'application/graphql-response+json') {
    const res = await fetch(stack.graphqlURL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return { status: res.status, ...(await res.json()) };
  }
  async function get(params) {
    const url = new URL(stack.graphqlURL);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    const res = await fetch(url, { headers: { accept: 'application/graphql-response+json' }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return { status: res.status, ...(await res.json()) };
  }

  test('documentId runs a listed operation, in a POST body and in a GET, bare or as sha256:<hex>', async () => {
    const { id } = byName('InstallationByKey');
    const { variables, check, calls: want } = ANSWERS.InstallationByKey;
    const posted = await upstreamCalls(() => post({ documentId: id, variables }));
    assert.equal(posted.result.status, 200);
    assert.equal(posted.result.errors, undefined, JSON.stringify(posted.result.errors));
    check(posted.result.data);
    assert.deepEqual(posted.calls, want);
    const got = await upstreamCalls(() => get({ documentId: id, variables }));
    assert.equal(got.result.status, 200);
    assert.equal(got.result.errors, undefined, JSON.stringify(got.result.errors));
    check(got.result.data);
    assert.deepEqual(got.calls, want);
    // GraphQL over HTTP's persisted documents name a hash with its
    // algorithm.
    const prefixed = await upstreamCalls(() => post({ documentId: `sha256:${id}`, variables }));
    assert.equal(prefixed.result.errors, undefined, JSON.stringify(prefixed.result.errors));
    check(prefixed.result.data);
  });

  test('an unknown documentId is PERSISTED_QUERY_NOT_IN_LIST (400 in graphql-response+json, 200 in json), with no upstream call', async () => {
    const id = next.operations.find((o) => o.name === 'OrganizationTitle').id;
    const counted = await metric(stack, REFUSED('PERSISTED_QUERY_NOT_IN_LIST', true));
    const posted = await upstreamCalls(() => post({ documentId: id, variables: { id: 'acme' } }));
    assert.deepEqual(errorCodes(posted.result), ['PERSISTED_QUERY_NOT_IN_LIST'], JSON.stringify(posted.result));
    assert.equal(posted.result.status, 400);
    assert.deepEqual(posted.calls, []);
    const asJSON = await upstreamCalls(() => post({ documentId: id, variables: { id: 'acme' } }, 'application/json'));
    assert.deepEqual(errorCodes(asJSON.result), ['PERSISTED_QUERY_NOT_IN_LIST']);
    assert.equal(asJSON.result.status, 200);
    const got = await upstreamCalls(() => get({ documentId: id, variables: { id: 'acme' } }));
    assert.deepEqual(errorCodes(got.result), ['PERSISTED_QUERY_NOT_IN_LIST'], JSON.stringify(got.result));
    assert.deepEqual([...posted.calls, ...asJSON.calls, ...got.calls], []);
    assert.equal(await metric(stack, REFUSED('PERSISTED_QUERY_NOT_IN_LIST', true)), counted + 3);
  });

  test('a listed text with other whitespace, commas and comments runs; another text does not', async () => {
    const { body } = byName('IntegrationBlocks');
    const reflowed = `# the same tokens\n${body.replace(/\s+/g, ' ').replace(/ id /g, ' id, ')}`;
    assert.notEqual(reflowed, body);
    const same = await upstreamCalls(() => post({ query: reflowed }));
    assert.equal(same.result.errors, undefined, JSON.stringify(same.result.errors));
    ANSWERS.IntegrationBlocks.check(same.result.data);
    const other = await upstreamCalls(() => post({ query: body.replace('"jira"', '"linear"') }));
    assert.deepEqual(errorCodes(other.result), ['QUERY_NOT_IN_SAFELIST']);
    assert.deepEqual(other.calls, []);
  });

  // The release after: its client has the new manifest, the facade the old
  // list until the new one is written and the facade told.
  test('a list that does not parse leaves the old one in force', async () => {
    const client = persistedClient(next);
    const from = stack.facadeOutput.length;
    writeList(listPath, '{"format": "apollo-persisted-query-manifest", "operations": [');
    stack.signalFacade('SIGHUP');
    const logged = await until('the facade logs that the list does not parse', () => {
      const line = facadeLogSince(stack, from).find((e) => /^trusted documents: kept the list in force/.test(e.msg ?? ''));
      return { ok: Boolean(line?.error), detail: JSON.stringify(facadeLogSince(stack, from)) };
    });
    assert.ok(logged.tries >= 1);
    assert.equal(await metric(stack, 'facade_trusted_documents'), manifest.operations.length);
    const old = await client.query({ query: INTEGRATION_BLOCKS, fetchPolicy: 'no-cache', errorPolicy: 'all' });
    assert.equal(old.error?.message, undefined);
    const added = await client.query({ query: gql(NEXT_OPERATION), variables: { id: 'acme' }, fetchPolicy: 'no-cache', errorPolicy: 'all' });
    assert.deepEqual(added.error?.errors?.map((e) => e.extensions?.code), ['PERSISTED_QUERY_NOT_IN_LIST'], String(added.error));
    client.stop();
  });

  test('an operation added to the list runs after SIGHUP; a listed one runs all through the reload', async () => {
    const client = persistedClient(next);
    const NEXT = gql(NEXT_OPERATION);
    const runNext = () => client.query({ query: NEXT, variables: { id: 'acme' }, fetchPolicy: 'no-cache', errorPolicy: 'all' });

    // Before: the new operation's id is not in the facade's list, and the
    // link sends no text after that refusal.
    exchanges.length = 0;
    const { result: refused, calls } = await upstreamCalls(runNext);
    assert.deepEqual(refused.error?.errors?.map((e) => e.extensions?.code), ['PERSISTED_QUERY_NOT_IN_LIST'], String(refused.error));
    assert.deepEqual(calls, []);
    assert.equal(exchanges.length, 1, JSON.stringify(exchanges));

    // A listed operation, run by four loops at once from before the signal
    // until the added one answers and twenty more have been sent since the
    // signal: requests are in flight while the facade swaps its list.
    let signalled = false;
    let reloaded = false;
    let sinceSignal = 0;
    const old = [];
    let running;
    const firstAnswer = new Promise((resolve) => { running = resolve; });
    const loop = async () => {
      while (!reloaded || sinceSignal < 20) {
        if (signalled) sinceSignal += 1;
        old.push(await client.query({ query: INTEGRATION_BLOCKS, fetchPolicy: 'no-cache', errorPolicy: 'all' }));
        running();
      }
    };
    const traffic = Promise.all([loop(), loop(), loop(), loop()]);
    await firstAnswer;

    const from = stack.facadeOutput.length;
    writeList(listPath, next);
    stack.signalFacade('SIGHUP');
    signalled = true;
    let added;
    try {
      added = await until('the added operation answers', async () => {
        const result = await runNext();
        return { ok: result.error === undefined, result, detail: String(result.error) };
      });
    } finally {
      reloaded = true;
      await traffic;
    }
    assert.deepEqual(added.result.data.organization, { __typename: 'Organization', id: 'acme', title: 'Acme Inc.' });
    assert.equal(await metric(stack, 'facade_trusted_documents'), next.operations.length);
    await until('the facade logs the reload', () => {
      const reload = facadeLogSince(stack, from).find((e) => /^trusted documents: reloaded/.test(e.msg ?? ''));
      return { ok: reload?.operations === next.operations.length, detail: JSON.stringify(facadeLogSince(stack, from)) };
    });
    assert.ok(sinceSignal >= 20);
    for (const result of old) {
      assert.equal(result.error?.message, undefined);
      ANSWERS.IntegrationBlocks.check(result.data);
    }
    console.log(`reload: the added operation answered at try ${added.tries}; the listed one answered ${old.length} times, ${sinceSignal} of them sent after SIGHUP`);
    client.stop();
  });
});

// A query the Relay app's next release adds; and one no Relay build
// persists, sent as text.
const RELAY_NEXT = `
graphql\`
  query trustedDocumentsOrganizationQuery($id: ID!) { organization(id: $id) { id title } }
\`;
`;
const RELAY_FREE_FORM = `
graphql\`
  query trustedDocumentsFreeFormQuery { organizations(first: 3) { edges { node { id title } } } }
\`;
`;

describe('relay-runtime, doc_id from relay-compiler\'s persistConfig', () => {
  let stack;
  let persisted; // the project built with persistConfig, and its file
  let unpersisted; // the same operations, and one more, built without
  let listPath;
  let nextId;

  before(async () => {
    persisted = await compileRelay({ 'fragments.js': FRAGMENTS, 'next.js': RELAY_NEXT }, { persist: true });
    unpersisted = await compileRelay({ 'fragments.js': FRAGMENTS, 'freeform.js': RELAY_FREE_FORM });
    nextId = (await persisted.artifact('trustedDocumentsOrganizationQuery')).params.id;
    // The facade's list is the release before: without the next query.
    const previous = persisted.persisted();
    delete previous[nextId];
    listPath = join(persisted.dir, 'trusted-documents.json');
    writeList(listPath, previous);
    stack = await startStack({ facadeArgs: ['-trusted-documents', listPath] });
  }, { timeout: HOOK_TIMEOUT_MS });

  after(async () => {
    await stack?.stop();
    persisted?.remove();
    unpersisted?.remove();
  });

  const sent = [];
  // A Relay app's fetch function: a persisted operation goes by doc_id
  // (relay-compiler leaves params.text null), any other by its text.
  function environment({ method = 'POST' } = {}) {
    const network = Network.create(async (params, variables) => {
      const request = params.id ? { doc_id: params.id, variables } : { query: params.text, variables };
      sent.push({ method, params, request });
      let res;
      if (method === 'GET') {
        const url = new URL(stack.graphqlURL);
        for (const [k, v] of Object.entries(request)) url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
        res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      } else {
        res = await fetch(stack.graphqlURL, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      }
      return res.json();
    });
    return new Environment({ network, store: new Store(new RecordSource()) });
  }

  async function upstreamCalls(run) {
    await stack.simReset();
    let result;
    let error;
    try {
      result = await run();
    } catch (err) {
      error = err;
    }
    const calls = (await stack.simCalls()).map((c) => `${c.Op} ${c.Method} ${c.Path}`).sort();
    return { result, error, calls };
  }

  test('relay-compiler persists each operation under the MD5 of its text; the artifacts hold the id and no text', async () => {
    const file = persisted.persisted();
    for (const [id, text] of Object.entries(file)) assert.equal(id, md5(text));
    for (const name of ['SpaceRefetchQuery', 'SpaceIntegrationsPaginationQuery', 'trustedDocumentsOrganizationQuery']) {
      const { params } = await persisted.artifact(name);
      assert.equal(params.text, null, name);
      assert.ok(file[params.id], `${name}: ${params.id} not in the file`);
    }
    // Unpersisted, relay-compiler writes the same text into the artifact.
    for (const name of ['SpaceRefetchQuery', 'SpaceIntegrationsPaginationQuery']) {
      assert.equal((await unpersisted.artifact(name)).params.text, file[(await persisted.artifact(name)).params.id], name);
    }
  });

  for (const [query, id, title] of [
    ['SpaceRefetchQuery', 'acme-developer-portal', 'Developer Portal'],
    ['OrganizationRefetchQuery', 'acme', 'Acme Inc.'],
    ['IntegrationRefetchQuery', 'codesandbox', 'CodeSandbox'],
  ]) {
    test(`${query} refetches ${id} by doc_id, at the calls of its text`, async () => {
      const env = environment();
      const artifact = await persisted.artifact(query);
      sent.length = 0;
      const byId = await upstreamCalls(() => fetchQuery(env, artifact, { id }).toPromise());
      assert.equal(byId.error?.message, undefined);
      assert.equal(env.getStore().getSource().get(id)?.title, title);
      assert.deepEqual(sent.map((s) => Object.keys(s.request)), [['doc_id', 'variables']]);
      assert.equal(sent[0].params.text, null);
      assert.equal(byId.calls.length, 1, byId.calls.join('\n'));

      // The same operation built without persistConfig sends its text,
      // which is the listed one: it runs, at the same calls.
      const textEnv = environment();
      const textArtifact = await unpersisted.artifact(query);
      const byText = await upstreamCalls(() => fetchQuery(textEnv, textArtifact, { id }).toPromise());
      assert.equal(byText.error?.message, undefined);
      assert.equal(textEnv.getStore().getSource().get(id)?.title, title);
      assert.deepEqual(byText.calls, byId.calls);
    });
  }

  test('a connection pages to its end by doc_id, over POST and over GET', async () => {
    for (const method of ['POST', 'GET']) {
      const env = environment({ method });
      const pagination = await persisted.artifact('SpaceIntegrationsPaginationQuery');
      const id = 'acme-developer-portal';
      sent.length = 0;
      let cursor;
      let connectionID;
      for (let pages = 1; ; pages++) {
        await fetchQuery(env, pagination, { id, count: 10, cursor }).toPromise();
        const source = env.getStore().getSource();
        connectionID ??= Object.keys(source.toJSON()).find((k) => k.includes('spaceIntegrations_integrations'));
        const pageInfo = source.get(source.get(connectionID).pageInfo.__ref);
        if (!pageInfo.hasNextPage) break;
        assert.ok(pages < 10, 'the connection does not end');
        cursor = pageInfo.endCursor;
      }
      const source = env.getStore().getSource();
      const names = source.get(connectionID).edges.__refs.map((e) => source.get(source.get(e).node.__ref).name);
      assert.deepEqual(names, spaceIntegrations(id), method);
      assert.ok(sent.length > 1, method);
      assert.ok(sent.every((s) => s.method === method && s.request.doc_id === pagination.params.id && !('query' in s.request)), method);
    }
  });

  test('a free-form query from the same client is QUERY_NOT_IN_SAFELIST, with no upstream call', async () => {
    const env = environment();
    const freeForm = await unpersisted.artifact('trustedDocumentsFreeFormQuery');
    sent.length = 0;
    const { error, calls } = await upstreamCalls(() => fetchQuery(env, freeForm, {}).toPromise());
    assert.ok(error, 'the free-form query ran');
    assert.deepEqual(error.source?.errors?.map((e) => e.extensions?.code), ['QUERY_NOT_IN_SAFELIST'], error.message);
    assert.deepEqual(calls, []);
    assert.deepEqual(sent.map((s) => Object.keys(s.request)), [['query', 'variables']]);
  });

  test('a doc_id the list lacks is PERSISTED_QUERY_NOT_IN_LIST; after the file is written and SIGHUP, it runs', async () => {
    const query = await persisted.artifact('trustedDocumentsOrganizationQuery');
    const run = () => upstreamCalls(() => fetchQuery(environment(), query, { id: 'northwind' }).toPromise());
    const refused = await run();
    assert.ok(refused.error, 'a doc_id the list lacks ran');
    assert.deepEqual(refused.error.source?.errors?.map((e) => e.extensions?.code), ['PERSISTED_QUERY_NOT_IN_LIST'], refused.error.message);
    assert.deepEqual(refused.calls, []);
    // GET too.
    const got = await upstreamCalls(() => fetchQuery(environment({ method: 'GET' }), query, { id: 'northwind' }).toPromise());
    assert.deepEqual(got.error?.source?.errors?.map((e) => e.extensions?.code), ['PERSISTED_QUERY_NOT_IN_LIST'], got.error?.message);
    assert.deepEqual(got.calls, []);

    writeList(listPath, persisted.persisted());
    stack.signalFacade('SIGHUP');
    const ran = await until('the added query answers', async () => {
      const attempt = await run();
      return { ok: attempt.error === undefined, detail: attempt.error?.message };
    });
    assert.ok(ran.tries >= 1);
    const env = environment();
    await fetchQuery(env, query, { id: 'northwind' }).toPromise();
    assert.equal(env.getStore().getSource().get('northwind')?.title, 'Northwind Traders');
  });
});

// Rollout: -trusted-documents-mode log runs everything, and counts what
// enforce would refuse. Apollo's link, hashing at runtime, gets its
// unlisted operation run as an automatic persisted query would be.
describe('Apollo Client 4 under -trusted-documents-mode log', () => {
  let dir;
  let stack;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trusted-log-'));
    writeList(join(dir, 'list.json'), manifestOf(dir, 'manifest', ['lib/apollo-operations.mjs']));
    stack = await startStack({ facadeArgs: ['-trusted-documents', join(dir, 'list.json'), '-trusted-documents-mode', 'log'] });
  }, { timeout: HOOK_TIMEOUT_MS });

  after(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('an unlisted operation runs, counted (enforced="false") and logged by its hash alone', async () => {
    const query = 'query Spy { organizations(first: 3) { nodes { id title } } }';
    const before = await metric(stack, REFUSED('QUERY_NOT_IN_SAFELIST', false));
    const from = stack.facadeOutput.length;
    const res = await fetch(stack.graphqlURL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const answer = await res.json();
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.deepEqual(answer.data.organizations.nodes.map((o) => o.id), viewerOrganizations);
    assert.equal(await metric(stack, REFUSED('QUERY_NOT_IN_SAFELIST', false)), before + 1);
    const logged = facadeLogSince(stack, from).filter((e) => JSON.stringify(e).includes(sha256(query)));
    assert.ok(logged.length >= 1, `no log line with the text's sha256: ${JSON.stringify(facadeLogSince(stack, from))}`);
    assert.ok(!stack.facadeOutput.slice(from).some((l) => l.includes('organizations(first: 3)')), 'the text was logged');
  });

  test('Apollo\'s link, hashing at runtime, gets an unlisted operation run: the hash is not found, the text follows', async () => {
    const exchanges = [];
    const client = new ApolloClient({
      link: new PersistedQueryLink(generatePersistedQueryIdsAtRuntime({ sha256 })).concat(new HttpLink({
        uri: stack.graphqlURL,
        fetch: async (input, init) => {
          const res = await fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
          exchanges.push({ body: JSON.parse(init.body), status: res.status, answer: await res.clone().json() });
          return res;
        },
      })),
      cache: new InMemoryCache(),
    });
    const counters = async () => Promise.all([
      metric(stack, REFUSED('QUERY_NOT_IN_SAFELIST', false)), metric(stack, REFUSED('PERSISTED_QUERY_NOT_IN_LIST', false)),
      metric(stack, REFUSED('QUERY_NOT_IN_SAFELIST', true)), metric(stack, REFUSED('PERSISTED_QUERY_NOT_IN_LIST', true)),
    ]);
    const before = await counters();
    const result = await client.query({
      query: gql`query SpyToo { organizations(first: 2) { nodes { id } } }`, fetchPolicy: 'no-cache', errorPolicy: 'all',
    });
    assert.equal(result.error?.message, undefined);
    assert.deepEqual(result.data.organizations.nodes.map((o) => o.id), viewerOrganizations.slice(0, 2));
    // First the hash alone: not found, as an automatic persisted query
    // the facade has not seen; then the hash with the text, which runs.
    assert.equal(exchanges.length, 2, JSON.stringify(exchanges));
    assert.equal(exchanges[0].body.query, undefined);
    assert.deepEqual(exchanges[0].answer.errors.map((e) => e.extensions?.code), ['PERSISTED_QUERY_NOT_FOUND']);
    assert.equal(exchanges[1].body.extensions.persistedQuery.sha256Hash, exchanges[0].body.extensions.persistedQuery.sha256Hash);
    assert.equal(sha256(exchanges[1].body.query), exchanges[1].body.extensions.persistedQuery.sha256Hash);
    // Counted once, as the text enforce would refuse.
    const [safelist, notInList, ...enforced] = await counters();
    assert.deepEqual([safelist - before[0], notInList - before[1]], [1, 0]);
    assert.deepEqual(enforced, before.slice(2));
    client.stop();
  });
});

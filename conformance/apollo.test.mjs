// Apollo Client 4, the most used GraphQL client for the web: its default
// cache keeps each integration's blocks apart (GitBook's Figma and Jira
// blocks share the id `embed`), and normalizes the walk from a token (the
// viewer, organizations, their spaces and installations, the marketplace)
// without two objects of a type under one id, at the same calls every
// time; with the README's
// typePolicies it answers integration(name:), organization(id:) and
// installation(integration:, id:) from the cache once a list held them;
// and with its handler for @defer (Defer20220824Handler, the multipart
// format it asks for): the answer comes as multipart parts, the deferred
// data arrives, and the query ends (with a server that sends one part
// only, it stays loading for ever).

import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { relayStylePagination } from '@apollo/client/utilities';
import { print } from 'graphql';

import { HOOK_TIMEOUT_MS, REQUEST_TIMEOUT_MS, postGraphQL, startStack } from './lib/servers.mjs';
import { installationId, installationKey, viewer, viewerOrganizations } from './lib/demo.mjs';
import { INSTALLATION_BY_KEY, INTEGRATION_BLOCKS, PAGE, WALK, WALK_CALLS } from './lib/apollo-operations.mjs';

let stack;
before(async () => {
  stack = await startStack();
}, { timeout: HOOK_TIMEOUT_MS });
after(async () => stack?.stop());

// The media types of the answers, as the client received them.
const answered = [];
async function recordingFetch(input, init) {
  const res = await fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  answered.push(res.headers.get('content-type'));
  return res;
}

function newClient(cache = new InMemoryCache()) {
  return new ApolloClient({
    link: new HttpLink({ uri: stack.graphqlURL, fetch: recordingFetch }),
    cache,
    incrementalHandler: new Defer20220824Handler(),
  });
}

// The typePolicies of the README's "Using it from a client", as written
// there: the README's first js block after its "Apollo Client" heading.
function readmeTypePolicies() {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Apollo Client'));
  const block = /```js\n([\s\S]*?)```/.exec(section)[1];
  return new Function(`${block}; return typePolicies;`)();
}

test('the default cache keeps each integration\'s blocks apart', async () => {
  const client = newClient();
  const { data } = await client.query({ query: INTEGRATION_BLOCKS });
  assert.equal(data.jira.blocks[0].blockId, 'embed');
  assert.equal(data.figma.blocks[0].blockId, 'embed');
  assert.equal(data.jira.blocks[0].title, 'Jira issue');
  assert.equal(data.figma.blocks[0].title, 'Figma');
  client.stop();
});

test('with the README\'s typePolicies, integration(name:) and space(id:) come from the cache once seen', async () => {
  const client = newClient(new InMemoryCache({ typePolicies: readmeTypePolicies() }));
  await client.query({ query: gql`{ space(id: "acme-developer-portal") { id title integrations(first: 5) { nodes { id name title } } } }` });
  const before = answered.length;
  const { data } = await client.query({ query: gql`{ integration(name: "codesandbox") { id name title } }` });
  assert.equal(data.integration.title, 'CodeSandbox');
  const again = await client.query({ query: gql`{ space(id: "acme-developer-portal") { id title } }` });
  assert.equal(again.data.space.title, 'Developer Portal');
  assert.equal(answered.length, before, 'the client asked the server for what its cache held');
  client.stop();
});

function withoutTypename(value) {
  if (Array.isArray(value)) return value.map(withoutTypename);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '__typename').map(([k, v]) => [k, withoutTypename(v)]));
  }
  return value;
}

// Every object of the answer that has a __typename and an id, by what
// Apollo's default cache keys it by: `${__typename}:${id}`.
function entities(value, into = new Map()) {
  if (Array.isArray(value)) {
    for (const v of value) entities(v, into);
  } else if (value && typeof value === 'object') {
    if (value.__typename && value.id !== undefined) {
      const key = `${value.__typename}:${value.id}`;
      into.set(key, [...(into.get(key) ?? []), value]);
    }
    for (const v of Object.values(value)) entities(v, into);
  }
  return into;
}

test('the default cache normalizes the walk from a token: no two objects of a type share an id', async () => {
  const cache = new InMemoryCache();
  // The server's own answer, with the __typename the cache adds.
  const raw = await postGraphQL(stack.graphqlURL, print(cache.transformDocument(WALK)));
  assert.equal(raw.errors, undefined, JSON.stringify(raw.errors, null, 2));

  // Wherever one cache id occurs, every field both occurrences carry
  // agrees: it is the same object, reached by another path.
  const found = entities(raw.data);
  for (const [key, seen] of found) {
    for (const other of seen.slice(1)) {
      for (const field of Object.keys(other).filter((f) => f in seen[0] && typeof other[f] !== 'object')) {
        assert.equal(other[field], seen[0][field], `${key}: two objects under one cache id (${field})`);
      }
    }
  }
  const keys = [...found.keys()];
  for (const key of ['User:u-ada', 'Organization:acme', 'Organization:northwind', 'Space:acme-handbook', 'Integration:slack',
    `IntegrationInstallation:${installationId('acme', 'acme-status')}`, `IntegrationInstallation:${installationId('acme', 'slack')}`,
    `IntegrationInstallation:${installationId('northwind', 'slack')}`]) {
    assert.ok(keys.includes(key), `${key} not in the walk's answer`);
  }
  // The same integration's installations in two organizations are two
  // objects.
  assert.notEqual(raw.data.acmeSlack.key, raw.data.northwindSlack.key);
  assert.deepEqual(raw.data.organizations.nodes.map((o) => o.id), viewerOrganizations);
  assert.equal(raw.data.viewer.displayName, viewer.displayName);

  // And what the cache gives back, alone, is what the server sent: nothing
  // was overwritten by another object under its id.
  const client = newClient(cache);
  await client.query({ query: WALK });
  const fromCache = client.readQuery({ query: WALK });
  assert.deepEqual(withoutTypename(fromCache), withoutTypename(raw.data));
  const stored = Object.keys(cache.extract());
  for (const key of keys) assert.ok(stored.includes(key), `${key} not normalized`);
  client.stop();
});

// An entity the walk reaches by two paths costs no call when a list of the
// walk holds it, whichever of the two answers first: the same text costs
// the same calls every time.
test('the walk from a token costs the same calls every time, one per distinct resource', async () => {
  const client = newClient();
  for (let run = 0; run < 10; run++) {
    await stack.simReset();
    const { data, error } = await client.query({ query: WALK, fetchPolicy: 'no-cache' });
    assert.equal(error?.message, undefined);
    assert.equal(data.space.title, 'Employee Handbook');
    const calls = (await stack.simCalls()).map((c) => `${c.Op} ${c.Method} ${c.Path}`).sort();
    assert.deepEqual(calls, WALK_CALLS, `run ${run}`);
  }
  client.stop();
});

// The read-back above has teeth: a cache that keys installations by a
// field they share (every one is active) folds them into one, and gives
// back another answer than the server's.
test('a cache keying installations by a shared field gives back another answer: the read-back finds collisions', async () => {
  const cache = new InMemoryCache({ typePolicies: { IntegrationInstallation: { keyFields: ['status'] } } });
  const raw = await postGraphQL(stack.graphqlURL, print(cache.transformDocument(WALK)));
  assert.equal(raw.errors, undefined, JSON.stringify(raw.errors, null, 2));
  const client = newClient(cache);
  await client.query({ query: WALK });
  assert.notDeepEqual(withoutTypename(client.readQuery({ query: WALK })), withoutTypename(raw.data));
  client.stop();
});

test('with the README\'s typePolicies, installation(integration:, id:) and organization(id:) come from the cache once a list held them', async () => {
  const client = newClient(new InMemoryCache({ typePolicies: readmeTypePolicies() }));
  await client.query({ query: WALK });
  const before = answered.length;
  const key = installationKey('northwind', 'auth0');
  const [integration, id] = key.split('/');
  const { data } = await client.query({ query: INSTALLATION_BY_KEY, variables: { integration, id } });
  assert.deepEqual(withoutTypename(data.installation), { id, key, status: 'active' });
  const org = await client.query({ query: gql`{ organization(id: "northwind") { id title } }` });
  assert.equal(org.data.organization.title, 'Northwind Traders');
  assert.equal(answered.length, before, 'the client asked the server for what its cache held');

  // An installation asked for with another integration's name is not the
  // cached one: the server answers, and finds none.
  const other = await client.query({
    query: gql`query ($id: ID!) { installation(integration: "jira", id: $id) { id key status } }`,
    variables: { id },
    errorPolicy: 'all',
  });
  assert.equal(answered.length, before + 1, 'answered from the cache under another integration');
  assert.equal(other.data?.installation ?? null, null);
  assert.equal(other.error?.errors?.[0]?.extensions?.code, 'NOT_FOUND', String(other.error));
  client.stop();
});

const DEFERRED = gql`
  query Portal {
    space(id: "acme-developer-portal") {
      id
      title
      ... @defer(label: "lists") {
        integrations(first: 3) { totalCount nodes { name title } }
      }
    }
  }
`;

test('@defer: the deferred fields arrive in a part of their own, and the query ends', { timeout: 30_000 }, async () => {
  const client = newClient();
  const results = [];
  await new Promise((resolve, reject) => {
    const sub = client.watchQuery({ query: DEFERRED, fetchPolicy: 'network-only' }).subscribe({
      next(result) {
        results.push(result);
        if (!result.loading && result.dataState === 'complete') {
          sub.unsubscribe();
          resolve();
        }
      },
      error: reject,
    });
  });
  const last = results.at(-1);
  assert.equal(last.error, undefined, String(last.error));
  assert.equal(last.data.space.title, 'Developer Portal');
  assert.equal(last.data.space.integrations.nodes.length, 3);
  assert.ok(last.data.space.integrations.totalCount >= 3);
  assert.match(answered.at(-1) ?? '', /^multipart\/mixed;.*deferSpec=20220824/, 'the answer did not come in parts');
  client.stop();
});

// The README's pagination policy: relayStylePagination keyed by search,
// pages of edges merged into one list, one search kept apart from another.
test('relayStylePagination merges pages of a space\'s integrations, each search apart', async () => {
  const typePolicies = readmeTypePolicies();
  typePolicies.Space = { fields: { integrations: relayStylePagination(['search']) } };
  const client = newClient(new InMemoryCache({ typePolicies }));
  const watched = client.watchQuery({ query: PAGE });
  let sub;
  const first = await new Promise((resolve, reject) => {
    sub = watched.subscribe({ next: (r) => r.dataState === 'complete' && resolve(r), error: reject });
  });
  await watched.fetchMore({ variables: { after: first.data.space.integrations.pageInfo.endCursor } });
  const merged = client.readQuery({ query: PAGE }).space.integrations.edges.map((e) => e.node.name);
  sub.unsubscribe();
  assert.deepEqual(merged, ['acme-status', 'amplitude', 'auth0', 'codesandbox']);
  const searched = await client.query({ query: PAGE, variables: { search: 'slack' } });
  assert.ok(searched.data.space.integrations.edges.every((e) => e.node.name.includes('slack')),
    `another search's answer: ${JSON.stringify(searched.data.space.integrations.edges)}`);
  client.stop();
});

// Apollo Client 4, the most used GraphQL client for the web: its default
// cache keeps each integration's blocks apart (GitBook's Figma and Jira
// blocks share the id `embed`) and the walk's types (each answer of the walk
// reads back from the cache as the server gave it, every Type:id one
// object); with the README's typePolicies it answers integration(name:)
// and installation(integration:, id:) from the cache once a list held them,
// but not an installation asked for under another integration; and with its
// handler for @defer (Defer20220824Handler, the multipart format it asks
// for): the answer comes as multipart parts, the deferred data arrives,
// and the query ends (with a server that sends one part only, it stays
// loading for ever).

import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { addTypenameToDocument, relayStylePagination } from '@apollo/client/utilities';
import { print } from 'graphql';

import { HOOK_TIMEOUT_MS, REQUEST_TIMEOUT_MS, postGraphQL, startStack } from './lib/servers.mjs';

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
  const { data } = await client.query({ query: gql`{
    jira: integration(name: "jira") { id name blocks { id blockId title } }
    figma: integration(name: "figma") { id name blocks { id blockId title } }
  }` });
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

test('the walk from a token normalizes without collisions, and installation(integration:, id:) comes from the cache once a list held it', async () => {
  const client = newClient(new InMemoryCache({ typePolicies: readmeTypePolicies() }));
  const { data } = await client.query({ query: gql`{
    viewer { id displayName }
    organizations(first: 5) { nodes { id title
      spaces(first: 2) { nodes { id title organization { id title } } }
      installations(first: 30) { nodes { id key status organization { id } integration { id name title } } } } }
  }` });
  const cache = client.cache.extract();
  // Every object with an id is one entry of its type: an organization read
  // from the list and from each of its spaces is one record.
  assert.ok(cache[`User:${data.viewer.id}`], 'no User in the cache');
  for (const org of data.organizations.nodes) {
    assert.equal(cache[`Organization:${org.id}`].title, org.title);
    for (const space of org.spaces.nodes) assert.equal(space.organization.title, org.title);
    for (const inst of org.installations.nodes) {
      assert.equal(cache[`IntegrationInstallation:${inst.id}`].key, inst.key);
      assert.equal(inst.organization.id, org.id);
    }
  }
  const installations = data.organizations.nodes.flatMap((o) => o.installations.nodes);
  assert.equal(new Set(installations.map((i) => i.id)).size, installations.length, 'two installations share an id');
  const slack = installations.find((i) => i.key === 'slack/inst-acme-slack');
  const before = answered.length;
  const again = await client.query({ query: gql`{ installation(integration: "slack", id: "inst-acme-slack") { id key status } }` });
  assert.equal(again.data.installation.status, slack.status);
  assert.equal(answered.length, before, 'the client asked the server for what its cache held');
  client.stop();
});

// The walk from a token and the root fields that meet its objects again:
// an organization from the list and from a space, an installation from an
// organization's list, from an integration's and from
// installation(integration:, id:), an integration from installations, the
// marketplace and spaceInstallations. Two installations of codesandbox (in
// acme and in the open-source collective) are distinct objects of one
// integration. The widths keep the walk under the facade's cost limit.
const WALK_QUERIES = [
  gql`{
    viewer { id displayName email }
    organizations(first: 3) { nodes { id title
      spaces(first: 5) { nodes { id title organization { id title } } }
      installations(first: 5) { nodes { id key status organization { id title } integration { id name title }
        spaceInstallations(first: 3) { nodes { installation status integration { id name } space { id title organization { id title } } } } } } } }
  }`,
  gql`{ space(id: "northwind-runbooks") { id title organization { id title } integrations(first: 5) { nodes { id name title } } } }`,
  gql`{ installation(integration: "slack", id: "inst-acme-slack") { id key status organization { id title } integration { id name title } } }`,
  gql`{ integration(name: "acme-status") { id name title installations { nodes { id key status organization { id title } } } } }`,
  gql`{ integrations(category: collaboration, first: 20) { nodes { id name title } } }`,
];

// Objects with an id in an answer, by `Type:id` as the default cache keys
// them, each with every scalar field it was seen with.
function entities(value, into = new Map()) {
  if (Array.isArray(value)) {
    for (const v of value) entities(v, into);
  } else if (value && typeof value === 'object') {
    if (value.__typename && value.id !== undefined) {
      const cacheID = `${value.__typename}:${value.id}`;
      const scalars = Object.fromEntries(Object.entries(value).filter(([, v]) => v === null || typeof v !== 'object'));
      into.set(cacheID, [...(into.get(cacheID) ?? []), scalars]);
    }
    for (const v of Object.values(value)) entities(v, into);
  }
  return into;
}

test('the default cache keeps the walk\'s types apart: every id is one object of its type, and each answer reads back as the server gave it', async () => {
  const client = newClient();
  const server = [];
  for (const query of WALK_QUERIES) {
    // The server's own answer, asked with the __typenames Apollo adds.
    const raw = await postGraphQL(stack.graphqlURL, print(addTypenameToDocument(query)));
    assert.equal(raw.errors, undefined, JSON.stringify(raw.errors));
    server.push(raw.data);
    const { data, error } = await client.query({ query, fetchPolicy: 'network-only' });
    assert.equal(error, undefined, String(error));
    assert.deepEqual(data, raw.data, 'the cache gave back another answer than the server\'s');
  }
  // After every answer is written, each one still reads back as the server
  // gave it: no later object overwrote an earlier one of another identity.
  WALK_QUERIES.forEach((query, i) => assert.deepEqual(client.readQuery({ query }), server[i], `answer ${i} changed in the cache`));

  // Wherever the server sent one Type:id, it sent one object: every field
  // seen twice agrees (an installation's key, an integration's name, an
  // organization's title, from whichever list or root field it came).
  const seen = entities(server);
  for (const [cacheID, copies] of seen) {
    for (const copy of copies.slice(1)) {
      for (const [field, value] of Object.entries(copy)) {
        if (field in copies[0]) assert.equal(value, copies[0][field], `${cacheID}.${field} differs between answers`);
      }
    }
  }
  const cache = client.cache.extract();
  for (const cacheID of seen.keys()) assert.ok(cache[cacheID], `${cacheID} not normalized`);
  const typesSeen = new Set([...seen.keys()].map((k) => k.split(':')[0]));
  for (const type of ['User', 'Organization', 'Space', 'Integration', 'IntegrationInstallation']) assert.ok(typesSeen.has(type), `no ${type} in the walk`);
  // An installation is one cache entry whether it came from acme's list,
  // from installation(...) or from acme-status's list; two installations
  // of one integration are two.
  assert.equal(cache['IntegrationInstallation:inst-acme-slack']?.key, 'slack/inst-acme-slack');
  assert.equal(seen.get('IntegrationInstallation:inst-acme-acme-status').length, 2, 'acme-status\'s installation not met twice');
  assert.equal(cache['IntegrationInstallation:inst-acme-codesandbox']?.key, 'codesandbox/inst-acme-codesandbox');
  assert.equal(cache['IntegrationInstallation:inst-open-source-collective-codesandbox']?.key, 'codesandbox/inst-open-source-collective-codesandbox');
  assert.equal(cache['Organization:northwind']?.title, 'Northwind Traders');
  client.stop();
});

test('with the README\'s typePolicies, installation(integration:, id:) for another integration\'s id goes to the server: NOT_FOUND, not the cached installation', async () => {
  const client = newClient(new InMemoryCache({ typePolicies: readmeTypePolicies() }));
  await client.query({ query: gql`{ organization(id: "acme") { id installations(first: 30) { nodes { id key status } } } }` });
  const before = answered.length;
  const { data, error } = await client.query({
    query: gql`{ installation(integration: "jira", id: "inst-acme-slack") { id key status } }`,
    errorPolicy: 'all',
  });
  assert.equal(answered.length, before + 1, 'answered from the cache');
  assert.equal(data?.installation ?? null, null, JSON.stringify(data));
  assert.equal(error?.errors?.[0]?.extensions?.code, 'NOT_FOUND', String(error));
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
  const PAGE = gql`query Page($search: String, $after: String) {
    space(id: "acme-developer-portal") { id integrations(first: 2, search: $search, after: $after) {
      edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } } }`;
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

// Apollo Client 4, the most used GraphQL client for the web: its default
// cache keeps each integration's blocks apart (GitBook's Figma and Jira
// blocks share the id `embed`); with the README's typePolicies it answers
// integration(name:) from the cache once a list held it; and with its
// handler for @defer (Defer20220824Handler, the multipart format it asks
// for): the answer comes as multipart parts, the deferred data arrives,
// and the query ends (with a server that sends one part only, it stays
// loading for ever).

import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { relayStylePagination } from '@apollo/client/utilities';

import { HOOK_TIMEOUT_MS, REQUEST_TIMEOUT_MS, startStack } from './lib/servers.mjs';

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

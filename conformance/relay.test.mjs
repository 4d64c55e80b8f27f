// Relay: relay-compiler, with its default configuration, compiles
// @refetchable fragments on Space, Organization, Integration and
// IntegrationInstallation (which the schema marks @fetchable; an
// installation by its key, <integration>/<id>) and a @connection over each
// of the graph's connections, against schema/client.graphql; relay-runtime
// then refetches each by id or key and pages every connection to its end
// against the facade, as a Relay app would; a query nests one connection
// (an organization's spaces) in another (the viewer's organizations).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { Environment, Network, RecordSource, Store, fetchQuery } from 'relay-runtime';

import { HOOK_TIMEOUT_MS, REQUEST_TIMEOUT_MS, postGraphQL, startStack } from './lib/servers.mjs';
import {
  installationKey, installationSpaces, organizationInstallations, spaces, viewerOrganizations,
} from './lib/demo.mjs';
import { FRAGMENTS, compileRelay } from './lib/relay.mjs';

let stack;
let project;
let artifacts;
before(async () => {
  stack = await startStack();
  project = await compileRelay(FRAGMENTS);
  artifacts = project.artifact;
}, { timeout: HOOK_TIMEOUT_MS });
after(async () => {
  await stack?.stop();
  project?.remove();
});

function newEnvironment() {
  const network = Network.create(async (operation, variables) => {
    const res = await fetch(stack.graphqlURL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: operation.text, variables }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return res.json();
  });
  return new Environment({ network, store: new Store(new RecordSource()) });
}

for (const [query, id, title] of [
  ['SpaceRefetchQuery', 'acme-developer-portal', 'Developer Portal'],
  ['OrganizationRefetchQuery', 'acme', 'Acme Inc.'],
  ['IntegrationRefetchQuery', 'codesandbox', 'CodeSandbox'],
]) {
  test(`${query} refetches ${id} into the store`, async () => {
    const environment = newEnvironment();
    await fetchQuery(environment, await artifacts(query), { id }).toPromise();
    const record = environment.getStore().getSource().get(id);
    assert.equal(record?.title, title, JSON.stringify(record));
  });
}

test('the connection pages with its cursors, the pages merged in the store', async () => {
  const environment = newEnvironment();
  const pagination = await artifacts('SpaceIntegrationsPaginationQuery');
  const id = 'acme-developer-portal';
  await fetchQuery(environment, pagination, { id, count: 2 }).toPromise();
  const source = environment.getStore().getSource();
  const connectionID = Object.keys(source.toJSON()).find((k) => k.includes('spaceIntegrations_integrations'));
  assert.ok(connectionID, 'no connection record in the store');
  const pageInfo = source.get(source.get(connectionID).pageInfo.__ref);
  assert.equal(pageInfo.hasNextPage, true);
  await fetchQuery(environment, pagination, { id, count: 2, cursor: pageInfo.endCursor }).toPromise();
  const edges = environment.getStore().getSource().get(connectionID).edges.__refs;
  const names = edges.map((e) => environment.getStore().getSource().get(environment.getStore().getSource().get(e).node.__ref).name);
  assert.deepEqual(names, ['acme-status', 'amplitude', 'auth0', 'codesandbox']);
});

test('IntegrationInstallationRefetchQuery refetches an installation by its key, stored under its id', async () => {
  const environment = newEnvironment();
  const key = installationKey('acme', 'slack');
  await fetchQuery(environment, await artifacts('IntegrationInstallationRefetchQuery'), { id: key }).toPromise();
  const source = environment.getStore().getSource();
  // Relay keys its store by `id`: GitBook's installation id, not the key
  // the refetch field reads it by.
  const record = source.get(key.split('/')[1]);
  assert.equal(record?.key, key, JSON.stringify(source.toJSON()));
  assert.equal(record.status, 'active');
  assert.equal(record.spaces, installationSpaces('acme', 'slack').length);
  assert.equal(source.get(record.integration.__ref)?.name, 'slack');
});

// pageToEnd fetches a pagination query page by page, each after the
// previous page's endCursor, until hasNextPage is false, and returns the
// number of pages and what the connection holds in the store then: one
// value per edge, read from its node's record by nodeValue.
async function pageToEnd(queryName, connectionKey, variables, nodeValue) {
  const environment = newEnvironment();
  const query = await artifacts(queryName);
  const source = () => environment.getStore().getSource();
  let connection;
  let cursor;
  let pages = 0;
  for (;;) {
    await fetchQuery(environment, query, { ...variables, cursor }).toPromise();
    pages += 1;
    const connectionID = Object.keys(source().toJSON()).find((k) => k.includes(`__${connectionKey}_connection`));
    assert.ok(connectionID, `no connection record ${connectionKey} in the store`);
    connection = source().get(connectionID);
    const pageInfo = source().get(connection.pageInfo.__ref);
    if (!pageInfo.hasNextPage) break;
    assert.ok(pageInfo.endCursor, 'a next page and no endCursor');
    assert.ok(pages < 50, 'the connection does not end');
    cursor = pageInfo.endCursor;
  }
  const values = connection.edges.__refs.map((e) => nodeValue(source().get(source().get(e).node.__ref), source()));
  return { pages, values };
}

const spacesOf = (org) => Object.keys(spaces).filter((id) => spaces[id].organization === org);

for (const { query, connection, variables, nodeValue, expected, pages } of [
  {
    query: 'ViewerOrganizationsPaginationQuery', connection: 'viewerOrganizations_organizations',
    variables: { count: 2 }, nodeValue: (node) => node.__id,
    expected: () => viewerOrganizations, pages: 2,
  },
  {
    query: 'OrganizationSpacesPaginationQuery', connection: 'organizationSpaces_spaces',
    variables: { id: 'acme', count: 2 }, nodeValue: (node) => node.__id,
    expected: () => spacesOf('acme'), pages: 3,
  },
  {
    query: 'OrganizationInstallationsPaginationQuery', connection: 'organizationInstallations_installations',
    variables: { id: 'acme', count: 10 }, nodeValue: (node) => node.key,
    expected: () => organizationInstallations('acme').map((name) => installationKey('acme', name)), pages: 3,
  },
  {
    // GitBook lists an integration's installations to its owner alone:
    // the demo token administers Acme, which publishes acme-status.
    query: 'IntegrationInstallationsPaginationQuery', connection: 'integrationInstallations_installations',
    variables: { id: 'acme-status', count: 2 }, nodeValue: (node) => node.key,
    expected: () => [installationKey('acme', 'acme-status')], pages: 1,
  },
  {
    query: 'InstallationSpacesPaginationQuery', connection: 'installationSpaces_spaceInstallations',
    variables: { id: installationKey('acme', 'slack'), count: 2 }, nodeValue: (node) => node.space.__ref,
    expected: () => installationSpaces('acme', 'slack'), pages: 2,
  },
  {
    // The marketplace's answer is checked against the facade's own walk
    // of every page (no `first`), which lib/demo.mjs does not transcribe.
    query: 'MarketplacePaginationQuery', connection: 'marketplace_integrations',
    variables: { category: 'analytics', count: 3 }, nodeValue: (node) => node.__id,
    expected: async () => {
      const answer = await postGraphQL(stack.graphqlURL, '{ integrations(category: analytics) { totalCount nodes { id } } }');
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      assert.ok(answer.data.integrations.totalCount > 3, 'too few analytics integrations to page');
      return answer.data.integrations.nodes.map((n) => n.id);
    },
  },
]) {
  test(`${query} pages ${connection} to its end, the pages merged without gap or overlap`, async () => {
    const want = await expected();
    const got = await pageToEnd(query, connection, variables, nodeValue);
    assert.deepEqual(got.values, want);
    assert.equal(got.pages, pages ?? Math.ceil(want.length / variables.count));
  });
}

test("the viewer's organizations and their spaces, as connections", async () => {
  const environment = newEnvironment();
  await fetchQuery(environment, await artifacts('viewerOrganizationsQuery'), { count: 2 }).toPromise();
  const store = environment.getStore().getSource();
  assert.equal(store.get('acme')?.title, 'Acme Inc.');
  assert.equal(store.get('acme-developer-portal')?.title, 'Developer Portal');
});

// Relay: relay-compiler, with its default configuration, compiles
// @refetchable fragments on Space, Organization, Integration and
// IntegrationInstallation (which the schema marks @fetchable, the last by
// its key) and @connection over a space's integrations, an organization's
// installations, the viewer's organizations and their spaces,
// against schema/client.graphql; relay-runtime then refetches each by id
// and pages the connection against the facade, as a Relay app would.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { Environment, Network, RecordSource, Store, fetchQuery } from 'relay-runtime';

import { HOOK_TIMEOUT_MS, REQUEST_TIMEOUT_MS, startStack } from './lib/servers.mjs';

const FRAGMENTS = `
graphql\`
  fragment spaceTitle_space on Space @refetchable(queryName: "SpaceRefetchQuery") { title }
\`;
graphql\`
  fragment organizationTitle_organization on Organization @refetchable(queryName: "OrganizationRefetchQuery") { title }
\`;
graphql\`
  fragment integrationTitle_integration on Integration @refetchable(queryName: "IntegrationRefetchQuery") { title }
\`;
graphql\`
  fragment spaceIntegrations_space on Space
    @refetchable(queryName: "SpaceIntegrationsPaginationQuery")
    @argumentDefinitions(count: { type: "Int", defaultValue: 2 }, cursor: { type: "String" }) {
    integrations(first: $count, after: $cursor) @connection(key: "spaceIntegrations_integrations") {
      edges { node { name } }
    }
  }
\`;
graphql\`
  fragment installationStatus_installation on IntegrationInstallation @refetchable(queryName: "InstallationRefetchQuery") { status }
\`;
graphql\`
  fragment organizationInstallations_organization on Organization
    @refetchable(queryName: "OrganizationInstallationsPaginationQuery")
    @argumentDefinitions(count: { type: "Int", defaultValue: 2 }, cursor: { type: "String" }) {
    installations(first: $count, after: $cursor) @connection(key: "organizationInstallations_installations") {
      edges { node { id integration { name } } }
    }
  }
\`;
graphql\`
  query viewerOrganizationsQuery($count: Int, $cursor: String) {
    viewer { id displayName }
    organizations(first: $count, after: $cursor) @connection(key: "viewer_organizations") {
      edges { node { id title spaces(first: 2) @connection(key: "organization_spaces") { edges { node { id title } } } } }
    }
  }
\`;
`;

let stack;
let project;
let artifacts;
before(async () => {
  stack = await startStack();
  project = mkdtempSync(join(tmpdir(), 'relay-'));
  mkdirSync(join(project, 'src'));
  cpSync(new URL('../schema/client.graphql', import.meta.url), join(project, 'schema.graphql'));
  writeFileSync(join(project, 'src', 'fragments.js'), FRAGMENTS);
  writeFileSync(join(project, 'relay.config.json'), JSON.stringify({ src: './src', schema: './schema.graphql', language: 'javascript', eagerEsModules: true }));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
  const cli = new URL('./node_modules/relay-compiler/cli.js', import.meta.url).pathname;
  const run = spawnSync(process.execPath, [cli], { cwd: project, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  artifacts = async (name) => (await import(pathToFileURL(join(project, 'src', '__generated__', `${name}.graphql.js`)).href)).default;
}, { timeout: HOOK_TIMEOUT_MS });
after(async () => {
  await stack?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
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

test('InstallationRefetchQuery refetches an installation by its key into the store, under its id', async () => {
  const environment = newEnvironment();
  await fetchQuery(environment, await artifacts('InstallationRefetchQuery'), { id: 'slack/inst-acme-slack' }).toPromise();
  const record = environment.getStore().getSource().get('inst-acme-slack');
  assert.equal(record?.status, 'active', JSON.stringify(record));
});

test("an organization's installations page with their cursors, the pages merged in the store", async () => {
  const environment = newEnvironment();
  const pagination = await artifacts('OrganizationInstallationsPaginationQuery');
  await fetchQuery(environment, pagination, { id: 'acme', count: 2 }).toPromise();
  const source = environment.getStore().getSource();
  const connectionID = Object.keys(source.toJSON()).find((k) => k.includes('organizationInstallations_installations'));
  assert.ok(connectionID, 'no connection record in the store');
  const pageInfo = source.get(source.get(connectionID).pageInfo.__ref);
  assert.equal(pageInfo.hasNextPage, true);
  await fetchQuery(environment, pagination, { id: 'acme', count: 2, cursor: pageInfo.endCursor }).toPromise();
  const store = environment.getStore().getSource();
  const ids = store.get(connectionID).edges.__refs.map((e) => store.get(store.get(e).node.__ref).id);
  assert.equal(ids.length, 4);
  assert.equal(new Set(ids).size, 4, `installations repeated across pages: ${ids}`);
});

test("the viewer's organizations and their spaces, as connections", async () => {
  const environment = newEnvironment();
  await fetchQuery(environment, await artifacts('viewerOrganizationsQuery'), { count: 2 }).toPromise();
  const store = environment.getStore().getSource();
  assert.equal(store.get('acme')?.title, 'Acme Inc.');
  assert.equal(store.get('acme-developer-portal')?.title, 'Developer Portal');
});

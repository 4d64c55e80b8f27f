// The Relay suite's sources (relay.test.mjs) and how it compiles them:
// relay-compiler's CLI over schema/client.graphql in a temporary project,
// with its default configuration, or with persistConfig for
// trusted-documents.test.mjs, which lists what it persists.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// @refetchable fragments on Space, Organization, Integration and
// IntegrationInstallation, a @connection over each of the graph's
// connections, and a query nesting one connection in another.
export const FRAGMENTS = `
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
  fragment installationStatus_installation on IntegrationInstallation
    @refetchable(queryName: "IntegrationInstallationRefetchQuery") { status spaces integration { name } }
\`;
graphql\`
  fragment viewerOrganizations_query on Query
    @refetchable(queryName: "ViewerOrganizationsPaginationQuery")
    @argumentDefinitions(count: { type: "Int", defaultValue: 2 }, cursor: { type: "String" }) {
    organizations(first: $count, after: $cursor) @connection(key: "viewerOrganizations_organizations") {
      edges { node { title } }
    }
  }
\`;
graphql\`
  fragment marketplace_query on Query
    @refetchable(queryName: "MarketplacePaginationQuery")
    @argumentDefinitions(
      category: { type: "IntegrationCategory" }, count: { type: "Int", defaultValue: 2 }, cursor: { type: "String" }) {
    integrations(category: $category, first: $count, after: $cursor)
      @connection(key: "marketplace_integrations", filters: ["category"]) {
      edges { node { title } }
    }
  }
\`;
graphql\`
  fragment organizationSpaces_organization on Organization
    @refetchable(queryName: "OrganizationSpacesPaginationQuery")
    @argumentDefinitions(count: { type: "Int", defaultValue: 2 }, cursor: { type: "String" }) {
    spaces(first: $count, after: $cursor) @connection(key: "organizationSpaces_spaces") {
      edges { node { title } }
    }
  }
\`;
graphql\`
  fragment organizationInstallations_organization on Organization
    @refetchable(queryName: "OrganizationInstallationsPaginationQuery")
    @argumentDefinitions(count: { type: "Int", defaultValue: 2 }, cursor: { type: "String" }) {
    installations(first: $count, after: $cursor) @connection(key: "organizationInstallations_installations") {
      edges { node { key integration { name } } }
    }
  }
\`;
graphql\`
  fragment integrationInstallations_integration on Integration
    @refetchable(queryName: "IntegrationInstallationsPaginationQuery")
    @argumentDefinitions(count: { type: "Int", defaultValue: 2 }, cursor: { type: "String" }) {
    installations(first: $count, after: $cursor) @connection(key: "integrationInstallations_installations") {
      edges { node { key } }
    }
  }
\`;
graphql\`
  fragment installationSpaces_installation on IntegrationInstallation
    @refetchable(queryName: "InstallationSpacesPaginationQuery")
    @argumentDefinitions(count: { type: "Int", defaultValue: 2 }, cursor: { type: "String" }) {
    spaceInstallations(first: $count, after: $cursor) @connection(key: "installationSpaces_spaceInstallations") {
      edges { node { installation space { title } } }
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

// compileRelay writes sources (a string, or an object of file name to
// string) into a new project and runs relay-compiler over it. With persist,
// relay-compiler writes the operations' text to persisted.json, keyed by
// their MD5, and the artifacts carry the id alone (params.text is null).
// Resolves with the project's directory, artifact(name) (the compiled
// ConcreteRequest or fragment), persisted() (the file, when persisting)
// and remove().
export async function compileRelay(sources, { persist = false } = {}) {
  const project = mkdtempSync(join(tmpdir(), 'relay-'));
  try {
    mkdirSync(join(project, 'src'));
    cpSync(new URL('../../schema/client.graphql', import.meta.url), join(project, 'schema.graphql'));
    const files = typeof sources === 'string' ? { 'fragments.js': sources } : sources;
    for (const [name, text] of Object.entries(files)) writeFileSync(join(project, 'src', name), text);
    const config = { src: './src', schema: './schema.graphql', language: 'javascript', eagerEsModules: true };
    const persisted = join(project, 'persisted.json');
    if (persist) {
      // relay-compiler refuses a persistConfig whose file does not exist.
      writeFileSync(persisted, '{}');
      config.persistConfig = { file: persisted, algorithm: 'MD5' };
    }
    writeFileSync(join(project, 'relay.config.json'), JSON.stringify(config));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
    const cli = new URL('../node_modules/relay-compiler/cli.js', import.meta.url).pathname;
    const run = spawnSync(process.execPath, [cli], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stdout + run.stderr);
  } catch (err) {
    rmSync(project, { recursive: true, force: true });
    throw err;
  }
  return {
    dir: project,
    artifact: async (name) => (await import(pathToFileURL(join(project, 'src', '__generated__', `${name}.graphql.js`)).href)).default,
    persistedPath: join(project, 'persisted.json'),
    persisted: () => JSON.parse(readFileSync(join(project, 'persisted.json'), 'utf8')),
    remove: () => rmSync(project, { recursive: true, force: true }),
  };
}

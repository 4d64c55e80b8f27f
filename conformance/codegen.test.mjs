// GraphQL Code Generator over schema/client.graphql: what it generates
// compiles under `tsc --strict`. The typescript-operations plugin (since its
// version 6 it writes the schema types an operation needs itself) needs no
// configuration. The typescript plugin, which writes every schema type,
// does with its defaults not: enum values such as BillingCreditsBundle's
// _135001500 become TypeScript enum members with numeric names (TS2452);
// with the configuration the README gives, it does. The operations cover
// the walk from a token (viewer, organizations, their spaces and
// installations, the spaces those are enabled on) and the marketplace with
// its enum filters, and a module that reads the generated types compiles
// too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { codegen } from '@graphql-codegen/core';
import * as typescript from '@graphql-codegen/typescript';
import * as typescriptOperations from '@graphql-codegen/typescript-operations';
import { parse } from 'graphql';

const schema = parse(readFileSync(new URL('../schema/client.graphql', import.meta.url), 'utf8'));
const operation = parse(`
  query Portal($id: ID!, $first: Int) {
    space(id: $id) {
      id title visibility
      organization { id title plan billing { creditsBundle interval } }
      integrations(first: $first) { totalCount nodes { id name categories blocks { id blockId title } } }
    }
  }

  query Walk($first: Int, $after: String) {
    viewer { id displayName email photoURL urls { location } }
    organizations(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id title
          spaces(first: 5) { totalCount nodes { id title visibility } }
          installations(search: "slack", first: 5) {
            nodes {
              key id status spaces space_selection createdAt
              integration { name title categories }
              organization { id }
              spaceInstallations(first: 5) { nodes { installation status space { id title } } }
            }
          }
        }
      }
    }
    installation(integration: "slack", id: "inst-acme-slack") { key id target { organization } }
  }

  query Marketplace($category: IntegrationCategory, $scope: IntegrationScope, $target: IntegrationTarget, $after: String) {
    integrations(category: $category, scope: $scope, target: $target, blocks: true, first: 10, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { name title categories installations(first: 1) { totalCount } }
    }
  }
`);

// A module that reads the operations' types: the walk's nullable hops
// need their guards under --strict, and the marketplace takes its enum.
const USE = `
import type { MarketplaceQuery, MarketplaceQueryVariables, WalkQuery } from './graphql';

export function enabledOn(walk: WalkQuery): string[] {
  const titles: string[] = [];
  for (const edge of walk.organizations.edges) {
    for (const installation of edge.node.installations.nodes) {
      for (const si of installation.spaceInstallations.nodes) {
        if (si.space) titles.push(\`\${installation.integration?.title ?? installation.key}: \${si.space.title}\`);
      }
    }
  }
  return titles;
}

export const viewerName = (walk: WalkQuery): string | undefined => walk.viewer?.displayName;

export function analytics(category: NonNullable<MarketplaceQueryVariables['category']>): MarketplaceQueryVariables {
  return { category };
}

export const names = (m: MarketplaceQuery): string[] => m.integrations.nodes.map((n) => n.name);
`;

// The README's codegen configuration: its first ```json block after the
// "GraphQL Code Generator" heading.
function readmeConfig() {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### GraphQL Code Generator'));
  return JSON.parse(/```json\n([\s\S]*?)```/.exec(section)[1]);
}

const plugins = { typescript, typescriptOperations };

async function compiles(plugin, config, use) {
  const output = await codegen({
    schema,
    documents: [{ document: operation }],
    filename: 'graphql.ts',
    plugins: [{ [plugin]: {} }],
    pluginMap: { [plugin]: plugins[plugin] },
    config,
  });
  const dir = mkdtempSync(join(tmpdir(), 'codegen-'));
  try {
    writeFileSync(join(dir, 'graphql.ts'), output);
    const files = ['graphql.ts'];
    if (use) {
      writeFileSync(join(dir, 'use.ts'), use);
      files.push('use.ts');
    }
    const tsc = new URL('./node_modules/typescript/bin/tsc', import.meta.url).pathname;
    // From the file's own folder, so that no @types of this suite's packages
    // come in. --skipLibCheck skips TypeScript's own lib .d.ts files (the
    // generated .ts is checked in full): it halves the time, and run.sh
    // gives the whole file 60 s on a busy machine.
    const run = spawnSync(process.execPath, [tsc, '--strict', '--skipLibCheck', '--noEmit', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', ...files],
      { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    return { ok: run.status === 0, output, errors: run.stdout + run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('typescript-operations, as it comes: the operations\' types compile under --strict, and so does a module reading them', { timeout: 60_000 }, async () => {
  const { ok, output, errors } = await compiles('typescriptOperations', {}, USE);
  assert.ok(ok, errors);
  for (const name of ['PortalQuery', 'WalkQuery', 'WalkQueryVariables', 'MarketplaceQuery', 'MarketplaceQueryVariables', 'IntegrationCategory']) {
    assert.match(output, new RegExp(`\\b${name}\\b`), `no ${name} in the output`);
  }
});

// The module above is checked, not only written: read without its guard,
// a space the schema makes nullable does not compile.
test('a module reading the walk\'s nullable space without a guard does not compile', { timeout: 60_000 }, async () => {
  const careless = USE.replace('if (si.space) titles.push', 'titles.push');
  assert.notEqual(careless, USE, 'the guard is no longer in the module: update this test');
  const { ok, errors } = await compiles('typescriptOperations', {}, careless);
  assert.ok(!ok, 'an unguarded nullable space compiled under --strict');
  assert.match(errors, /use\.ts.*TS18047/);
});

test('typescript, with the README configuration: every schema type compiles under --strict', { timeout: 60_000 }, async () => {
  const { ok, output, errors } = await compiles('typescript', readmeConfig());
  assert.ok(ok, errors);
  assert.doesNotMatch(output, /_Entity|_Any|_Service|federation__/, 'federation internals in the generated types');
});

test('typescript, as it comes, does not: why the README gives a configuration', { timeout: 60_000 }, async () => {
  const { ok, errors } = await compiles('typescript', {});
  assert.ok(!ok, 'the defaults compile now: the README need not give a configuration');
  assert.match(errors, /TS2452/);
});

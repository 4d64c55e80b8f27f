// GraphQL Code Generator over schema/client.graphql: what it generates
// compiles under `tsc --strict`, for a space's page and for the walk from a
// token (viewer, organizations, their spaces and installations, the spaces
// an installation is enabled on, the marketplace by category, one
// installation by its integration and id), and a program that walks the
// generated types down to an installation's space compiles with them. The
// typescript-operations plugin (since its version 6 it writes the schema
// types an operation needs itself) needs no configuration. The typescript plugin, which writes every schema type,
// does with its defaults not: enum values such as BillingCreditsBundle's
// _135001500 become TypeScript enum members with numeric names (TS2452);
// with the configuration the README gives, it does.

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
`);
// The walk from a token, with every new connection and the marketplace's
// enum argument as a variable.
const walk = parse(`
  query Walk($first: Int, $category: IntegrationCategory, $integration: String!, $installation: ID!) {
    viewer { id displayName email photoURL urls { location } }
    organizations(first: $first) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id title
        spaces(first: $first) { totalCount edges { cursor node { id title visibility organization { id } } } }
        installations(first: $first) {
          totalCount
          nodes {
            key id status space_selection spaces createdAt configuration target { organization }
            organization { id }
            integration { id name title categories }
            spaceInstallations(first: $first) {
              totalCount
              nodes { installation status space { id title visibility } integration { name } }
            }
          }
        }
      }
    }
    marketplace: integrations(category: $category, first: $first) {
      totalCount
      nodes { id name title categories installations(first: 1) { totalCount nodes { key } } }
    }
    installation(integration: $integration, id: $installation) { key id status integration { name } }
  }
`);

// What an app writes with the generated types: the walk's answer down to an
// installation's space, and the variables with an enum value. It compiles
// only if every name and path is there and nullable things are nullable
// where the schema says (`space` and `installation` are).
const WALK_USE = `
import type { WalkQuery, WalkQueryVariables } from './graphql';

export const variables: WalkQueryVariables = { first: 5, category: 'visitor_auth', integration: 'slack', installation: 'inst-acme-slack' };

export function spacesWithInstallations(data: WalkQuery): string[] {
  const out: string[] = [data.viewer?.displayName ?? ''];
  for (const org of data.organizations.nodes) {
    for (const edge of org.spaces.edges) out.push(\`\${org.id}/\${edge.node.id}\`);
    for (const inst of org.installations.nodes) {
      const key: string = inst.key;
      const count: number | null | undefined = inst.spaceInstallations.totalCount;
      for (const si of inst.spaceInstallations.nodes) out.push(\`\${key} \${count} \${si.space?.title ?? ''}\`);
    }
  }
  for (const integration of data.marketplace.nodes) out.push(integration.name);
  out.push(data.installation?.key ?? 'none');
  return out;
}
`;

// The README's codegen configuration: its first ```json block after the
// "GraphQL Code Generator" heading.
function readmeConfig() {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### GraphQL Code Generator'));
  return JSON.parse(/```json\n([\s\S]*?)```/.exec(section)[1]);
}

const plugins = { typescript, typescriptOperations };

// compiles generates graphql.ts with one plugin and compiles it, with the
// files of uses beside it, under --strict.
async function compiles(plugin, config, uses = {}) {
  const output = await codegen({
    schema,
    documents: [{ document: operation }, { document: walk }],
    filename: 'graphql.ts',
    plugins: [{ [plugin]: {} }],
    pluginMap: { [plugin]: plugins[plugin] },
    config,
  });
  const dir = mkdtempSync(join(tmpdir(), 'codegen-'));
  try {
    writeFileSync(join(dir, 'graphql.ts'), output);
    for (const [name, text] of Object.entries(uses)) writeFileSync(join(dir, name), text);
    const tsc = new URL('./node_modules/typescript/bin/tsc', import.meta.url).pathname;
    // From the file's own folder, so that no @types of this suite's packages
    // come in.
    const run = spawnSync(process.execPath, [tsc, '--strict', '--noEmit', '--target', 'es2022', 'graphql.ts', ...Object.keys(uses)],
      { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    return { ok: run.status === 0, output, errors: run.stdout + run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('typescript-operations, as it comes: the operations\' types compile under --strict', { timeout: 60_000 }, async () => {
  const { ok, output, errors } = await compiles('typescriptOperations', {});
  assert.ok(ok, errors);
  assert.match(output, /PortalQuery/);
  assert.match(output, /WalkQuery/);
});

test('typescript-operations, as it comes: a program walking the walk\'s types compiles under --strict', { timeout: 60_000 }, async () => {
  const { ok, errors } = await compiles('typescriptOperations', {}, { 'use.ts': WALK_USE });
  assert.ok(ok, errors);
});

test('the program is checked: one that reads a nullable space without a check does not compile', { timeout: 60_000 }, async () => {
  const careless = WALK_USE.replace("si.space?.title ?? ''", 'si.space.title');
  assert.notEqual(careless, WALK_USE);
  const { ok, errors } = await compiles('typescriptOperations', {}, { 'use.ts': careless });
  assert.ok(!ok, 'a null space passed tsc --strict');
  assert.match(errors, /TS18047|TS2531/);
});

test('typescript-operations, with the README configuration: the walk and a program over it compile', { timeout: 60_000 }, async () => {
  const { ok, errors } = await compiles('typescriptOperations', readmeConfig(), { 'use.ts': WALK_USE });
  assert.ok(ok, errors);
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

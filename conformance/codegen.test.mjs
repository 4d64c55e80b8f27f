// GraphQL Code Generator over schema/client.graphql: what it generates
// compiles under `tsc --strict`. The typescript-operations plugin (since its
// version 6 it writes the schema types an operation needs itself) needs no
// configuration. The typescript plugin, which writes every schema type,
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

// The README's codegen configuration: its first ```json block after the
// "GraphQL Code Generator" heading.
function readmeConfig() {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### GraphQL Code Generator'));
  return JSON.parse(/```json\n([\s\S]*?)```/.exec(section)[1]);
}

const plugins = { typescript, typescriptOperations };

async function compiles(plugin, config) {
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
    const tsc = new URL('./node_modules/typescript/bin/tsc', import.meta.url).pathname;
    // From the file's own folder, so that no @types of this suite's packages
    // come in.
    const run = spawnSync(process.execPath, [tsc, '--strict', '--noEmit', '--target', 'es2022', 'graphql.ts'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    return { ok: run.status === 0, output, errors: run.stdout + run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('typescript-operations, as it comes: the operation\'s types compile under --strict', { timeout: 60_000 }, async () => {
  const { ok, output, errors } = await compiles('typescriptOperations', {});
  assert.ok(ok, errors);
  assert.match(output, /PortalQuery/);
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

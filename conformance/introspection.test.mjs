// The schema, as introspection gives it, builds in the clients that read
// it: graphql-js (what GraphiQL, Apollo's tooling and GraphQL Code
// Generator use) and graphql-core 3 (what Python's gql uses), which once
// refused it for a directive location the GraphQL spec lacks.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { buildClientSchema, buildSchema, getIntrospectionQuery, printSchema } from 'graphql';

import { HOOK_TIMEOUT_MS, postGraphQL, startStack } from './lib/servers.mjs';

let stack;
let introspection;
before(async () => {
  stack = await startStack();
  const answer = await postGraphQL(stack.graphqlURL, getIntrospectionQuery({ descriptions: true, specifiedByUrl: true }));
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  introspection = answer.data;
}, { timeout: HOOK_TIMEOUT_MS });
after(async () => stack?.stop());

test('graphql-js builds the schema from introspection', () => {
  const schema = buildClientSchema(introspection);
  assert.ok(schema.getType('Space'), 'no Space type');
  assert.match(printSchema(schema), /type Integration/);
  // The walk from a token, and an installation by its key.
  const query = schema.getQueryType().getFields();
  for (const field of ['viewer', 'organizations', 'integrations', 'installation', 'fetch__IntegrationInstallation']) {
    assert.ok(query[field], `no Query.${field}`);
  }
  assert.equal(String(schema.getType('IntegrationInstallation').getFields().key.type), 'ID!');
});

// schema/client.graphql, for tools that read a file, is the schema that
// introspection serves, less the federation runtime's own types.
test('the committed client SDL builds, and is what introspection serves', () => {
  const file = buildSchema(readFileSync(new URL('../schema/client.graphql', import.meta.url), 'utf8'));
  const served = buildClientSchema(introspection);
  // gqlgen's federation runtime adds these: the spec's own, and the types of its
  // entity resolvers (Entity, the *By...Input of each key).
  const federation = new Set(['_Any', '_Entity', '_Service', 'FieldSet', 'federation__Scope', 'federation__Policy',
    'Entity', 'IntegrationByNamesInput', 'IntegrationInstallationByKeysInput', 'OrganizationByIDsInput', 'SpaceByIDsInput']);
  const names = (schema) => Object.keys(schema.getTypeMap()).filter((n) => !n.startsWith('__') && !federation.has(n)).sort();
  assert.deepEqual(names(file), names(served));
  assert.deepEqual(Object.keys(file.getQueryType().getFields()).sort(),
    Object.keys(served.getQueryType().getFields()).filter((f) => !f.startsWith('_')).sort());
});

// graphql-core comes with the machine (PyPI is not reachable to install
// it); where it is missing the test says so and is skipped.
const python = spawnSync('python3', ['-c', 'import graphql, sys; sys.exit(0 if graphql.__version__.startswith("3.") else 1)']);
test('graphql-core 3 (Python) builds the schema from introspection', { skip: python.status !== 0 && 'graphql-core 3 is not installed for python3' }, () => {
  const script = [
    'import json, sys',
    'from graphql import build_client_schema',
    'schema = build_client_schema(json.load(sys.stdin))',
    'print(len(schema.type_map), "Space" in schema.type_map and "IntegrationInstallation" in schema.type_map)',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(introspection), encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^\d+ True$/m);
});

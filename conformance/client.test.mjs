// A standard client library talks to the facade directly: @urql/core, the
// framework-independent core of urql (one of the two most used GraphQL
// clients for JavaScript; Apollo Client being the other, which would be a
// second Apollo implementation next to the gateway, and needs React for its
// main entry point). Queries with variables over POST and GET, partial
// data with a per-field error, bad input, and a mutation and its effect.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Client, fetchExchange, gql } from '@urql/core';

import { HOOK_TIMEOUT_MS, READER_TOKEN, REQUEST_TIMEOUT_MS, startStack } from './lib/servers.mjs';
import { integrations, organizations, spaceIntegrations, spaces } from './lib/demo.mjs';

// Every request the client sends, as the server saw it, to check the
// method (the client chooses it) and the credentials.
const sent = [];
async function recordingFetch(input, init = {}) {
  sent.push({ method: init.method ?? 'GET', url: String(input), headers: Object.fromEntries(new Headers(init.headers)) });
  return fetch(input, { ...init, signal: init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

// Only fetchExchange: no document cache, so every call reaches the facade
// and the follow-up reads after a mutation are real reads. urql 6 sends
// short queries as GET by default; POST is the default here, and GET is
// asked for where it is tested.
function newClient(url, options = {}) {
  return new Client({ url, exchanges: [fetchExchange], fetch: recordingFetch, requestPolicy: 'network-only', preferGetMethod: false, ...options });
}

const SPACE = gql`
  query Space($id: ID!, $first: Int) {
    space(id: $id) {
      id
      title
      visibility
      organization { id title }
      integrations(first: $first) { totalCount nodes { name title } }
    }
  }
`;

const SPACE_INTEGRATIONS = gql`
  query SpaceIntegrations($id: ID!) {
    space(id: $id) { id integrations { totalCount nodes { name } } }
  }
`;

function expectedSpace(id, first) {
  const names = spaceIntegrations(id);
  return {
    id,
    title: spaces[id].title,
    visibility: spaces[id].visibility,
    organization: { id: spaces[id].organization, title: organizations[spaces[id].organization].title },
    integrations: { totalCount: names.length, nodes: names.slice(0, first).map((name) => ({ name, title: integrations[name] })) },
  };
}

function only(error) {
  assert.ok(error, 'expected an error');
  assert.equal(error.networkError, undefined, `network error: ${error.networkError}`);
  assert.equal(error.graphQLErrors.length, 1, JSON.stringify(error.graphQLErrors));
  return error.graphQLErrors[0];
}

describe('@urql/core against the facade', () => {
  let stack;
  let client;

  before(async () => {
    stack = await startStack();
    client = newClient(stack.graphqlURL);
  }, { timeout: HOOK_TIMEOUT_MS });

  after(async () => {
    await stack?.stop();
  }, { timeout: HOOK_TIMEOUT_MS });

  test('a query with variables, over POST', async () => {
    sent.length = 0;
    const result = await client.query(SPACE, { id: 'acme-developer-portal', first: 4 }).toPromise();
    assert.equal(result.error, undefined, result.error?.message);
    assert.deepEqual(result.data.space, expectedSpace('acme-developer-portal', 4));
    assert.deepEqual(sent.map((r) => r.method), ['POST']);
  });

  test('the same query over GET', async () => {
    const getClient = newClient(stack.graphqlURL, { preferGetMethod: 'force' });
    sent.length = 0;
    const result = await getClient.query(SPACE, { id: 'oss-getting-started', first: 2 }).toPromise();
    assert.equal(result.error, undefined, result.error?.message);
    assert.deepEqual(result.data.space, expectedSpace('oss-getting-started', 2));
    assert.equal(sent.length, 1);
    assert.equal(sent[0].method, 'GET');
    const params = new URL(sent[0].url).searchParams;
    assert.match(params.get('query'), /query Space\(\$id: ID!/);
    assert.deepEqual(JSON.parse(params.get('variables')), { id: 'oss-getting-started', first: 2 });
  });

  test('one field fails, its sibling answers: partial data and a NOT_FOUND at its path', async () => {
    const result = await client.query(gql`
      query Partial {
        space(id: "no-such-space") { id title }
        organization(id: "acme") { id title }
      }
    `, {}).toPromise();
    assert.deepEqual(result.data, { space: null, organization: { id: 'acme', title: 'Acme Inc.' } });
    const err = only(result.error);
    assert.equal(err.extensions.code, 'NOT_FOUND');
    assert.deepEqual(err.path, ['space']);
    assert.doesNotMatch(err.message, /https?:\/\/|gb_demo/, 'the message must hold no URL or token');
  });

  test('an id the spec refuses is BAD_USER_INPUT, before any upstream call', async () => {
    await stack.simReset();
    const result = await client.query(SPACE, { id: 'not a valid id!', first: 1 }).toPromise();
    assert.deepEqual(result.data, { space: null });
    const err = only(result.error);
    assert.equal(err.extensions.code, 'BAD_USER_INPUT');
    assert.deepEqual(err.path, ['space']);
    assert.deepEqual(await stack.simCalls(), []);
  });

  test('first outside 0–1000 is BAD_USER_INPUT at the connection', async () => {
    const result = await client.query(SPACE, { id: 'acme-handbook', first: 5000 }).toPromise();
    const err = only(result.error);
    assert.equal(err.extensions.code, 'BAD_USER_INPUT');
    assert.deepEqual(err.path, ['space', 'integrations']);
    // integrations is non-null, so its space is null.
    assert.deepEqual(result.data, { space: null });
  });

  test('a variable of the wrong type is a request error the client surfaces', async () => {
    const result = await client.query(SPACE, { id: 'acme-handbook', first: 'three' }).toPromise();
    assert.equal(result.data, undefined);
    const err = only(result.error);
    assert.equal(err.extensions.code, 'GRAPHQL_VALIDATION_FAILED', JSON.stringify(err));
  });

  test('credentials are the caller\'s: a reader sees Acme and not Northwind', async () => {
    const reader = newClient(stack.graphqlURL, { fetchOptions: { headers: { authorization: `Bearer ${READER_TOKEN}` } } });
    await stack.simReset();
    const result = await reader.query(gql`
      query { acme: organization(id: "acme") { title } northwind: organization(id: "northwind") { title } }
    `, {}).toPromise();
    assert.deepEqual(result.data, { acme: { title: 'Acme Inc.' }, northwind: null });
    assert.equal(only(result.error).extensions.code, 'NOT_FOUND');
    const calls = await stack.simCalls();
    assert.equal(calls.length, 2);
    for (const c of calls) assert.equal(c.Authorization, `Bearer ${READER_TOKEN}`);
  });

  test('a mutation, then a read that shows it, then its undoing', async () => {
    const vars = { integration: 'codesandbox', installation: 'inst-acme-codesandbox', space: 'acme-handbook' };
    const before = spaceIntegrations('acme-handbook');
    assert.ok(!before.includes('codesandbox'));
    const withIt = [...before, 'codesandbox'].sort();

    let read = await client.query(SPACE_INTEGRATIONS, { id: 'acme-handbook' }).toPromise();
    assert.equal(read.error, undefined, read.error?.message);
    assert.deepEqual(read.data.space.integrations.nodes.map((n) => n.name), before);

    await stack.simReset();
    sent.length = 0;
    const installed = await client.mutation(gql`
      mutation Install($integration: String!, $installation: ID!, $space: ID!) {
        installIntegrationOnSpace(integration: $integration, installation: $installation, space: $space) {
          installation
          status
          integration { name title }
          space { id title }
        }
      }
    `, vars).toPromise();
    assert.equal(installed.error, undefined, installed.error?.message);
    assert.deepEqual(installed.data.installIntegrationOnSpace, {
      installation: 'inst-acme-codesandbox',
      status: 'active',
      integration: { name: 'codesandbox', title: 'CodeSandbox' },
      space: { id: 'acme-handbook', title: 'Employee Handbook' },
    });
    assert.deepEqual(sent.map((r) => r.method), ['POST']);
    const installs = (await stack.simCalls()).filter((c) => c.Op === 'installIntegrationOnSpace');
    assert.deepEqual(installs.map((c) => `${c.Method} ${c.Path} ${c.Status}`),
      ['POST /v1/integrations/codesandbox/installations/inst-acme-codesandbox/spaces 201']);

    read = await client.query(SPACE_INTEGRATIONS, { id: 'acme-handbook' }).toPromise();
    assert.equal(read.error, undefined, read.error?.message);
    assert.deepEqual(read.data.space.integrations, { totalCount: withIt.length, nodes: withIt.map((name) => ({ name })) });

    await stack.simReset();
    const uninstalled = await client.mutation(gql`
      mutation Uninstall($integration: String!, $installation: ID!, $space: ID!) {
        uninstallIntegrationFromSpace(integration: $integration, installation: $installation, space: $space) {
          installation
          integration { name }
          space { id integrations { nodes { name } } }
        }
      }
    `, vars).toPromise();
    assert.equal(uninstalled.error, undefined, uninstalled.error?.message);
    assert.deepEqual(uninstalled.data.uninstallIntegrationFromSpace, {
      installation: 'inst-acme-codesandbox',
      integration: { name: 'codesandbox' },
      space: { id: 'acme-handbook', integrations: { nodes: before.map((name) => ({ name })) } },
    });
    const deletes = (await stack.simCalls()).filter((c) => c.Op === 'uninstallIntegrationFromSpace');
    assert.deepEqual(deletes.map((c) => `${c.Method} ${c.Path} ${c.Status}`),
      ['DELETE /v1/integrations/codesandbox/installations/inst-acme-codesandbox/spaces/acme-handbook 204']);

    read = await client.query(SPACE_INTEGRATIONS, { id: 'acme-handbook' }).toPromise();
    assert.deepEqual(read.data.space.integrations.nodes.map((n) => n.name), before);
  });

  test('a mutation refused upstream is an error with the upstream\'s code', async () => {
    // The installation belongs to Acme; the space to the collective.
    const result = await client.mutation(gql`
      mutation { installIntegrationOnSpace(integration: "codesandbox", installation: "inst-acme-codesandbox", space: "oss-governance") { installation } }
    `, {}).toPromise();
    assert.equal(result.data, null);
    const err = only(result.error);
    assert.equal(err.extensions.code, 'BAD_USER_INPUT');
    assert.equal(err.extensions.upstreamStatus, 400);
    assert.deepEqual(err.path, ['installIntegrationOnSpace']);
  });
});

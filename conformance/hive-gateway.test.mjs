// Hive Gateway: the facade's SDL, as it serves it from _service, composed
// with the reading subgraph (lib/reading.mjs) by @apollo/composition and
// served by The Guild's gateway runtime (@graphql-hive/gateway-runtime, in
// this process through its fetch handler; the subgraphs are real servers on
// loopback), with its demand control on: maxCost is the facade's
// -max-upstream-calls, since the facade's SDL prices fields in upstream
// calls (@cost/@listSize). The caller's Authorization goes through to the
// facade. For each operation, the gateway's estimate (extensions.cost) is
// set beside the calls the facade made (its extensions.upstream, asked with
// X-Upstream-Debug, and the simulated GitBook's record): the estimate must
// never be below them, and what the facade would refuse for cost the
// gateway refuses before sending it anything. The table of estimates is
// printed and written to results/hive-gateway.md.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

import { composeServices } from '@apollo/composition';
import { createGatewayRuntime, useCustomFetch } from '@graphql-hive/gateway-runtime';
import http from '@graphql-mesh/transport-http';
import { parse } from 'graphql';

import { DEMO_TOKEN, HOOK_TIMEOUT_MS, READER_TOKEN, REQUEST_TIMEOUT_MS, postGraphQL, startStack } from './lib/servers.mjs';
import { READING_SDL, RECOMMENDED, TO_REVIEW, readingList, reviewer, startReading } from './lib/reading.mjs';
import {
  integrations, organizationInstallations, organizations, reader, readerOrganizations, spaceIntegrations, spaces,
  viewer, viewerOrganizations,
} from './lib/demo.mjs';

// The facade's -max-upstream-calls (its default), and so the gateway's
// maxCost: one unit of cost is one upstream call.
const MAX_CALLS = 200;
const DEBUG_HEADER = 'x-upstream-debug';
const RESULTS_DIR = new URL('./results/', import.meta.url);
const RESULTS_FILE = new URL('hive-gateway.md', RESULTS_DIR);

// ---- the operations --------------------------------------------------

// The README's "Try it": its first example is the first GraphQL document
// it gives to send; the curl line before it (a walk from the token) is
// measured too. Both are read from the README, so the test follows it.
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const TRY_IT = README.slice(README.indexOf('## Try it'));
const README_EXAMPLE = /```graphql\n([\s\S]*?)```/.exec(TRY_IT)?.[1];
const README_CURL = JSON.parse(/-d '(\{"query":.*?\})'/.exec(TRY_IT)?.[1] ?? 'null')?.query;

// Thirty ids: the demo's ten spaces, three times each.
const THIRTY = Array.from({ length: 30 }, (_, i) => Object.keys(spaces)[i % 10]);

// Six organizations of fifty spaces, each with all its integrations: the
// facade prices it far over MAX_CALLS and refuses it.
const WALK_TOO_WIDE = '{ organizations(first: 6) { nodes { spaces(first: 50) { nodes { integrations { nodes { name } } } } } } }';

function spacesOf(org) {
  return Object.keys(spaces).filter((id) => spaces[id].organization === org);
}

// ---- helpers ----------------------------------------------------------

function codes(answer) {
  return (answer.errors ?? []).map((e) => e.extensions?.code);
}

// The facade's counters of the requests it answered (GraphQL or refused
// before it): the gateway's own record of what it sent aside, the facade
// says whether anything reached it.
async function facadeRequests(facadeURL) {
  const res = await fetch(`${facadeURL}/metrics`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  assert.equal(res.status, 200);
  let n = 0;
  for (const line of (await res.text()).split('\n')) {
    const m = /^graphql_requests(?:_refused)?_total(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (m) n += Number(m[1]);
  }
  return n;
}

// ---- the suite --------------------------------------------------------

describe('Hive Gateway: the facade behind Hive Gateway\'s runtime, with its demand control', () => {
  let stack;
  let pricer;
  let reading;
  let gateway;
  // Every request the gateway sent to a subgraph, with its answer.
  const sent = [];
  // One row per operation measured, for the table.
  const rows = [];

  before(async () => {
    // No server token: a caller without Authorization gets what the facade
    // answers anyone without one, and one with a token is served as itself.
    stack = await startStack({ facadeArgs: ['-max-upstream-calls', String(MAX_CALLS)], facadeEnv: { GITBOOK_TOKEN: '' } });
    // A second facade, allowed one call, says in its refusal what the
    // facade estimates an operation at ("may need about N upstream calls"):
    // the table sets it beside the gateway's.
    pricer = await startStack({ facadeArgs: ['-max-upstream-calls', '1'], facadeEnv: { GITBOOK_TOKEN: '' } });
    reading = await startReading();

    const sdlAnswer = await postGraphQL(stack.graphqlURL, '{ _service { sdl } }');
    assert.equal(sdlAnswer.errors, undefined, JSON.stringify(sdlAnswer.errors));
    const composition = composeServices([
      { name: 'gitbook', typeDefs: parse(sdlAnswer.data._service.sdl), url: stack.graphqlURL },
      { name: 'reading', typeDefs: parse(READING_SDL), url: reading.url },
    ]);
    if (composition.errors) {
      throw new Error(`composition failed:\n${composition.errors.map((e) => `  ${e.extensions?.code ?? ''} ${e.message}`).join('\n')}`);
    }

    gateway = createGatewayRuntime({
      supergraph: composition.supergraphSdl,
      // The HTTP transport, given rather than imported by the runtime by
      // name at the first request.
      transports: { http },
      logging: 'warn',
      // The operator's configuration: maxCost in upstream calls, the rest
      // Hive's defaults (its listSize of 0 leaves every list to @listSize).
      demandControl: { maxCost: MAX_CALLS, includeExtensionMetadata: true },
      // The caller's credentials go to the facade, and to no other
      // subgraph; X-Upstream-Debug too, so the facade reports its calls.
      propagateHeaders: {
        fromClientToSubgraphs({ request, subgraphName }) {
          if (subgraphName !== 'gitbook') return {};
          const headers = {};
          for (const name of ['authorization', DEBUG_HEADER]) {
            const value = request.headers.get(name);
            if (value !== null) headers[name] = value;
          }
          return headers;
        },
      },
      plugins: () => [useCustomFetch(async (url, init = {}) => {
        const res = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const text = await res.clone().text();
        let answer;
        try {
          answer = JSON.parse(text);
        } catch {
          answer = text;
        }
        sent.push({ url: String(url), headers: Object.fromEntries(new Headers(init.headers)), body: JSON.parse(init.body), status: res.status, answer });
        return res;
      })],
    });
  }, { timeout: HOOK_TIMEOUT_MS });

  after(async () => {
    if (rows.length) {
      const table = [
        '| operation | Hive\'s estimate | facade\'s calls (X-Upstream-Debug) | simulator\'s record | requests to the facade | facade\'s own estimate | estimate ÷ calls |',
        '|---|---|---|---|---|---|---|',
        ...rows.map((r) => `| ${r.name} | ${r.estimated ?? '—'} | ${r.calls} | ${r.simCalls} | ${r.requests} | ${r.facadePrice} | ${r.calls ? (r.estimated / r.calls).toFixed(1) : '—'} |`),
      ].join('\n');
      mkdirSync(RESULTS_DIR, { recursive: true });
      writeFileSync(RESULTS_FILE, `# Hive Gateway's estimates against the facade's calls\n\nmaxCost = -max-upstream-calls = ${MAX_CALLS}\n\n${table}\n`);
      console.log(`\nHive Gateway (maxCost ${MAX_CALLS}): estimate against upstream calls\n\n${table}\n\nwritten to ${RESULTS_FILE.pathname}`);
    }
    await gateway?.dispose();
    await reading?.server.stop();
    await pricer?.stop();
    await stack?.stop();
  }, { timeout: HOOK_TIMEOUT_MS });

  // ask sends one request to the gateway and returns its answer with what
  // it cost: the gateway's estimate, the facade's own count of its calls,
  // the simulator's record, and the requests that reached the facade.
  async function ask(query, { token = DEMO_TOKEN, variables } = {}) {
    await stack.simReset();
    sent.length = 0;
    const before = await facadeRequests(stack.facadeURL);
    const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json', [DEBUG_HEADER]: '1' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await gateway.fetch('http://127.0.0.1/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const text = await res.text();
    let answer;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new Error(`gateway: ${res.status}, not JSON: ${text.slice(0, 500)}`);
    }
    const toFacade = sent.filter((s) => s.url === stack.graphqlURL);
    const reported = toFacade.map((s) => s.answer?.extensions?.upstream?.calls);
    assert.ok(reported.every(Number.isInteger), `a facade answer without extensions.upstream: ${JSON.stringify(toFacade.map((s) => s.answer))}`);
    return {
      status: res.status,
      answer,
      estimated: answer.extensions?.cost?.estimated,
      calls: reported.reduce((a, b) => a + b, 0),
      simCalls: await stack.simCalls(),
      toFacade,
      toAny: [...sent],
      requests: (await facadeRequests(stack.facadeURL)) - before,
    };
  }

  // price is the facade's own estimate of the requests the gateway sent it.
  async function price(toFacade) {
    let total = 0;
    for (const { body } of toFacade) {
      const answer = await postGraphQL(pricer.graphqlURL, body.query, body.variables);
      const m = /may need about (\d+) upstream calls/.exec(answer.errors?.[0]?.message ?? '');
      total += m ? Number(m[1]) : 1; // answered: it needed at most the one call allowed
    }
    return total;
  }

  // measure runs query through the gateway, checks that the facade's
  // report of its calls agrees with the simulator's record and that the
  // estimate is not below them, and adds a row to the table.
  async function measure(name, query, options) {
    const r = await ask(query, options);
    assert.equal(r.calls, r.simCalls.length, `the facade reported ${r.calls} calls, the simulator saw ${r.simCalls.length}`);
    rows.push({ name, estimated: r.estimated, calls: r.calls, simCalls: r.simCalls.length, requests: r.toFacade.length, facadePrice: await price(r.toFacade) });
    assert.ok(Number.isInteger(r.estimated), `no extensions.cost.estimated: ${JSON.stringify(r.answer.extensions)}`);
    assert.equal(r.answer.extensions.cost.max, MAX_CALLS);
    return r;
  }

  function assertNotBelow(r) {
    assert.ok(r.estimated >= r.calls, `Hive estimated ${r.estimated}, below the ${r.calls} calls the facade made:\n${r.simCalls.map((c) => `  ${c.Op} ${c.Path}`).join('\n')}`);
  }

  // ---- credentials --------------------------------------------------

  const WHO = `{
    viewer { id displayName }
    organizations { nodes { id title } }
    acme: organization(id: "acme") { title }
    northwind: organization(id: "northwind") { title }
  }`;

  test('the caller\'s token reaches the facade: the admin and the reader each see their own', async () => {
    for (const [token, who, orgs] of [[DEMO_TOKEN, viewer, viewerOrganizations], [READER_TOKEN, reader, readerOrganizations]]) {
      const r = await ask(WHO, { token });
      assert.deepEqual(r.answer.data, {
        viewer: { id: who.id, displayName: who.displayName },
        organizations: { nodes: orgs.map((id) => ({ id, title: organizations[id].title })) },
        acme: { title: organizations.acme.title },
        northwind: orgs.includes('northwind') ? { title: organizations.northwind.title } : null,
      }, JSON.stringify(r.answer, null, 2));
      assert.deepEqual(codes(r.answer), orgs.includes('northwind') ? [] : ['NOT_FOUND'], JSON.stringify(r.answer.errors));
      // The facade got the caller's header and sent it upstream; the
      // reading subgraph got none.
      assert.equal(r.toFacade.length, 1);
      assert.equal(r.toFacade[0].headers.authorization, `Bearer ${token}`);
      assert.ok(r.simCalls.length > 0);
      for (const c of r.simCalls) assert.equal(c.Authorization, `Bearer ${token}`, `${c.Op} ${c.Path}`);
    }
    const r = await ask('{ recommendedSpaces { id readingList { label } title } }', { token: READER_TOKEN });
    const toReading = r.toAny.filter((s) => s.url !== stack.graphqlURL);
    assert.equal(toReading.length, 1);
    assert.equal(toReading[0].headers.authorization, undefined);
  });

  test('without a token, the gateway answers what the facade answers without one', async () => {
    await stack.simReset();
    const direct = await postGraphQL(stack.graphqlURL, WHO);
    const directCalls = await stack.simCalls();
    assert.ok(codes(direct).length > 0 && codes(direct).every((c) => c === 'UNAUTHENTICATED'), JSON.stringify(direct.errors));

    const r = await ask(WHO, { token: null });
    assert.deepEqual(r.answer.data, direct.data, JSON.stringify(r.answer, null, 2));
    const byPath = (errors) => Object.fromEntries((errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code]));
    assert.deepEqual(byPath(r.answer.errors), byPath(direct.errors));
    assert.equal(r.toFacade[0].headers.authorization, undefined);
    assert.equal(r.simCalls.length, directCalls.length);
    for (const c of r.simCalls) assert.equal(c.Authorization ?? '', '', `${c.Op} ${c.Path}`);
  });

  // ---- estimates against calls ------------------------------------

  test('one space', async () => {
    const r = await measure('one space', '{ space(id: "acme-handbook") { title visibility } }');
    assert.deepEqual(r.answer.data, { space: { title: spaces['acme-handbook'].title, visibility: spaces['acme-handbook'].visibility } });
    assertNotBelow(r);
  });

  test('the README\'s first example: not below the facade\'s calls, and within 3× of them', async () => {
    assert.match(README_EXAMPLE ?? '', /space\(id: "acme-developer-portal"\)/, 'the README\'s first example moved: update this test');
    const r = await measure('README, first example (`space(id: "acme-developer-portal")`)', README_EXAMPLE);
    assert.equal(r.answer.errors, undefined, JSON.stringify(r.answer.errors));
    const { space } = r.answer.data;
    assert.equal(space.title, spaces['acme-developer-portal'].title);
    assert.equal(space.organization.title, organizations.acme.title);
    assert.equal(space.integrations.totalCount, spaceIntegrations('acme-developer-portal').length);
    assert.deepEqual(space.integrations.nodes.map((n) => [n.name, n.title]),
      spaceIntegrations('acme-developer-portal').slice(0, 5).map((name) => [name, integrations[name]]));
    for (const b of space.integrationBlocks) assert.equal(b.integration.title, integrations[b.name]);
    assertNotBelow(r);
    assert.ok(r.estimated <= 3 * r.calls, `Hive estimated ${r.estimated}, more than 3× the ${r.calls} calls the facade made`);
  });

  test('the README\'s curl line: a walk from the token', async () => {
    assert.match(README_CURL ?? '', /viewer/, 'the README\'s curl line moved: update this test');
    const r = await measure('README, curl line (a walk from the token)', README_CURL);
    assert.equal(r.answer.errors, undefined, JSON.stringify(r.answer.errors));
    assert.equal(r.answer.data.viewer.displayName, viewer.displayName);
    assert.deepEqual(r.answer.data.organizations.nodes, viewerOrganizations.map((id) => ({
      title: organizations[id].title, installations: { totalCount: organizationInstallations(id).length },
    })));
    assertNotBelow(r);
  });

  test('thirty spaces', async () => {
    const r = await measure('thirty spaces (`spaces(ids:)`, 10 ids ×3)', `query ($ids: [ID!]!) {
      spaces(ids: $ids) { title organization { title } integrations(first: 5) { totalCount nodes { name } } }
    }`, { variables: { ids: THIRTY } });
    assert.equal(r.answer.errors, undefined, JSON.stringify(r.answer.errors));
    assert.deepEqual(r.answer.data.spaces, THIRTY.map((id) => ({
      title: spaces[id].title,
      organization: { title: organizations[spaces[id].organization].title },
      integrations: { totalCount: spaceIntegrations(id).length, nodes: spaceIntegrations(id).slice(0, 5).map((name) => ({ name })) },
    })));
    assertNotBelow(r);
  });

  // _entities: Hive prices an entity fetch once, whatever the number of
  // representations it carries (the field returns [_Entity]!, an object
  // of cost 1, and its `listSize` option never sizes a non-null list), and
  // the selection under it once: below the facade's calls, which are per
  // representation, and out of the SDL's reach (_entities is not in it).
  // These tests hold Hive to that formula, so the gap stays in view, and
  // the facade's own limit, which counts representations, is what bounds
  // an entity fetch behind Hive (the last of them).

  test('_entities: spaces the reading subgraph names, resolved by the facade, each fetch priced once', async () => {
    const r = await measure('`_entities`: 5 `Space` references from the reading subgraph (Hive: one fetch counts once)', `{
      recommendedSpaces { id title visibility integrations { totalCount } readingList { label } }
    }`);
    assert.deepEqual(r.answer.data?.recommendedSpaces, RECOMMENDED.map((id) => (spaces[id] ? {
      id,
      title: spaces[id].title,
      visibility: spaces[id].visibility,
      integrations: { totalCount: spaceIntegrations(id).length },
      readingList: { label: readingList(id).label },
    } : null)), JSON.stringify(r.answer, null, 2));
    assert.deepEqual(codes(r.answer), ['NOT_FOUND']);
    assert.equal(r.toFacade.length, 1);
    assert.match(r.toFacade[0].body.query, /_entities\(representations:/);
    // Hive sends each distinct reference once.
    assert.equal(r.toFacade[0].body.variables.representations.length, new Set(RECOMMENDED).size);
    // The reading subgraph: readingList's ReadingList, an object with no
    // @cost (1). The facade: the fetch (1) and Space.integrations' weight
    // (1), once for five representations.
    assert.equal(r.estimated, 1 + 1 + 1, `Hive's formula changed: ${r.estimated} for ${r.calls} calls`);
  });

  test('_entities: installations the reading subgraph names by key, resolved by the facade, each fetch priced once', async () => {
    const r = await measure('`_entities`: 6 `IntegrationInstallation` references by key (Hive: one fetch counts once)', `{
      installationsToReview { key status integration { name title } organization { id title } reviewer }
    }`);
    // The demo's ids: inst-<organization>-<integration>.
    const known = (key) => {
      const [name, id] = key.split('/');
      const org = Object.keys(organizations).find((o) => id === `inst-${o}-${name}`);
      return org && organizationInstallations(org).includes(name) ? { name, org } : undefined;
    };
    // Hive keeps an entity the facade did not find, with the reading
    // subgraph's fields and null for the facade's (Apollo Gateway makes
    // the whole entry null), and reports the error at each of the facade's
    // fields, without the entry's index in its path.
    assert.deepEqual(r.answer.data?.installationsToReview, TO_REVIEW.map((key) => {
      const k = known(key);
      return {
        key,
        status: k ? 'active' : null,
        integration: k ? { name: k.name, title: integrations[k.name] } : null,
        organization: k ? { id: k.org, title: organizations[k.org].title } : null,
        reviewer: reviewer(key),
      };
    }), JSON.stringify(r.answer, null, 2));
    assert.deepEqual([...new Set(codes(r.answer))].sort(), ['BAD_USER_INPUT', 'NOT_FOUND'], JSON.stringify(r.answer.errors));
    assert.equal(r.toFacade.length, 1);
    assert.equal(r.toFacade[0].body.variables.representations.length, new Set(TO_REVIEW).size);
    // The reading subgraph: nothing (IntegrationInstallation weighs 0).
    // The facade: the fetch (1) and IntegrationInstallation.organization's
    // weight (1), once for six representations.
    assert.equal(r.estimated, 0 + 1 + 1, `Hive's formula changed: ${r.estimated} for ${r.calls} calls`);
  });

  test('_entities: a fetch the facade prices over -max-upstream-calls passes Hive, and the facade refuses it before any call', async () => {
    // Per representation, as the facade prices it: the space, its
    // organization, its spaces (one page) and fifty spaces' integrations,
    // 53 calls; four distinct representations, 212.
    const query = `{
      recommendedSpaces { id organization { spaces(first: 50) { nodes { integrations(first: 5) { nodes { name } } } } } }
    }`;
    const r = await ask(query);
    rows.push({ name: '`_entities`: 4 distinct `Space` references, each with a walk of 53 calls (refused by the facade)', estimated: r.estimated, calls: r.calls, simCalls: r.simCalls.length, requests: r.toFacade.length, facadePrice: await price(r.toFacade) });
    // Hive: the fetch (1), organization (1), spaces (1), fifty times
    // integrations (1): 53, under maxCost, so the facade is asked.
    assert.equal(r.estimated, 1 + 1 + 1 + 50, `Hive's formula changed: ${r.estimated}`);
    assert.equal(r.toFacade.length, 1);
    assert.equal(r.toFacade[0].body.variables.representations.length, new Set(RECOMMENDED).size);
    assert.ok(codes(r.answer).length > 0 && codes(r.answer).every((c) => c === 'COMPLEXITY_LIMIT_EXCEEDED'), JSON.stringify(r.answer, null, 2));
    assert.equal(r.calls, 0);
    assert.deepEqual(r.simCalls, []);
  });

  test('a walk within budget: three organizations, five spaces each, five integrations each', async () => {
    const r = await measure('walk: `organizations(first: 3)` › `spaces(first: 5)` › `integrations(first: 5)`', `{
      organizations(first: 3) { nodes { id spaces(first: 5) { nodes { id integrations(first: 5) { nodes { name } } } } } }
    }`);
    assert.equal(r.answer.errors, undefined, JSON.stringify(r.answer.errors));
    assert.deepEqual(r.answer.data.organizations.nodes, viewerOrganizations.slice(0, 3).map((org) => ({
      id: org,
      spaces: { nodes: spacesOf(org).slice(0, 5).map((id) => ({ id, integrations: { nodes: spaceIntegrations(id).slice(0, 5).map((name) => ({ name })) } })) },
    })));
    assertNotBelow(r);
  });

  test('a mutation and its undoing', async () => {
    const vars = { integration: 'codesandbox', installation: 'inst-acme-codesandbox', space: 'acme-handbook' };
    assert.ok(!spaceIntegrations('acme-handbook').includes('codesandbox'));
    const install = await measure('mutation: `installIntegrationOnSpace`', `mutation ($integration: String!, $installation: ID!, $space: ID!) {
      installIntegrationOnSpace(integration: $integration, installation: $installation, space: $space) { installation integration { name } space { title } }
    }`, { variables: vars });
    assert.equal(install.answer.errors, undefined, JSON.stringify(install.answer.errors));
    assert.deepEqual(install.answer.data.installIntegrationOnSpace, {
      installation: vars.installation, integration: { name: 'codesandbox' }, space: { title: spaces['acme-handbook'].title },
    });
    assertNotBelow(install);
    const uninstall = await measure('mutation: `uninstallIntegrationFromSpace`', `mutation ($integration: String!, $installation: ID!, $space: ID!) {
      uninstallIntegrationFromSpace(integration: $integration, installation: $installation, space: $space) { integration { name } space { title } }
    }`, { variables: vars });
    assert.equal(uninstall.answer.errors, undefined, JSON.stringify(uninstall.answer.errors));
    assertNotBelow(uninstall);
  });

  // ---- refusals ------------------------------------------------------

  test('a walk the facade refuses for cost is refused by the gateway, and nothing reaches the facade', async () => {
    await stack.simReset();
    const direct = await postGraphQL(stack.graphqlURL, WALK_TOO_WIDE, undefined, { authorization: `Bearer ${DEMO_TOKEN}` });
    assert.deepEqual(codes(direct), ['COMPLEXITY_LIMIT_EXCEEDED'], JSON.stringify(direct));
    assert.deepEqual(await stack.simCalls(), []);

    const r = await ask(WALK_TOO_WIDE);
    rows.push({ name: 'walk too wide: `organizations(first: 6)` › `spaces(first: 50)` › `integrations` (refused)', estimated: r.answer.errors?.[0]?.extensions?.cost?.estimated, calls: r.calls, simCalls: r.simCalls.length, requests: r.toFacade.length, facadePrice: await price([{ body: { query: WALK_TOO_WIDE } }]) });
    assert.deepEqual(codes(r.answer), ['COST_ESTIMATED_TOO_EXPENSIVE'], JSON.stringify(r.answer, null, 2));
    const { cost } = r.answer.errors[0].extensions;
    assert.equal(cost.max, MAX_CALLS);
    assert.ok(cost.estimated > MAX_CALLS, JSON.stringify(cost));
    assert.deepEqual(r.toAny, [], 'the gateway sent a subgraph request');
    assert.equal(r.requests, 0, 'a request reached the facade');
    assert.deepEqual(r.simCalls, []);
  });

  test('a walk too wide written with a named fragment passes Hive, and the facade refuses it before any call', async () => {
    // Hive's estimate visits a fragment's definition apart from where it
    // is spread, without the lists above it, and the gateway sends the
    // fragment on as it is; the facade prices the spread where it stands.
    const query = `{ organizations(first: 6) { nodes { ...Wide } } }
      fragment Wide on Organization { spaces(first: 50) { nodes { integrations { nodes { name } } } } }`;
    const r = await ask(query);
    rows.push({ name: 'walk too wide, in a named fragment (refused by the facade)', estimated: r.estimated, calls: r.calls, simCalls: r.simCalls.length, requests: r.toFacade.length, facadePrice: await price([{ body: { query } }]) });
    // Hive: organizations (1), then the fragment alone: spaces (1) and
    // fifty times integrations (1); the six organizations above it are
    // not counted.
    assert.equal(r.estimated, 1 + 1 + 50, `Hive's formula changed: ${r.estimated}`);
    assert.deepEqual(codes(r.answer), ['COMPLEXITY_LIMIT_EXCEEDED'], JSON.stringify(r.answer, null, 2));
    assert.equal(r.answer.data?.organizations ?? null, null);
    assert.equal(r.toFacade.length, 1);
    assert.equal(r.calls, 0);
    assert.deepEqual(r.simCalls, []);
  });
});

// Apollo Client 4, the most used GraphQL client for the web, with its
// handler for @defer (Defer20220824Handler, the multipart format it asks
// for): the answer comes as multipart parts, the deferred data arrives,
// and the query ends (with a server that sends one part only, it stays
// loading for ever).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';

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

function newClient() {
  return new ApolloClient({
    link: new HttpLink({ uri: stack.graphqlURL, fetch: recordingFetch }),
    cache: new InMemoryCache(),
    incrementalHandler: new Defer20220824Handler(),
  });
}

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

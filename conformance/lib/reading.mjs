// The second subgraph of the federation suites ("reading"): it extends
// Space with a reading list and IntegrationInstallation, an entity by its
// key, with a reviewer, and lists references to both, so that a gateway in
// front of it and the facade must resolve them through the facade's
// _entities. Its answers are computed from the references alone, so a test
// can predict them. federation.test.mjs (Apollo Gateway) and
// hive-gateway.test.mjs (Hive Gateway) share it.

import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

export const READING_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    "Spaces recommended to the reader, as references: the gateway resolves them through the gitbook subgraph."
    recommendedSpaces: [Space]!
    "Installations to review, as references by key: the gateway resolves them through the gitbook subgraph."
    installationsToReview: [IntegrationInstallation]!
  }

  type Space @key(fields: "id") {
    id: ID!
    "What readers bookmarked in the space; computed from the id alone."
    readingList: ReadingList!
  }

  type ReadingList {
    bookmarks: Int!
    label: String!
  }

  type IntegrationInstallation @key(fields: "key") {
    key: ID!
    "Who reviews the installation; computed from the key alone."
    reviewer: String!
  }
`;

// Known spaces, one twice, and one that does not exist: the gateway must
// come back with null at that index and the facade's NOT_FOUND.
export const RECOMMENDED = ['oss-governance', 'acme-handbook', 'no-such-space', 'northwind-onboarding', 'acme-handbook'];

// Installations by key (<integration>/<id>): known ones, one twice, one
// whose id belongs to another integration (NOT_FOUND), and one that cannot
// be a key (BAD_USER_INPUT), each answered at its index.
export const TO_REVIEW = ['slack/inst-acme-slack', 'jira/inst-northwind-jira', 'jira/inst-acme-slack',
  'mermaid/inst-open-source-collective-mermaid', 'not-a-key', 'slack/inst-acme-slack'];

export function reviewer(key) {
  return `reviewer of ${key}`;
}

// readingList is deterministic, so the test can predict it.
export function readingList(id) {
  let bookmarks = 0;
  for (const ch of id) bookmarks = (bookmarks * 31 + ch.codePointAt(0)) % 97;
  return { bookmarks, label: `Reading list of ${id}` };
}

const readingResolvers = {
  Query: {
    recommendedSpaces: () => RECOMMENDED.map((id) => ({ id })),
    installationsToReview: () => TO_REVIEW.map((key) => ({ key })),
  },
  Space: {
    __resolveReference: (ref) => ({ id: ref.id }),
    readingList: (space) => readingList(space.id),
  },
  IntegrationInstallation: {
    __resolveReference: (ref) => ({ key: ref.key }),
    reviewer: (installation) => reviewer(installation.key),
  },
};

// No stack traces in answers: they would bury the facade's errors in
// failure messages. (Servers here also get no landing page, and the
// subgraph no inline tracing, which no one reads.)
export const quiet = { includeStacktraceInErrorResponses: false };

// serve starts an Apollo Server on a free loopback port and resolves with
// its URL.
export async function serve(server) {
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  if (!/^http:\/\/127\.0\.0\.1:\d+\/$/.test(url)) throw new Error(`not a loopback URL: ${url}`);
  return url;
}

// startReading serves the reading subgraph on loopback and resolves with
// its URL and the server (stop it from after()).
export async function startReading() {
  const server = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: parse(READING_SDL), resolvers: readingResolvers }),
    ...quiet,
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()],
  });
  return { server, url: await serve(server) };
}

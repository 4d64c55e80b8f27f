// The named operations of the Apollo suite (apollo.test.mjs), in a module
// of their own so that @apollo/generate-persisted-query-manifest reads them
// as an app's build would: trusted-documents.test.mjs makes its manifest
// from this file (the tool rejects anonymous operations, and the suites'
// test files hold some). Each is a gql tag the tool finds by its import.
// The suite's @defer query is not here: the tool (1.4.0) runs each
// operation through an Apollo Client 4 of its own, which has no handler for
// @defer and throws (trusted-documents.test.mjs checks it still does).

import { gql } from '@apollo/client';

// GitBook's Figma and Jira blocks share the id `embed`.
export const INTEGRATION_BLOCKS = gql`
  query IntegrationBlocks {
    jira: integration(name: "jira") { id name blocks { id blockId title } }
    figma: integration(name: "figma") { id name blocks { id blockId title } }
  }
`;

// The walk from a token, as wide as the default cost limit lets it be: every
// new type, and the same entities reached by more than one path (an
// organization from the list, from its spaces and from its installations;
// an installation from its organization's list and from installation(...);
// an integration from installations and from the marketplace).
export const WALK = gql`
  query Walk {
    viewer { id displayName email }
    organizations(first: 3) {
      totalCount
      nodes {
        id title
        spaces(first: 3) { nodes { id title organization { id title } } }
        installations(first: 4) {
          nodes {
            id key status
            integration { id name title }
            organization { id title }
            spaceInstallations(first: 3) { nodes { installation space { id title organization { id } } } }
          }
        }
      }
    }
    acmeStatus: installation(integration: "acme-status", id: "inst-acme-acme-status") {
      id key status spaces integration { id title } organization { id title }
    }
    acmeSlack: installation(integration: "slack", id: "inst-acme-slack") { id key status spaces organization { id } }
    northwindSlack: installation(integration: "slack", id: "inst-northwind-slack") { id key status spaces organization { id } }
    space(id: "acme-handbook") { id title organization { id title } }
    marketplace: integrations(first: 10) { nodes { id name title owner { id title } } }
  }
`;

export const INSTALLATION_BY_KEY = gql`
  query InstallationByKey($integration: String!, $id: ID!) {
    installation(integration: $integration, id: $id) { id key status }
  }
`;

// A space's integrations, a page at a time, each search apart.
export const PAGE = gql`
  query Page($search: String, $after: String) {
    space(id: "acme-developer-portal") {
      id
      integrations(first: 2, search: $search, after: $after) {
        edges { cursor node { id name } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;

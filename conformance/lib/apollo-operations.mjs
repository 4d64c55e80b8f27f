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

// The walk's upstream calls against the demo, the same every time, as
// `${Op} ${Method} ${Path}` sorted: one per distinct resource, and none for
// what a list of the walk embeds (acme and northwind come in the
// organizations' list, acme-status in acme's installations). The three
// installations and acme-handbook are read before any list that holds them
// is asked for, so they cost a call each.
export const WALK_CALLS = [
  'getAuthenticatedUser GET /v1/user',
  'getIntegrationInstallationById GET /v1/integrations/acme-status/installations/inst-acme-acme-status',
  'getIntegrationInstallationById GET /v1/integrations/slack/installations/inst-acme-slack',
  'getIntegrationInstallationById GET /v1/integrations/slack/installations/inst-northwind-slack',
  'getSpaceById GET /v1/spaces/acme-handbook',
  'listIntegrationInstallationSpaces GET /v1/integrations/acme-status/installations/inst-acme-acme-status/spaces',
  'listIntegrationInstallationSpaces GET /v1/integrations/amplitude/installations/inst-acme-amplitude/spaces',
  'listIntegrationInstallationSpaces GET /v1/integrations/auth0/installations/inst-acme-auth0/spaces',
  'listIntegrationInstallationSpaces GET /v1/integrations/auth0/installations/inst-northwind-auth0/spaces',
  'listIntegrationInstallationSpaces GET /v1/integrations/codesandbox/installations/inst-acme-codesandbox/spaces',
  'listIntegrationInstallationSpaces GET /v1/integrations/codesandbox/installations/inst-open-source-collective-codesandbox/spaces',
  'listIntegrationInstallationSpaces GET /v1/integrations/drawio/installations/inst-northwind-drawio/spaces',
  'listIntegrationInstallationSpaces GET /v1/integrations/figma/installations/inst-northwind-figma/spaces',
  'listIntegrationInstallationSpaces GET /v1/integrations/github/installations/inst-open-source-collective-github/spaces',
  'listIntegrationInstallationSpaces GET /v1/integrations/gitlab/installations/inst-northwind-gitlab/spaces',
  'listIntegrationInstallationSpaces GET /v1/integrations/google-analytics/installations/inst-open-source-collective-google-analytics/spaces',
  'listIntegrationInstallationSpaces GET /v1/integrations/linear/installations/inst-open-source-collective-linear/spaces',
  'listIntegrations GET /v1/integrations',
  'listOrganizationInstallations GET /v1/orgs/acme/installations',
  'listOrganizationInstallations GET /v1/orgs/northwind/installations',
  'listOrganizationInstallations GET /v1/orgs/open-source-collective/installations',
  'listOrganizationsForAuthenticatedUser GET /v1/orgs',
  'listSpacesInOrganizationById GET /v1/orgs/acme/spaces',
  'listSpacesInOrganizationById GET /v1/orgs/northwind/spaces',
  'listSpacesInOrganizationById GET /v1/orgs/open-source-collective/spaces',
];

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

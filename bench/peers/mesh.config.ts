// GraphQL Mesh's configuration for bench/: the GitBook spec subset
// (openapi-subset.json, a copy of ../../../shared/gitbook-api's) as a
// subgraph over the simulated upstream, the caller's Authorization header
// forwarded, and the links between resources the REST API leaves to the
// client. Served by Hive Gateway from the composed supergraph.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  output: process.env.SUPERGRAPH ?? 'supergraph.graphql',
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('GitBook', {
        source: './openapi-subset.json',
        // The runner composes once per simulated upstream, at its address.
        endpoint: process.env.SIM_URL ?? 'http://127.0.0.1:8081/v1',
        operationHeaders: { Authorization: '{context.headers.authorization}' },
      }),
    },
  ],
  // The links the REST API leaves to the client: a space's organization,
  // integrations and integration blocks, each one more call.
  additionalTypeDefs: /* GraphQL */ `
    extend type Space {
      org: getOrganizationById_response
        @resolveTo(
          sourceName: "GitBook"
          sourceTypeName: "Query"
          sourceFieldName: "getOrganizationById"
          requiredSelectionSet: "{ organization }"
          sourceArgs: { organizationId: "{root.organization}" }
        )
      installedIntegrations: listSpaceIntegrations_200_response
        @resolveTo(
          sourceName: "GitBook"
          sourceTypeName: "Query"
          sourceFieldName: "listSpaceIntegrations"
          requiredSelectionSet: "{ id }"
          sourceArgs: { spaceId: "{root.id}" }
        )
      blocksOfIntegrations: [listSpaceIntegrationsBlocks_response]
        @resolveTo(
          sourceName: "GitBook"
          sourceTypeName: "Query"
          sourceFieldName: "listSpaceIntegrationsBlocks"
          requiredSelectionSet: "{ id }"
          sourceArgs: { spaceId: "{root.id}" }
        )
    }
  `,
});

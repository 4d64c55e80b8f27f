// What the simulated GitBook holds for the demo token (gb_demo_admin),
// transcribed from gitbooksim/demo.go: only what the suites
// check. Enum values are spelled as GraphQL spells them (share-link is
// share_link).

export const organizations = {
  gitbook: { title: 'GitBook' },
  acme: { title: 'Acme Inc.' },
  'open-source-collective': { title: 'Open Source Collective' },
  northwind: { title: 'Northwind Traders' },
};

export const spaces = {
  'acme-developer-portal': { organization: 'acme', title: 'Developer Portal', visibility: 'public' },
  'acme-api-reference': { organization: 'acme', title: 'API Reference', visibility: 'public' },
  'acme-changelog': { organization: 'acme', title: 'Changelog', visibility: 'public' },
  'acme-handbook': { organization: 'acme', title: 'Employee Handbook', visibility: 'private' },
  'acme-design-system': { organization: 'acme', title: 'Design System', visibility: 'share_link' },
  'oss-getting-started': { organization: 'open-source-collective', title: 'Getting Started', visibility: 'public' },
  'oss-contributing': { organization: 'open-source-collective', title: 'Contributing Guide', visibility: 'public' },
  'oss-governance': { organization: 'open-source-collective', title: 'Governance', visibility: 'unlisted' },
  'northwind-runbooks': { organization: 'northwind', title: 'Operations Runbooks', visibility: 'private' },
  'northwind-onboarding': { organization: 'northwind', title: 'Onboarding', visibility: 'visitor_auth' },
};

// Every integration, with its title; GitBook owns all but acme-status.
export const integrations = {
  slack: 'Slack', github: 'GitHub Sync', gitlab: 'GitLab Sync', 'github-files': 'GitHub Files', jira: 'Jira',
  linear: 'Linear', figma: 'Figma', mermaid: 'Mermaid', drawio: 'Draw.io', lucid: 'Lucid', loom: 'Loom',
  codesandbox: 'CodeSandbox', stackblitz: 'StackBlitz', runkit: 'RunKit', formspree: 'Formspree',
  'google-analytics': 'Google Analytics', segment: 'Segment', mixpanel: 'Mixpanel', amplitude: 'Amplitude',
  heap: 'Heap', hotjar: 'Hotjar', plausible: 'Plausible', fathom: 'Fathom Analytics', posthog: 'PostHog',
  intercom: 'Intercom', hubspot: 'HubSpot', cookiebot: 'Cookiebot', auth0: 'Auth0', okta: 'Okta',
  'azure-ad': 'Azure AD', 'acme-status': 'Acme Status',
};

export function integrationOwner(name) {
  return name === 'acme-status' ? 'acme' : 'gitbook';
}

// Which spaces each integration is enabled on (all installations merged).
const enabledOn = {
  'acme-api-reference': ['github', 'github-files', 'mermaid'],
  'acme-design-system': ['mermaid', 'figma'],
  'acme-changelog': ['slack'],
  'acme-handbook': ['slack', 'jira', 'okta'],
  'oss-getting-started': ['github', 'mermaid', 'codesandbox', 'plausible'],
  'oss-contributing': ['github', 'mermaid', 'linear'],
  'oss-governance': ['mermaid'],
  'northwind-runbooks': ['gitlab', 'jira', 'drawio', 'slack'],
  'northwind-onboarding': ['drawio', 'loom', 'auth0', 'slack'],
  // The developer portal has every integration but three.
  'acme-developer-portal': Object.keys(integrations).filter((n) => !['gitlab', 'okta', 'azure-ad'].includes(n)),
};

// The names of the integrations enabled on a space, in the upstream's
// order (by name).
export function spaceIntegrations(spaceId) {
  return [...(enabledOn[spaceId] ?? [])].sort();
}

// Installations: one per organization and integration, with the id
// inst-<organization>-<integration>. Some are enabled on no space.
const installedNowhere = { 'open-source-collective': ['google-analytics'], northwind: ['figma', 'segment'] };

export function installationId(organization, name) {
  return `inst-${organization}-${name}`;
}

// The installation's key in the graph, <integration>/<id>.
export function installationKey(organization, name) {
  return `${name}/${installationId(organization, name)}`;
}

// The names of the integrations installed in an organization, in the
// upstream's order (by installation id, so by name).
export function organizationInstallations(organization) {
  const names = new Set(installedNowhere[organization] ?? []);
  for (const [id, list] of Object.entries(enabledOn)) {
    if (spaces[id].organization === organization) for (const name of list) names.add(name);
  }
  return [...names].sort();
}

// The spaces an installation is enabled on, in the upstream's order (which
// is the order of `spaces` above).
export function installationSpaces(organization, name) {
  return Object.keys(spaces).filter((id) => spaces[id].organization === organization && (enabledOn[id] ?? []).includes(name));
}

// The organizations the demo token belongs to, in the upstream's order.
export const viewerOrganizations = ['acme', 'open-source-collective', 'northwind'];

export const viewer = { id: 'u-ada', displayName: 'Ada Lovelace', email: 'ada@acme.example' };

// The reader token (gb_demo_reader): a member of Acme alone, who reads it.
export const reader = { id: 'u-grace', displayName: 'Grace Hopper', email: 'grace@acme.example' };
export const readerOrganizations = ['acme'];

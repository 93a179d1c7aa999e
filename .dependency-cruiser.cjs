/**
 * The dependency rule of DESIGN.md: dependencies point inward (bot/, store/, notify/ ->
 * services/ -> domain/), and the Bot Framework / teams-ai packages stay at the Teams edge.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ imports only domain/ and zod.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '(^|/)node_modules/zod/'] },
    },
    {
      name: 'services-use-domain-only',
      comment: 'services/ decide with domain/ and save through its ports.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { pathNot: ['^src/domain/', '^src/services/', '(^|/)node_modules/zod/'] },
    },
    {
      name: 'bot-framework-at-the-edge',
      comment: 'botbuilder and teams-ai only in src/bot/, src/notify/ and src/server.ts (both are end-of-support lines).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/bot/', '^src/notify/', '^src/server\\.ts$'] },
      to: { path: '(^|/)node_modules/(botbuilder[^/]*|botframework-[^/]+|@microsoft/teams-ai)/' },
    },
    {
      name: 'cosmos-in-store',
      comment: 'Only the store adapters talk to Cosmos.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/store/'] },
      to: { path: '(^|/)node_modules/(@azure/cosmos|@vercel/cosmosdb-server|@azure/identity)/' },
    },
    {
      name: 'edges-do-not-import-each-other',
      comment: 'bot/, store/, notify/ and cards/ meet only in the composition root.',
      severity: 'error',
      from: { path: '^src/(bot|notify|cards)/' },
      to: { path: '^src/store/' },
    },
    {
      name: 'store-does-not-reach-out',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/(bot|notify|cards|services|server\\.ts|index\\.ts)' },
    },
    {
      name: 'nothing-imports-the-composition-root',
      comment: 'Except the telemetry start, which runs first in the composition root and reads the same environment.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/index\\.ts$', '^src/telemetry/process-telemetry\\.ts$'] },
      to: { path: '^src/(index|config)\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|tests|scripts|bench)/' },
  },
};

// Architecture rules checked by `npm test` (ADR 0008, CONTRIBUTING.md habit 7).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'packages-never-import-apps',
      comment: 'Toolkit packages are usable on their own; they must not depend on the service.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'only-public-api-of-packages',
      comment: "A package's public API is its src/index.ts; nothing imports its internals.",
      severity: 'error',
      from: { path: '^(apps|packages)/([^/]+)/' },
      to: { path: '^packages/([^/]+)/src/(?!index\\.ts$)', pathNot: '^packages/$2/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.tools|\\.infra)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve `@surge/*` to their sources like node and tsc do in the repository (ADR 0007).
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@surge/source', 'import', 'default'],
    },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
  },
};

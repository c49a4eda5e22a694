// The dependency rule of docs/architecture.md, checked on every `npm run lint` (and so in CI):
//
//   domain  ←  features  ←  teams (the edge)  ←  src/index.ts (the composition root)
//                 ↓
//        graph, store (ports the features use)
//
// Each rule below is one sentence of that picture; its `comment` is what a reader sees when it fails.
// Type-only imports count (tsPreCompilationDeps): a type borrowed across a boundary is still a dependency.

/** The Teams SDK packages: only the edge may import them, so moving SDKs is a change of src/teams alone. */
const TEAMS_SDK = '^(botbuilder|botbuilder-[^/]+|botframework-[^/]+|@microsoft/teams-ai)(/|$)';

/**
 * npm packages the domain may import: pure code with no I/O and no global state. Empty on purpose; add a
 * package here only if it is as pure as the domain itself.
 */
const PURE_PACKAGES_FOR_DOMAIN = [];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'src/domain holds pure rules and parsers: it imports nothing outside src/domain (no other src folder, no Node built-in, no npm package).',
      from: { path: '^src/domain/' },
      to: {
        pathNot: ['^src/domain/', ...PURE_PACKAGES_FOR_DOMAIN.map((name) => `(^|/)node_modules/${name}/`)],
      },
    },
    {
      name: 'features-never-import-the-edge',
      severity: 'error',
      comment: 'src/features receives a conversation handle (features/shared/conversation.ts); it never imports src/teams.',
      from: { path: '^src/features/' },
      to: { path: '^src/teams/' },
    },
    {
      name: 'only-the-root-imports-the-edge',
      severity: 'error',
      comment: 'src/teams is wired in by the composition root (src/index.ts) alone; no other src folder imports it.',
      from: { path: '^src/', pathNot: ['^src/teams/', '^src/index\\.ts$', '^src/features/'] },
      to: { path: '^src/teams/' },
    },
    {
      name: 'only-the-edge-imports-the-teams-sdk',
      severity: 'error',
      comment: 'botbuilder, botframework-* and @microsoft/teams-ai are imported in src/teams only (the one door to the Teams SDK).',
      from: { path: '^src/', pathNot: '^src/teams/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], path: `(^|/)node_modules/${TEAMS_SDK.slice(1)}` },
    },
    {
      name: 'ports-never-import-features-or-edge',
      severity: 'error',
      comment: 'src/graph and src/store are ports the features use: they never import src/features or src/teams.',
      from: { path: '^src/(graph|store)/' },
      to: { path: '^src/(features|teams)/' },
    },
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment: 'Folders depend on each other in one direction only; a cycle between folders means a layer points backwards.',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      severity: 'error',
      comment: 'Modules in src form no import cycle (a cycle makes load order matter and hides which module owns what).',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-orphans-in-src',
      severity: 'error',
      comment: 'Every module in src is used by something (or uses something); a module nobody reaches is dead code.',
      from: { orphan: true, path: '^src/', pathNot: ['\\.d\\.ts$'] },
      to: {},
    },
    {
      name: 'src-never-imports-tests-or-tools',
      severity: 'error',
      comment: 'Production code does not depend on test/, bench/, scripts/ or emulator/ (they are not deployed).',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts|emulator)/' },
    },
    {
      name: 'src-never-imports-dev-dependencies',
      severity: 'error',
      comment: 'A devDependency is not installed in production (npm ci --omit=dev); src may use it for types only.',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-unresolvable-imports',
      severity: 'error',
      comment: 'Every import resolves to a file or an installed package.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|\\.emulator)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};

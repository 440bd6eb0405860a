import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// The layers run one way: app/ → components/ → lib/. Domain code importing a page, a component
// or test code would tie the rules to the UI (or ship test helpers); tests may import anything.
const libMayNotImport = {
  patterns: [
    { group: ["@/app", "@/app/*"], message: "lib/ is below app/: pass what it needs in as arguments." },
    { group: ["@/components", "@/components/*"], message: "lib/ is free of React components." },
    { group: ["@/tests", "@/tests/*"], message: "Test helpers live in tests/ and are imported by tests only." },
  ],
};

// Components are below the pages: a route's actions come in as props (or the component lives in the
// route's _components/), and the database is reached through lib/, never from a component.
const mayNotImportApp = { group: ["@/app", "@/app/*"], message: "components/ is below app/: take the action as a prop, or move the component to the route's _components/." };
const mayNotImportDbValues = {
  group: ["@/lib/db", "@/lib/db/*"],
  allowTypeImports: true,
  message: "Components reach the database through lib/ functions; only types may come from @/lib/db.",
};

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: [".next/**", ".next-*/**", "node_modules/**", ".data*/**", "next-env.d.ts", "e2e/screenshots/**", "e2e/results/**", "test-results/**", "playwright-report/**"] },
  {
    files: ["lib/**/*.ts", "lib/**/*.tsx"],
    ignores: ["lib/**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", libMayNotImport] },
  },
  {
    files: ["components/**/*.ts", "components/**/*.tsx"],
    rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns: [mayNotImportApp, mayNotImportDbValues] }] },
  },
  // components/factors still imports its routes' actions until the factor slices move them (issue 13); delete this block then.
  { files: ["components/factors/**"], rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns: [mayNotImportDbValues] }] } },
];

export default config;

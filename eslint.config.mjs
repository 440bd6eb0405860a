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

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: [".next/**", ".next-*/**", "node_modules/**", ".data*/**", "next-env.d.ts", "e2e/screenshots/**", "e2e/results/**", "test-results/**", "playwright-report/**"] },
  {
    files: ["lib/**/*.ts", "lib/**/*.tsx"],
    ignores: ["lib/**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", libMayNotImport] },
  },
];

export default config;

import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: [".next/**", ".next-*/**", "node_modules/**", ".data*/**", "next-env.d.ts", "e2e/screenshots/**", "e2e/results/**", "test-results/**", "playwright-report/**"] },
];

export default config;

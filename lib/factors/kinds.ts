// lib/factors/policy-rules.ts (moving to lib/teams in the same issue) still reads the names here.
export { FACTOR_NAMES } from "./registry";

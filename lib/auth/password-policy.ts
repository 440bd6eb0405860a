/** Password length rules, shared by the zod schema and the sign-up form's hint (no zod in the browser). */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

/** Password length limits: the schema (server) and the registration form's hint (browser). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

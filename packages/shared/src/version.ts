/** The platform's version, reported by `/healthz` and in the OpenAPI document. */
export const VERSION = '0.1.0';

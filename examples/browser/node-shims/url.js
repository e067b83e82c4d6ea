export const URL = globalThis.URL;

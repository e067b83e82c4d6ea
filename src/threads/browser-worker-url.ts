/**
 * Where a browser finds the guest thread worker: beside this module in dist/, beside the bundle when
 * bundled. It lives here, next to guest-worker-browser.ts, so the relative URL holds in both.
 */
export const browserGuestWorkerUrl = (): URL => new URL('./guest-worker-browser.js', import.meta.url);

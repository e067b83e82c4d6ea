// Every naming rule of the generated code in one place.

/** `subscription_clock` -> `SubscriptionClock`; `wasi_ephemeral_fd` -> `WasiEphemeralFd`. */
export function pascal(witxName: string): string {
  return witxName
    .split('_')
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

/** `subscription_clock` -> `SUBSCRIPTION_CLOCK`, for layout constants. */
export function upper(witxName: string): string {
  return witxName.toUpperCase();
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property key as written in an object literal: `fd_read`, or `'2big'` where a bare key is invalid. */
export function key(name: string): string {
  return IDENT.test(name) ? name : `'${name}'`;
}

/** A property access: `.fd_read`, or `['2big']`. */
export function access(name: string): string {
  return IDENT.test(name) ? `.${name}` : `['${name}']`;
}

// Every word that cannot name a parameter in a strict-mode module (ES reserved words, strict-mode future
// reserved words, and `arguments`/`eval`), plus `out`, which generated code keeps for itself.
const RESERVED = new Set([
  ...['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum'],
  ...['export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null'],
  ...['return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with'],
  ...['implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'await'],
  ...['arguments', 'eval', 'out'],
]);

/** A parameter name that is a valid identifier (`in` -> `in_`). */
export function param(name: string): string {
  return RESERVED.has(name) ? `${name}_` : name;
}

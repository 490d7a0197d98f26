// import() of a user's file (a shipyaml.config.mjs) from the CLI's code. The built CLI runs from
// V8's code cache (cli/code-cache.ts), and code that V8 deserialised from it has lost what Node's
// import() needs (Node 20: ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING; nodejs/node#43663): the
// loader, compiled outside the cache, hands its own import() over. From sources (the tests'
// unit runs), the native one.
const OUTSIDE = Symbol.for('shipyaml.importOutsideBundle');
type Import = (specifier: string) => Promise<unknown>;
const slot = globalThis as { [OUTSIDE]?: Import };

export function importModule(specifier: string): Promise<unknown> {
  const outside = slot[OUTSIDE];
  return outside ? outside(specifier) : import(specifier);
}

/** Called by the code-cache loader with an import() of its own, before the bundle runs. */
export function provideImport(fn: Import): void {
  slot[OUTSIDE] = fn;
}

import type { HooksDefinition } from "./types.js";

/** Identity at run time; gives hooks.ts type checking and editor completion. */
export function defineHooks<T extends HooksDefinition>(hooks: T): T {
  return hooks;
}

// tsc does not copy non-TS assets: the Lua scripts ship beside the compiled scripts.js.
// The target is emptied first: the loader reads every .lua file there (src/redis/scripts.ts
// loadAllScripts), so a script renamed or removed in src must not linger in dist.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
const from = fileURLToPath(new URL("../src/redis/lua/", import.meta.url));
const to = fileURLToPath(new URL("../dist/redis/lua/", import.meta.url));
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
cpSync(from, to, { recursive: true });

// tsc does not copy non-TS assets: the Lua scripts ship beside the compiled scripts.js.
import { cpSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
const from = fileURLToPath(new URL("../src/redis/lua/", import.meta.url));
const to = fileURLToPath(new URL("../dist/redis/lua/", import.meta.url));
mkdirSync(to, { recursive: true });
cpSync(from, to, { recursive: true });

// tsc does not copy non-TS files: the console's browser scripts and styles ship beside the
// compiled server code, as the Lua scripts do (copy-lua.mjs).
import { cpSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
const from = fileURLToPath(new URL("../src/http/console/assets/", import.meta.url));
const to = fileURLToPath(new URL("../dist/http/console/assets/", import.meta.url));
mkdirSync(to, { recursive: true });
cpSync(from, to, { recursive: true });

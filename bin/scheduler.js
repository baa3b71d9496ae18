#!/usr/bin/env node
// Shim into the built CLI (npm ci runs `prepare`, which builds dist/).
import { main } from "../dist/cli/main.js";
main(process.argv).then(
  (code) => { if (typeof code === "number") process.exitCode = code; },
  (err) => { console.error(`scheduler: ${err?.message ?? err}`); process.exitCode = 1; },
);

#!/usr/bin/env node
/**
 * Rewrites the README's terminal screens with real output of the example app:
 *
 *   <!-- screen:status -->   `scheduler status`
 *   <!-- screen:list -->     `scheduler list`
 *   <!-- screen:logs -->     a few seconds of `scheduler logs -f`
 *
 * each block ending at `<!-- /screen:NAME -->`. It starts the daemon itself
 * (`node bin/scheduler.js start --hooks hooks.example.ts`) on a throwaway key prefix, waits until
 * `status` shows a worker, enqueues a few example jobs so the log has something to show,
 * captures, then stops the daemon with SIGTERM and deletes the prefix's keys.
 *
 * Usage (after `npm run build`):
 *   node scripts/readme-screens.mjs [--redis URL] [--readme PATH] [--follow-seconds N] [--dry-run]
 *
 * --redis defaults to REDIS_URL, else redis://127.0.0.1:6379 (the daemon needs a real server:
 * with the embedded default the prefix cleanup could not reach it after the daemon stops).
 * --dry-run prints the blocks instead of writing the README. Exit 0 when every block was
 * rewritten; 1 when a marker is missing, a command failed or the daemon did not come up.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BIN = fileURLToPath(new URL("../bin/scheduler.js", import.meta.url));

function parseArgs(argv) {
  const o = { redis: process.env.REDIS_URL || "redis://127.0.0.1:6379", readme: `${ROOT}README.md`, followSeconds: 6, dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === "--redis") o.redis = value();
    else if (a === "--readme") o.readme = value();
    else if (a === "--follow-seconds") {
      o.followSeconds = Number(value());
      if (!(o.followSeconds > 0 && o.followSeconds <= 60)) usage("--follow-seconds must be a number from 1 to 60");
    } else if (a === "--dry-run") o.dryRun = true;
    else usage(`unknown argument ${a}`);
  }
  return o;
}

function usage(message) {
  process.stderr.write(`readme-screens: ${message}\nusage: node scripts/readme-screens.mjs [--redis URL] [--readme PATH] [--follow-seconds N] [--dry-run]\n`);
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Run `scheduler <args>` to completion (bounded), resolving to { code, stdout, stderr }. */
function run(args, env, timeoutMs = 30_000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Poll until check() is truthy or the time is up (bounded; never an open-ended wait). */
async function waitUntil(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(500);
  }
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
async function stop(child, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Output as it goes in the README: no color codes, no trailing spaces, no trailing blank lines. */
function clean(text) {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/[ \t]+$/gm, "").replace(/\s+$/, "");
}

/** Replace the body between <!-- screen:NAME --> and <!-- /screen:NAME -->; undefined if absent. */
function replaceBlock(readme, name, body) {
  const open = `<!-- screen:${name} -->`;
  const close = `<!-- /screen:${name} -->`;
  const start = readme.indexOf(open);
  const end = readme.indexOf(close, start + open.length);
  if (start < 0 || end < 0) return undefined;
  return `${readme.slice(0, start + open.length)}\n${body}\n${readme.slice(end)}`;
}

async function deletePrefix(url, prefix) {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on("error", () => {});
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `{${prefix}}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const prefix = `readme-${randomBytes(3).toString("hex")}`;
  const env = { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", SCHEDULER_PREFIX: prefix, REDIS_URL: o.redis };
  const target = ["--hooks", "hooks.example.ts", "--redis", o.redis, "--prefix", prefix];
  const screens = {};
  const problems = [];

  process.stderr.write(`readme-screens: starting the daemon on ${o.redis}, prefix ${prefix}\n`);
  const daemon = spawn(process.execPath, [BIN, "start", ...target, "--grace", "5"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let daemonOut = "";
  daemon.stdout.on("data", (d) => (daemonOut += d));
  daemon.stderr.on("data", (d) => (daemonOut += d));
  try {
    await waitUntil(
      async () => {
        if (daemon.exitCode !== null) throw new Error(`the daemon exited with code ${daemon.exitCode}:\n${daemonOut.slice(-2000)}`);
        const r = await run(["status", "--json", ...target], env);
        if (r.code !== 0) return false;
        return JSON.parse(r.stdout).workers.length > 0;
      },
      60_000,
      "no worker showed in `scheduler status`",
    );

    // Follow the log while a few example jobs run: progress, a chained job, a failure.
    const logs = spawn(process.execPath, [BIN, "logs", "-f", "--since", "1m", ...target], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let logOut = "";
    logs.stdout.on("data", (d) => (logOut += d));
    for (const args of [["example_app.tasks.import_items", "total=10"], ["example_app.tasks.start_pipeline", "batch=b-7"], ["example_app.tasks.flaky_sync"]]) {
      const r = await run(["enqueue", ...args, ...target], env);
      if (r.code !== 0) problems.push(`scheduler enqueue ${args[0]} failed: ${r.stderr.trim()}`);
    }
    await sleep(o.followSeconds * 1000);
    await stop(logs, 5000);
    screens.logs = `$ scheduler logs -f --since 1m\n${clean(logOut)}\n^C`;

    for (const name of ["status", "list"]) {
      const r = await run([name, ...target], env);
      if (r.code === 0) screens[name] = `$ scheduler ${name}\n${clean(r.stdout)}`;
      else problems.push(`scheduler ${name} exited ${r.code}: ${r.stderr.trim()}`);
    }
  } finally {
    await stop(daemon, 20_000);
    await deletePrefix(o.redis, prefix).catch((err) => problems.push(`could not delete the keys of prefix ${prefix}: ${err.message}`));
  }

  let readme = readFileSync(o.readme, "utf8");
  const written = [];
  for (const [name, text] of Object.entries(screens)) {
    const body = `\`\`\`text\n${text}\n\`\`\``;
    if (o.dryRun) {
      process.stdout.write(`--- ${name}\n${body}\n`);
      continue;
    }
    const next = replaceBlock(readme, name, body);
    if (next === undefined) problems.push(`${o.readme} has no <!-- screen:${name} --> ... <!-- /screen:${name} --> block: add one where the ${name} screen belongs`);
    else {
      readme = next;
      written.push(name);
    }
  }
  if (!o.dryRun) writeFileSync(o.readme, readme);
  for (const p of problems) process.stderr.write(`readme-screens: ${p}\n`);
  const done = (o.dryRun ? Object.keys(screens) : written).join(", ") || "nothing";
  process.stderr.write(`readme-screens: ${o.dryRun ? "captured" : "rewrote"} ${done}${problems.length ? `; ${problems.length} problem(s)` : ""}\n`);
  return problems.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`readme-screens: ${err.message}\n`);
    process.exit(1);
  },
);

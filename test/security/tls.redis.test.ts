/**
 * rediss:// against a TLS redis-server of the test's own (free port, its own CA, client
 * certificates required): CA, client certificate and key, servername from URL options and
 * from hooks `redis.tls`; one-line errors with the right hint for an untrusted certificate and
 * an unreadable file; a plain server behind rediss:// fails in about a second.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { freePort } from "../../src/base/free-port.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/spawn.js";
import { TEST_REDIS_DB, waitFor } from "../helpers/redis.js";

const dir = mkdtempSync(join(tmpdir(), "hs-sec-tls-"));
const f = (name: string) => join(dir, name);
let server: ChildProcess | undefined;
let port = 0;

function openssl(args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
}

beforeAll(async () => {
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=hs-test-ca"]);
  writeFileSync(f("ext"), "subjectAltName=DNS:localhost\n");
  for (const who of ["server", "client"]) {
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${who}.key`, "-out", `${who}.csr`, "-subj", `/CN=${who === "server" ? "localhost" : "hs-client"}`]);
    openssl(["x509", "-req", "-in", `${who}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${who}.pem`, "-days", "2", ...(who === "server" ? ["-extfile", "ext"] : [])]);
  }
  port = await freePort();
  server = spawn("redis-server", ["--port", "0", "--tls-port", String(port), "--bind", "127.0.0.1", "--tls-cert-file", f("server.pem"), "--tls-key-file", f("server.key"), "--tls-ca-cert-file", f("ca.pem"), "--tls-auth-clients", "yes", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  await waitFor(async () => (await runCli(["status", "--redis", full(), "--prefix", "t-tls", "--json"], { cwd: "/", timeoutMs: 10_000 })).code === 0, 20_000, 200);
}, 40_000);

afterAll(() => {
  server?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const full = () => `rediss://127.0.0.1:${port}/0?ca=${f("ca.pem")}&cert=${f("client.pem")}&key=${f("client.key")}&servername=localhost`;
const status = (url: string, extra: string[] = []) => runCli(["status", "--redis", url, "--prefix", "t-tls", ...extra], { cwd: "/", timeoutMs: 15_000 });

/** One line on stderr with the exit code: 1 for a failed connection, 2 for a bad --redis value. */
function oneLine(r: { code: number | null; stderr: string }, code = 1): string {
  expect(r.code).toBe(code);
  expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return r.stderr;
}

describe("rediss://", () => {
  it("connects with a CA, a client certificate and key, and a servername given as URL options", async () => {
    const r = await status(full(), ["--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).url).toContain("rediss://127.0.0.1");
  });

  it("connects with hooks redis.tls (paths relative to the hooks file)", async () => {
    writeFileSync(f("hooks.ts"), `export default { scheduler_events: {}, redis: { url: "rediss://127.0.0.1:${port}/0", tls: { ca: "ca.pem", cert: "client.pem", key: "client.key", servername: "localhost" } } };\n`);
    const r = await runCli(["status", "--hooks", f("hooks.ts"), "--prefix", "t-tls", "--json"], { cwd: "/", timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(0);
  });

  it("a certificate this machine does not trust: one line saying to give its CA", async () => {
    const err = oneLine(await status(`rediss://127.0.0.1:${port}/0?servername=localhost`));
    expect(err).toMatch(/not signed by a CA this machine trusts: give that CA with \?ca=/);
  });

  it("a server that wants a client certificate and gets none: one line, no hang", async () => {
    const started = Date.now();
    oneLine(await status(`rediss://127.0.0.1:${port}/0?ca=${f("ca.pem")}&servername=localhost`));
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("an unreadable CA file: one line naming it, nothing of any file's content", async () => {
    expect(oneLine(await status(`rediss://127.0.0.1:${port}/0?ca=${f("missing.pem")}`))).toContain(`the TLS ca file ${f("missing.pem")} cannot be read (ENOENT)`);
    const notPem = oneLine(await status(`rediss://127.0.0.1:${port}/0?ca=/etc/passwd&servername=localhost`));
    expect(notPem).not.toContain("root:");
  });

  it("TLS options on a plain redis:// URL are refused", async () => {
    expect(oneLine(await status(`redis://127.0.0.1:6379/${TEST_REDIS_DB}?ca=${f("ca.pem")}`), 2)).toMatch(/\?ca= is a TLS option; use rediss:\/\/ for TLS/);
  });

  it("a plain server behind rediss:// fails in about a second with the TLS hint", async () => {
    const started = Date.now();
    const err = oneLine(await status(`rediss://127.0.0.1:6379/${TEST_REDIS_DB}`));
    const took = Date.now() - started;
    expect(err).toContain("is the server at that port TLS-enabled");
    // The CLI's own start-up is part of it; the handshake bound itself is 1.5 s (src/redis/tls.ts).
    expect(took).toBeLessThan(6_000);
  });
});

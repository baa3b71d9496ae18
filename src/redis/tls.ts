/**
 * TLS for `rediss://`: a CA, a client certificate and key, a servername, from hooks
 * `redis: { url, tls: { ca, cert, key, servername, rejectUnauthorized } }` or URL options
 * (`rediss://host:6380/0?ca=/etc/ssl/redis-ca.pem&servername=redis.internal`; URL options win).
 * Files are read when a connection is made; their content never appears in a message.
 *
 * A plain server behind `rediss://` never answers the TLS handshake: the connection is given
 * TLS_HANDSHAKE_MS to become secure, instead of ioredis's 10 s connect timeout.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { RedisOptions } from "ioredis";
import { ConfigError } from "../base/errors.js";
import type { RedisTlsSettings } from "../config/types.js";

/** A plain server never completes a handshake; a TLS one does in well under this. */
export const TLS_HANDSHAKE_MS = 1500;

const FILE_KEYS = ["ca", "cert", "key"] as const;
export const TLS_KEYS = [...FILE_KEYS, "servername", "rejectUnauthorized"] as const;

const KEY = Symbol.for("hooks-scheduler.redis-tls");
type Holder = Record<symbol, RedisTlsSettings | undefined>;

/** This process's TLS settings from the hooks file (paths already absolute); undefined: none. */
export function useRedisTls(settings: RedisTlsSettings | undefined): void {
  (globalThis as unknown as Holder)[KEY] = settings;
}

function hooksTls(): RedisTlsSettings {
  return (globalThis as unknown as Holder)[KEY] ?? {};
}

/** Check of a `tls` object (hooks `redis.tls`); undefined when fine. */
export function checkRedisTls(value: unknown): string | undefined {
  const usage = "write tls: { ca: \"/path/ca.pem\", cert: \"/path/client.pem\", key: \"/path/client.key\", servername: \"redis.internal\" }";
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `tls must be an object; ${usage}`;
  for (const [k, v] of Object.entries(value)) {
    if (!(TLS_KEYS as readonly string[]).includes(k)) return `tls: unknown key "${k}"; allowed: ${TLS_KEYS.join(", ")}`;
    if (k === "rejectUnauthorized" ? typeof v !== "boolean" : typeof v !== "string" || v === "") {
      return `tls.${k} must be ${k === "rejectUnauthorized" ? "true or false" : k === "servername" ? "a host name" : "a file path"}`;
    }
  }
  return undefined;
}

/** Problems of the TLS options in a URL's query; undefined when fine. */
export function checkTlsUrlOptions(url: URL): string | undefined {
  const given = TLS_KEYS.filter((k) => url.searchParams.has(k));
  if (given.length === 0) return undefined;
  if (url.protocol !== "rediss:") return `?${given[0]}= is a TLS option; use rediss:// for TLS`;
  const reject = url.searchParams.get("rejectUnauthorized");
  if (reject !== null && reject !== "true" && reject !== "false") return "?rejectUnauthorized= must be true or false";
  for (const k of given) if (url.searchParams.get(k) === "") return `?${k}= is empty`;
  return undefined;
}

/** hooks `redis.tls` with its file paths made absolute against the hooks file's folder. */
export function resolveTlsPaths(settings: RedisTlsSettings, folder: string): RedisTlsSettings {
  const out: RedisTlsSettings = { ...settings };
  for (const k of FILE_KEYS) {
    const p = out[k];
    if (p !== undefined) out[k] = isAbsolute(p) ? p : resolve(folder, p);
  }
  return out;
}

/** The URL without our TLS options (ioredis would merge unknown query options into its own). */
export function stripTlsOptions(url: string): string {
  if (!url.startsWith("rediss:") || !url.includes("?")) return url;
  const u = new URL(url);
  for (const k of TLS_KEYS) u.searchParams.delete(k);
  return u.toString().replace(/\?$/, "");
}

function readPem(kind: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError("REDIS_TLS_FILE", `the TLS ${kind} file ${path} cannot be read (${code})`, {
      hint: `fix redis.tls.${kind} in the hooks file or ?${kind}= in the Redis URL`,
    });
  }
}

/** ioredis options for `url`: for rediss://, the TLS settings (URL options over hooks) and the handshake bound. */
export function tlsConnectOptions(url: string): Partial<RedisOptions> {
  if (!url.startsWith("rediss:")) return {};
  const q = new URL(url).searchParams;
  const s: RedisTlsSettings = { ...hooksTls() };
  for (const k of FILE_KEYS) {
    const v = q.get(k);
    if (v) s[k] = resolve(v);
  }
  const servername = q.get("servername");
  if (servername) s.servername = servername;
  const reject = q.get("rejectUnauthorized");
  if (reject !== null) s.rejectUnauthorized = reject !== "false";
  const tls: NonNullable<RedisOptions["tls"]> = {};
  if (s.ca) tls.ca = readPem("ca", s.ca);
  if (s.cert) tls.cert = readPem("cert", s.cert);
  if (s.key) tls.key = readPem("key", s.key);
  if (s.servername) tls.servername = s.servername;
  if (s.rejectUnauthorized === false) tls.rejectUnauthorized = false;
  return { tls, connectTimeout: TLS_HANDSHAKE_MS };
}

/** What to do about a TLS failure, by its cause; undefined when it is not one. */
export function tlsHint(err: Error): string | undefined {
  const text = `${(err as NodeJS.ErrnoException).code ?? ""} ${err.message}`;
  if (/SELF_SIGNED|self[- ]signed|UNABLE_TO_GET_ISSUER|unable to get (local )?issuer|UNABLE_TO_VERIFY_LEAF|unable to verify the first certificate/i.test(text)) {
    return "the server's certificate is not signed by a CA this machine trusts: give that CA with ?ca=/path/ca.pem in the URL or hooks redis.tls.ca";
  }
  if (/ALTNAME|Hostname\/IP does not match/i.test(text)) {
    return "the server's certificate is for another name: connect by that name, or set ?servername=<name on the certificate> (hooks redis.tls.servername)";
  }
  if (/CERT_HAS_EXPIRED|certificate has expired/i.test(text)) return "the server's certificate has expired: renew it";
  if (/certificate required|alert number 116|handshake failure|alert bad certificate/i.test(text)) {
    return "the server wants a client certificate: give ?cert=/path/client.pem&key=/path/client.key (hooks redis.tls.cert and key)";
  }
  return undefined;
}

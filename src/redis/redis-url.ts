/**
 * The topology URLs: `redis+cluster://`, `rediss+cluster://` (Redis Cluster, ioredis Cluster)
 * and `redis+sentinel://`, `rediss+sentinel://` (a master found through Sentinel). A plain
 * `redis://` / `rediss://` URL is a single server and is not parsed here (connection.ts hands
 * it to ioredis as before: one code path for one server, unchanged).
 *
 *   redis+cluster://[user:password@]host:port[,host:port...][?options]
 *   redis+sentinel://[user:password@]host:port[,host:port...]/MASTER_NAME[/db][?options]
 *
 * Options: `durability=replicated|none` (src/redis/durability.ts), `sentinelPassword=` (when
 * the sentinels have their own password), `natMap=from:port>to:port;...` (cluster behind NAT),
 * and the TLS options of rediss:// (ca, cert, key, servername, rejectUnauthorized).
 *
 * No URL parser: WHATWG URL cannot read a host list, and the message about a malformed URL
 * must be one clear line that never shows the password (redact-url.ts masks these schemes).
 */
import { redactUrl } from "../security/redact-url.js";
import { TLS_KEYS } from "./tls.js";

export interface HostPort {
  host: string;
  port: number;
}

export type Durability = "none" | "replicated";

interface TopologyCommon {
  /** The URL as given (for messages: pass it through redactUrl). */
  url: string;
  tls: boolean;
  username?: string;
  password?: string;
  durability?: Durability;
  /** The query, TLS options included (tls.ts reads them). */
  options: URLSearchParams;
}

export interface ClusterTarget extends TopologyCommon {
  kind: "cluster";
  nodes: HostPort[];
  /** Addresses the cluster announces -> addresses this machine reaches them at. */
  natMap?: Record<string, HostPort>;
}

export interface SentinelTarget extends TopologyCommon {
  kind: "sentinel";
  sentinels: HostPort[];
  /** The master's name in the sentinels' configuration. */
  name: string;
  db: number;
  sentinelPassword?: string;
}

export type TopologyTarget = ClusterTarget | SentinelTarget;

const SCHEME = /^(rediss?)\+(cluster|sentinel):\/\//i;
const KNOWN_OPTIONS = new Set<string>(["durability", "sentinelPassword", "natMap", ...TLS_KEYS]);

/** True for the cluster and sentinel schemes. */
export function isTopologyUrl(url: string): boolean {
  return SCHEME.test(url);
}

export function isClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:\/\//i.test(url);
}

/** `redis+cluster://...` / `redis+sentinel://...` read into its parts, or a one-line problem. */
export function parseTopologyUrl(url: string): TopologyTarget | string {
  const shown = JSON.stringify(redactUrl(url));
  const usage = "use redis+cluster://[user:password@]host:port[,host:port...] or redis+sentinel://[user:password@]host:port[,host:port...]/MASTER_NAME[/db]";
  const scheme = SCHEME.exec(url);
  if (!scheme) return `${shown} is not a cluster or sentinel URL; ${usage}`;
  const tls = scheme[1]!.toLowerCase() === "rediss";
  const kind = scheme[2]!.toLowerCase() as "cluster" | "sentinel";
  let rest = url.slice(scheme[0].length);
  const hashAt = rest.indexOf("#");
  if (hashAt !== -1) rest = rest.slice(0, hashAt);
  const queryAt = rest.indexOf("?");
  const options = new URLSearchParams(queryAt === -1 ? "" : rest.slice(queryAt + 1));
  if (queryAt !== -1) rest = rest.slice(0, queryAt);
  // userinfo ends at the LAST "@" before the path: a password may hold "@" only percent-encoded,
  // but a host list never holds one.
  const slash = rest.indexOf("/");
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? "" : rest.slice(slash + 1);
  const at = authority.lastIndexOf("@");
  const userinfo = at === -1 ? undefined : authority.slice(0, at);
  const hostList = at === -1 ? authority : authority.slice(at + 1);
  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined && userinfo !== "") {
    const colon = userinfo.indexOf(":");
    try {
      // Like redis://: "user:pw", ":pw", or a lone "pw" (ioredis reads a lone part as the password).
      if (colon === -1) password = decodeURIComponent(userinfo);
      else {
        username = decodeURIComponent(userinfo.slice(0, colon)) || undefined;
        password = decodeURIComponent(userinfo.slice(colon + 1));
      }
    } catch {
      return `${shown}: the user or password has a malformed %-escape`;
    }
  }
  const hosts: HostPort[] = [];
  for (const part of hostList.split(",")) {
    const hp = parseHostPort(part.trim());
    if (typeof hp === "string") return `${shown}: ${hp}; ${usage}`;
    hosts.push(hp);
  }
  for (const key of options.keys()) {
    if (!KNOWN_OPTIONS.has(key)) return `${shown}: unknown option "${key}"; allowed: ${[...KNOWN_OPTIONS].join(", ")}`;
  }
  if (!tls) {
    const tlsKey = TLS_KEYS.find((k) => options.has(k));
    if (tlsKey) return `${shown}: ?${tlsKey}= is a TLS option; use ${kind === "cluster" ? "rediss+cluster" : "rediss+sentinel"}:// for TLS`;
  }
  const durability = options.get("durability") ?? undefined;
  if (durability !== undefined && durability !== "replicated" && durability !== "none") {
    return `${shown}: ?durability= must be "replicated" or "none", got ${JSON.stringify(durability)}`;
  }
  const common = { url, tls, username, password, options, ...(durability ? { durability: durability as Durability } : {}) };
  if (kind === "cluster") {
    if (path !== "") return `${shown}: a cluster has only database 0 and no master name; drop "/${path}"`;
    const natMap = options.has("natMap") ? parseNatMap(options.get("natMap")!) : undefined;
    if (typeof natMap === "string") return `${shown}: ${natMap}`;
    return { kind, nodes: hosts, ...common, ...(natMap ? { natMap } : {}) };
  }
  const [name, dbText, extra] = path.split("/");
  if (!name) return `${shown} names no master; write redis+sentinel://host:26379/mymaster (the name in sentinel.conf)`;
  if (extra !== undefined) return `${shown}: after the master name only a database number may follow`;
  if (dbText !== undefined && dbText !== "" && !/^\d+$/.test(dbText)) return `${shown} names database "${dbText}", which is not a number`;
  const sentinelPassword = options.get("sentinelPassword") ?? undefined;
  return { kind, sentinels: hosts, name: decodeURIComponent(name), db: Number(dbText || 0), ...common, ...(sentinelPassword ? { sentinelPassword } : {}) };
}

/** Parse or throw one line (for callers that already validated the URL). */
export function topologyTarget(url: string): TopologyTarget {
  const t = parseTopologyUrl(url);
  if (typeof t === "string") throw new Error(t);
  return t;
}

function parseHostPort(text: string): HostPort | string {
  if (text === "") return "an empty host in the host list";
  // [::1]:7000 for IPv6.
  const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+))?$/.exec(text);
  if (!m) return `"${text}" is not host:port`;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port === undefined) return `"${text}" names no port`;
  if (!(port >= 1 && port <= 65535)) return `"${text}" has port ${m[2]}, outside 1..65535`;
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

/** `10.0.0.5:6379>127.0.0.1:7000;10.0.0.6:6379>127.0.0.1:7001`. */
function parseNatMap(text: string): Record<string, HostPort> | string {
  const out: Record<string, HostPort> = {};
  for (const pair of text.split(";").filter((p) => p.trim() !== "")) {
    const [from, to] = pair.split(">");
    const target = to === undefined ? "missing >" : parseHostPort(to.trim());
    if (from === undefined || from.trim() === "" || typeof target === "string") return `?natMap= entry "${pair}" must be announced-host:port>reachable-host:port`;
    out[from.trim()] = target;
  }
  return out;
}

/** The hooks `redis` object form with `cluster` or `sentinels`, written as the URL it means. */
export interface TopologyObject {
  cluster?: HostPort[];
  sentinels?: HostPort[];
  name?: string;
  db?: number;
  username?: string;
  password?: string;
  sentinelPassword?: string;
  tls?: boolean | object;
  natMap?: Record<string, HostPort>;
  durability?: Durability;
}

/** Keys of the object form beyond `url` and `tls` (validate.ts allows these). */
export const TOPOLOGY_OBJECT_KEYS = ["cluster", "sentinels", "name", "db", "username", "password", "sentinelPassword", "natMap", "durability"] as const;

/** A problem of the object form, or undefined. Never quotes a password. */
export function checkTopologyObject(o: Record<string, unknown>): string | undefined {
  const list = o.cluster ?? o.sentinels;
  const which = o.cluster !== undefined ? "cluster" : "sentinels";
  if (o.cluster !== undefined && o.sentinels !== undefined) return "give cluster or sentinels, not both";
  if (o.url !== undefined) return `give url or ${which}, not both`;
  if (!Array.isArray(list) || list.length === 0) return `${which} must be a non-empty list of { host, port }`;
  for (const [i, n] of list.entries()) {
    const ok = typeof n === "object" && n !== null && typeof (n as HostPort).host === "string" && (n as HostPort).host !== "" && Number.isInteger((n as HostPort).port) && (n as HostPort).port >= 1 && (n as HostPort).port <= 65535;
    if (!ok) return `${which}[${i}] must be { host: "10.0.0.5", port: 6379 }`;
  }
  if (o.sentinels !== undefined && (typeof o.name !== "string" || o.name === "")) return `sentinels needs name: the master's name in sentinel.conf (e.g. "mymaster")`;
  if (o.cluster !== undefined && (o.name !== undefined || o.db !== undefined)) return "a cluster has no master name and only database 0: drop name/db";
  if (o.db !== undefined && !(Number.isInteger(o.db) && (o.db as number) >= 0)) return "db must be a database number";
  for (const k of ["username", "password", "sentinelPassword"] as const) if (o[k] !== undefined && typeof o[k] !== "string") return `${k} must be a string`;
  if (o.durability !== undefined && o.durability !== "replicated" && o.durability !== "none") return `durability must be "replicated" or "none"`;
  if (o.natMap !== undefined) {
    if (typeof o.natMap !== "object" || o.natMap === null) return "natMap must map announced host:port -> { host, port }";
    for (const [k, v] of Object.entries(o.natMap)) {
      if (typeof v !== "object" || v === null || typeof (v as HostPort).host !== "string" || !Number.isInteger((v as HostPort).port)) return `natMap["${k}"] must be { host, port }`;
    }
  }
  return undefined;
}

export function topologyObjectUrl(o: TopologyObject): string {
  const scheme = `${o.tls ? "rediss" : "redis"}+${o.cluster ? "cluster" : "sentinel"}`;
  const auth = o.password !== undefined || o.username !== undefined ? `${encodeURIComponent(o.username ?? "")}:${encodeURIComponent(o.password ?? "")}@` : "";
  const hosts = (o.cluster ?? o.sentinels ?? []).map((n) => `${n.host.includes(":") ? `[${n.host}]` : n.host}:${n.port}`).join(",");
  const path = o.cluster ? "" : `/${encodeURIComponent(o.name ?? "")}${o.db ? `/${o.db}` : ""}`;
  const q = new URLSearchParams();
  if (o.durability) q.set("durability", o.durability);
  if (o.sentinelPassword) q.set("sentinelPassword", o.sentinelPassword);
  if (o.natMap) q.set("natMap", Object.entries(o.natMap).map(([from, to]) => `${from}>${to.host}:${to.port}`).join(";"));
  const query = q.toString();
  return `${scheme}://${auth}${hosts}${path}${query ? `?${query}` : ""}`;
}

/**
 * Passwords out of URLs and of text that holds URLs, for every message, log line and screen.
 * No URL parser: a malformed URL (the very thing an error message is about) must be masked too.
 *
 * Forms masked: `redis://user:pw@host` -> `redis://user:***@host`; `redis://pw@host` -> `redis://***@host`
 * (a lone user part may be a password: ioredis and redis-cli read `redis://pw@host` differently);
 * query options `?password=pw`, `&pass=`, `&token=`, `&secret=`, `&sentinelPassword=`, ... -> `?password=***`.
 * The topology schemes (`redis+cluster://user:pw@h1:p1,h2:p2`, `redis+sentinel://...`) carry
 * their userinfo before the host list, like any URL: the same rule masks them.
 */
const MASK = "***";

/**
 * scheme://userinfo@ ; userinfo stops at the first "/", "@", space, quote or bracket (a
 * bracket starts an IPv6 host, or a placeholder in a usage text like `redis://[:password@]host`).
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@"'<>[\]]*)@/gi;

/** Secret-bearing query or key=value options (ioredis merges URL query options into its own). */
const SECRET_PARAM = /([?&;]\s*(?:sentinel_?password|password|passwd|pass|pwd|secret|token|auth|api_?key|access_?key)=)[^&;\s#"']*/gi;

/** `url` with every password form masked; anything that is not a URL comes back unchanged. */
export function redactUrl(url: string): string {
  return redactUrlsIn(url);
}

/** `text` with the password of every URL in it masked (see the header for the forms). */
export function redactUrlsIn(text: string): string {
  if (!text.includes("://") && !text.includes("=")) return text;
  return text
    .replace(USERINFO, (_m, scheme: string, info: string) => {
      if (info === "") return `${scheme}@`;
      const colon = info.indexOf(":");
      return colon === -1 ? `${scheme}${MASK}@` : `${scheme}${info.slice(0, colon)}:${MASK}@`;
    })
    .replace(SECRET_PARAM, (_m, head: string) => `${head}${MASK}`);
}

/** A logger JobLines does not know (not made by createLogger): every line takes pino's own call. */
import type { Logger } from "../../src/log/logger.js";

export const throughPino = (log: Logger): Logger => ({
  debug: (o, m) => log.debug(o, m),
  info: (o, m) => log.info(o, m),
  warn: (o, m) => log.warn(o, m),
  error: (o, m) => log.error(o, m),
});

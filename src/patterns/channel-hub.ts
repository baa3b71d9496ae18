/**
 * One subscriber connection per Redis client, shared by every pub/sub listener of the process
 * (lock waiters, realtime subscribers). A connection in subscribe mode can do nothing else, so
 * it is a duplicate of the client, opened on the first listener and closed after the last one
 * leaves (an idle process is not kept alive by it).
 */
import type { Redis } from "ioredis";

export type MessageHandler = (message: string, channel: string) => void;

export class ChannelHub {
  private conn: Redis | undefined;
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  /** SUBSCRIBE/UNSUBSCRIBE run one after another, so a quick listen/unlisten pair cannot interleave. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly base: Redis) {}

  /** Listen on `channel`; resolves once the server confirmed the subscription. */
  listen(channel: string, handler: MessageHandler): Promise<() => Promise<void>> {
    return this.serial(async () => {
      let set = this.handlers.get(channel);
      if (!set) {
        try {
          const conn = this.connection();
          // A lazyConnect client without an offline queue (the CLI's) refuses commands until connected.
          if (conn.status === "wait") await conn.connect();
          await conn.subscribe(channel);
        } catch (err) {
          if (this.handlers.size === 0) void this.close();
          throw err;
        }
        set = new Set();
        this.handlers.set(channel, set);
      }
      set.add(handler);
      let done = false;
      return () => {
        if (done) return Promise.resolve();
        done = true;
        return this.serial(() => this.remove(channel, handler));
      };
    });
  }

  /** Channels with at least one listener (for tests and diagnostics). */
  channels(): string[] {
    return [...this.handlers.keys()];
  }

  private async remove(channel: string, handler: MessageHandler): Promise<void> {
    const set = this.handlers.get(channel);
    if (!set) return;
    set.delete(handler);
    if (set.size > 0) return;
    this.handlers.delete(channel);
    const conn = this.conn;
    if (!conn) return;
    if (this.handlers.size === 0) {
      await this.close();
    } else {
      await conn.unsubscribe(channel);
    }
  }

  private async close(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    if (conn) await conn.quit().catch(() => conn.disconnect());
  }

  private connection(): Redis {
    if (!this.conn) {
      const conn = this.base.duplicate();
      conn.on("error", () => {
        /* ioredis reconnects and resubscribes by itself; commands report their own errors */
      });
      conn.on("message", (channel: string, message: string) => {
        for (const h of this.handlers.get(channel) ?? []) {
          try {
            h(message, channel);
          } catch {
            /* one listener's bug must not starve the others */
          }
        }
      });
      this.conn = conn;
    }
    return this.conn;
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.chain.then(op, op);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

const hubs = new WeakMap<Redis, ChannelHub>();

export function channelHub(redis: Redis): ChannelHub {
  let hub = hubs.get(redis);
  if (!hub) {
    hub = new ChannelHub(redis);
    hubs.set(redis, hub);
  }
  return hub;
}

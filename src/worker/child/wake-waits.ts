/**
 * The child's idle wait when its queues' job keys are on several tags (issue 17's per-queue
 * layout): one BLPOP cannot span two tags on a cluster, so each tag gets a wait of its own on a
 * connection of its own (a duplicate() of the blocking one, made once per tag). The wait ends
 * when any tag's BLPOP is woken, or when all reach the deadline; a BLPOP still out when another
 * woke keeps its connection until its own deadline and is reused by the next wait on that tag,
 * so no connection ever holds two waits. A marker it pops meanwhile is only a hint: the loop
 * dequeues from every queue before it waits again.
 */
import type { Redis } from "ioredis";
import type { QueueEnv } from "../../queue/context.js";
import { groupByTag } from "../../redis/tag-pipeline.js";

export class WakeWaits {
  private readonly connections = new Map<string, Redis>();
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(
    private readonly blocking: Redis,
    private readonly env: Pick<QueueEnv, "keys">,
  ) {}

  /** True when a wake marker of one of `queues` came within `seconds`. */
  wait(queues: readonly string[], seconds: number): Promise<boolean> {
    const waits = groupByTag(queues, (q) => this.env.keys.jobTag(q)).map(({ tag, items }) => this.waitOn(tag, items, seconds));
    if (waits.length === 0) return Promise.resolve(false);
    return new Promise((resolve, reject) => {
      let left = waits.length;
      for (const w of waits) {
        w.then((woken) => {
          if (woken) resolve(true);
          else if (--left === 0) resolve(false);
        }, reject);
      }
    });
  }

  /** Close the connections of the tags (their waits end with an error nobody waits for). */
  close(): void {
    for (const c of this.connections.values()) c.disconnect();
    this.connections.clear();
  }

  private waitOn(tag: string, queues: string[], seconds: number): Promise<boolean> {
    const out = this.pending.get(tag);
    if (out) return out;
    let conn = this.connections.get(tag);
    if (!conn) this.connections.set(tag, (conn = this.blocking.duplicate()));
    const p = conn.blpop(...queues.map((q) => this.env.keys.wake(q)), seconds).then((r) => r !== null);
    const clear = () => void this.pending.delete(tag);
    p.then(clear, clear);
    this.pending.set(tag, p);
    return p;
  }
}

/**
 * The supervisor's applier of forward records (src/queue/forward-records.ts): what a script on
 * one queue's tag asks of another (a dependency settled, a dependent to link). A script that
 * writes one publishes on its tag's forward key, and the forwarder applies that tag's records
 * at once; its sweep, on the maintenance timer, applies whatever a notification missed (one sent
 * while no supervisor listened, an applier that crashed before the drop) and listens to the
 * tags of queues listed since. Idle on the installation layout: no record is ever written there.
 */
import type { QueueEnv } from "../../queue/context.js";
import { applyForwardRecords } from "../../queue/forward-records.js";
import { forwardTags, sweepForwardRecords } from "../../queue/forward-sweep.js";
import type { Redis } from "ioredis";
import type { Logger } from "../../log/logger.js";
import { describeError } from "../../base/errors.js";

export class Forwarder {
  /** The tags listened to, on a subscriber connection of its own (opened by the first sweep). */
  private readonly listening = new Set<string>();
  private subscriber: Redis | undefined;
  /** Per tag: a pass running (true) and whether another notification came during it. */
  private readonly passes = new Map<string, boolean>();
  private stopped = false;

  constructor(
    private readonly env: QueueEnv,
    private readonly log: Logger,
  ) {}

  get active(): boolean {
    return this.env.keys.jobTags !== "installation";
  }

  /** Listen to every listed tag, then apply what is pending everywhere. */
  async sweep(): Promise<number> {
    if (!this.active || this.stopped) return 0;
    await this.listen(await forwardTags(this.env));
    return sweepForwardRecords(this.env);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.listening.clear();
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }

  private async listen(tags: string[]): Promise<void> {
    const fresh = tags.filter((t) => !this.listening.has(t));
    if (fresh.length === 0 || this.stopped) return;
    if (!this.subscriber) {
      const sub = this.env.redis.duplicate();
      this.subscriber = sub;
      // the channel is the tag's forward key: map it back to its tag
      sub.on("message", (channel: string) => {
        const tag = this.byChannel.get(channel);
        if (tag !== undefined) this.applyNow(tag);
      });
      sub.on("error", () => undefined); // the sweep reports Redis trouble; the client reconnects
      if (sub.status === "wait") await sub.connect();
    }
    for (const t of fresh) this.byChannel.set(this.env.keys.forward(t), t);
    await this.subscriber.subscribe(...fresh.map((t) => this.env.keys.forward(t)));
    for (const t of fresh) this.listening.add(t);
  }

  private readonly byChannel = new Map<string, string>();

  /** One pass over `tag` at a time; a notification during a pass asks for one more after it. */
  private applyNow(tag: string): void {
    if (this.stopped) return;
    if (this.passes.has(tag)) return void this.passes.set(tag, true);
    this.passes.set(tag, false);
    void (async () => {
      try {
        do {
          this.passes.set(tag, false);
          await applyForwardRecords(this.env, tag);
        } while (this.passes.get(tag) && !this.stopped);
      } catch (err) {
        // the records stay where they are: the next sweep applies them
        this.log.warn({ tag, err: describeError(err) }, "forward records not applied yet; the next sweep retries");
      } finally {
        this.passes.delete(tag);
      }
    })();
  }
}

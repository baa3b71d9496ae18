/** A writable stream that keeps what is written to it, for tests of what a logger prints. */
import { PassThrough } from "node:stream";

export function textStream(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let out = "";
  stream.on("data", (d: Buffer) => (out += d.toString()));
  return { stream, text: () => out };
}

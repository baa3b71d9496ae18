/**
 * `scheduler logs | head -2`: once the reader is gone, writes fail with EPIPE. Nothing more can
 * be said to anyone, so the process ends quietly (exit 0, as when the output was all read)
 * instead of crashing with a stack trace.
 */
export function quietOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(0);
      throw err;
    });
  }
}

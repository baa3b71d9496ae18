/**
 * Whether to colour output, the way most terminal tools decide: NO_COLOR (any value) turns it
 * off, FORCE_COLOR turns it on (FORCE_COLOR=0 off), otherwise colour on a terminal only.
 * See https://no-color.org and https://force-color.org.
 */
export function useColor(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  return (stream as NodeJS.WriteStream).isTTY === true;
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, cyan: 36, gray: 90, bold: 1 } as const;
export type Colour = keyof typeof CODES;

/** `text` in `colour` when `on`, else as it is. */
export function paint(on: boolean, colour: Colour, text: string): string {
  return on ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text;
}

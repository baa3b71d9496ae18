/**
 * Long user values in messages: a 10 KB dotted path quoted in full (and again as a file path,
 * and again in the hint) makes a one-line error tens of kilobytes. Quote the start and the end.
 */
export const CLIP_AT = 120;

/** `text` when short, else its first and last characters around "…". */
export function clip(text: string, max: number = CLIP_AT): string {
  if (text.length <= max) return text;
  const head = Math.ceil((max - 1) * 0.7);
  return `${text.slice(0, head)}…${text.slice(text.length - (max - 1 - head))}`;
}

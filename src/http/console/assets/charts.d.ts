// Types of the browser module charts.js, for the tests that import its pure functions.
export function quantile(bounds: number[], counts: number[], p: number): number | null;
export function loadHistory(params: Record<string, string | number>): Promise<unknown>;
export function seriesOf(history: unknown): Record<string, Array<number | null>>;
export function Chart(props: Record<string, unknown>): unknown;

/**
 * transaction(fn): jobs enqueued with enqueueAfterCommit inside fn are pushed in one atomic
 * enqueue.lua call when fn resolves, and dropped when it throws. Nested in another unit of
 * work (a transaction or a running job), the jobs go to that unit instead (savepoint
 * semantics): nothing is pushed until the outermost unit succeeds.
 */
import { currentScope, runInScope, type WorkScope } from "./work-scope.js";
import { activeContext } from "./context.js";
import { pushPrepared } from "./push.js";

export async function transaction<T>(fn: () => T | Promise<T>): Promise<T> {
  const outer = currentScope();
  const scope: WorkScope = { kind: "transaction", job: outer?.job, afterCommit: [] };
  const result = await runInScope(scope, fn);
  if (outer) outer.afterCommit.push(...scope.afterCommit);
  else if (scope.afterCommit.length > 0) await pushPrepared(activeContext(), scope.afterCommit);
  return result;
}

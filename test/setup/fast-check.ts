/**
 * Property tests draw fresh seeds on a developer's machine (that is how they find new bugs),
 * but CI replays a fixed seed so a landing does not depend on luck. FC_SEED picks one, e.g. to
 * replay a counterexample printed by a local run.
 */
import fc from "fast-check";

const seed = process.env.FC_SEED ?? (process.env.CI ? "20261128" : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });

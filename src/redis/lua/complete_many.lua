-- complete_many.lua: finish several started jobs of one worker and take up to T next jobs, in
-- one call: a worker running many jobs at once sends the completions of one moment together
-- (src/worker/completion-batch.ts), one script and one round trip for all of them. Jobs with
-- follow-ups go through complete.lua instead. Completions come first, so a dependent they
-- release can be among the jobs taken.
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] worker
-- ARGV[4] finished retention ms
-- ARGV[5] trim bound (per completion)
-- ARGV[6] lease ms of the jobs to take
-- ARGV[7] T = how many to take (0: none)
-- ARGV[8] Q = how many queues to take from
-- ARGV[9..] those Q queues in order, then pairs: job id, result JSON or "" (none)
-- Returns: { outcomes, job... }: outcomes[i] = 1 (finished) or 0 (lease lost: the caller does
--   not own that job; nothing written for it), in ARGV order; then each taken job as a flat
--   HGETALL array (dequeue_lib take()), at most T, fewer when the queues ran dry.
--@include complete_lib
--@include dequeue_lib

local worker, ttl, bound = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local take_lease, n_take, n_queues = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local first_pair = 9 + n_queues

local outcomes, finished_in = {}, {}
for i = first_pair, #ARGV - 1, 2 do
  local q = finish_job(ARGV[i], worker, ARGV[i + 1], ttl)
  outcomes[#outcomes + 1] = q and 1 or 0
  if q then finished_in[q] = (finished_in[q] or 0) + 1 end
end
history_flush()
-- the retention piggyback, once per queue, as much as the completions would have trimmed
for q, n in pairs(finished_in) do trim_registry("finished", q, bound * n) end

local reply, untrimmed = { outcomes }, {}
for _ = 1, n_take do
  local h = take(worker, take_lease, 9, 8 + n_queues, untrimmed)
  if not h then break end
  reply[#reply + 1] = h
end
-- wake markers of the queues taken from, trimmed once (a take that found a queue empty trimmed it)
for q in pairs(untrimmed) do trim_wake(q) end
return reply

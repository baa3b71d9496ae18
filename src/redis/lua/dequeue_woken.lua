-- dequeue_woken.lua: dequeue.lua for an idle worker, sent on its blocking connection right behind
-- its BLPOP on the wake lists (src/queue/lifecycle.ts waitAndDequeue): Redis runs it the moment
-- the wait ends, so a wake-up brings the job in the same reply, one round trip fewer than a
-- dequeue sent once the wake-up has arrived. ARGV[2] is the worker's clock when it was sent,
-- up to the wait's length earlier: the start time is the later of that and the enqueuedAt of
-- the job at the head (the instant, on the enqueuer's clock, that the enqueue which ended the
-- wait ran), so a job never looks started before it was queued and its lease is not shortened.
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms (when the wait was sent)
-- ARGV[3] worker name
-- ARGV[4] lease ms
-- ARGV[5..] queue names in the order to try
-- Returns: as dequeue.lua.
--@include dequeue_lib

for i = 5, #ARGV do
  local head = redis.call("LINDEX", key("queue", ARGV[i]), 0)
  if head then
    local queued_at = tonumber(redis.call("HGET", key("job", head), "enqueuedAt"))
    if queued_at and queued_at > NOW then
      NOW = queued_at
      ARGV[2] = string.format("%d", queued_at)
    end
    break
  end
end

return take(ARGV[3], tonumber(ARGV[4]), 5, #ARGV)

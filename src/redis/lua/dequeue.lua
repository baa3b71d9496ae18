-- dequeue.lua: take the first job of the first non-empty queue and lease it to a worker.
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] worker name
-- ARGV[4] lease ms
-- ARGV[5..] queue names in the order to try
-- Returns: the job hash as a flat HGETALL array (status started, attempt+1, worker, startedAt,
--   id; its id is in started:<queue> with score now + lease), or nil when every queue is empty.
--@include dequeue_lib

return take(ARGV[3], tonumber(ARGV[4]), 5, #ARGV)

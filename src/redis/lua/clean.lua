-- clean.lua: drop expired entries of every queue's finished, failed and canceled registries,
-- with their job hashes and attempt lists (retention; bounded per call).
-- KEYS[1] queues set, KEYS[2] events stream (see job_lib)
-- ARGV[1] env header JSON, ARGV[2] now ms, ARGV[3] at most this many per registry
-- Returns the number of jobs removed.
--@include job_lib

local limit, n = tonumber(ARGV[3]), 0
for _, q in ipairs(redis.call("SMEMBERS", QUEUES_KEY)) do
  n = n + trim_registry("finished", q, limit) + trim_registry("failed", q, limit) + trim_registry("canceled", q, limit)
end
return n

-- schedule_deadline.lua: settle one slot of a schedule with a `deadline`: was its run finished
-- by slot + deadline? Once per slot however many daemons check (the checked-up-to mark only
-- moves forward). A miss counts, opens the schedule's missed deadline (doctor reports it until a
-- later run succeeds, see schedule_outcome_lib.lua) and writes one schedule.deadline_missed event.
-- KEYS[1] the task's counters hash (schedule-stats:<task>)
-- KEYS[2] open deadlines hash (schedule-deadline)
-- KEYS[3] events stream
-- ARGV[1] task id
-- ARGV[2] slot ms
-- ARGV[3] "1" missed / "0" met
-- ARGV[4] now ms
-- ARGV[5] event JSON (written on a miss)
-- ARGV[6] events stream max length (approximate)
-- ARGV[7] the deadline (ms)
-- Returns: 1 when this call recorded the miss (the caller notifies), 0 otherwise.
local checked = tonumber(redis.call("HGET", KEYS[1], "deadlineCheckedUpTo"))
local slot = tonumber(ARGV[2])
if checked and checked >= slot then return 0 end
redis.call("HSET", KEYS[1], "deadlineCheckedUpTo", ARGV[2])
if ARGV[3] ~= "1" then return 0 end
redis.call("HINCRBY", KEYS[1], "deadlineMissed", 1)
if redis.call("HEXISTS", KEYS[2], ARGV[1]) == 0 then
  redis.call("HSET", KEYS[2], ARGV[1], cjson.encode({ slot = slot, at = tonumber(ARGV[4]), deadlineMs = tonumber(ARGV[7]) }))
end
redis.call("XADD", KEYS[3], "MAXLEN", "~", ARGV[6], "*", "e", ARGV[5])
return 1

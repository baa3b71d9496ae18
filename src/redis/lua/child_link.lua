-- child_link.lua: apply a child record (forward_lib) on the parent's tag: the parent lists a job
-- enqueued from inside it whose keys are on another tag. Applied twice, it lists it once: the
-- child already in the list is the proof (the list keeps the newest children, so a record applied
-- again after that many newer children would count it twice; the writer drops its record long
-- before).
-- KEYS[1] the forward records of the call's tag (keys.forward(tag), forward_lib; routes the call)
-- KEYS[2] events stream of the call's tag (keys.events(tag))
-- ARGV[1] env header (see job_lib)
-- ARGV[2] now ms
-- ARGV[3] the parent's id (a job of this tag)
-- ARGV[4] the child's id
-- Returns: 1 when listed now, 0 when it was listed already or the parent is gone.
--@include children_lib

local parent, child = ARGV[3], ARGV[4]
if redis.call("LPOS", key("children", parent), child) then return 0 end
if redis.call("EXISTS", key("job", parent)) == 0 then return 0 end
record_child(parent, child)
return 1

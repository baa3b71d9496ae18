-- scheduler_fence_raise.lua: a new scheduler leader writes its lease number to the fence hash
-- of a queue's tag (the per-queue layout) before it fires there, so a stale leader that never
-- saw the newer number on that tag is refused from then on (fence_lib.lua fence_raise).
-- KEYS[1] the tag's fence hash (keys.schedulerFence(tag))
-- ARGV[1] the leader's lease number
-- Returns: 1 raised (or already there), 0 the tag holds a newer number (our lease is stale).
--@include fence_lib
if fence_raise(KEYS[1], ARGV[1]) then return 0 end
return 1

-- scheduler_ledger.lua: add one entry to a task's fire ledger (a capped list, newest first).
-- A skip or miss for the same reason as the newest entry is merged into it (count, slot and
-- lastAt move on) instead of adding a line per slot; an entry for a slot the newest entry of
-- the same kind already covers is dropped (written once per slot).
-- KEYS[1] ledger list (keys.ledger(task))
-- KEYS[2] the task's counters hash (optional)
-- ARGV[1] entry JSON { slot, at, outcome, reason?, count?, ... }
-- ARGV[2] max entries kept
-- Returns: 1 pushed, 2 merged into the newest entry, 0 dropped (already recorded).
--@include scheduler_ledger_lib
local added = ledger_add(KEYS[1], ARGV[1], tonumber(ARGV[2]))
if added ~= 0 then ledger_count(KEYS[2], ARGV[1]) end
return added

// File: transport/valkey/scripts.cpp
// Lua sources of the task-record scripts, and script_set (load, call, run).
//
// Key layout (P = prefix, "taskmesh" by default):
//   P:task:<id>                 STRING task record: a header the scripts read
//                                      and write, then a body only record_codec
//                                      reads (encode_value in record_codec.hpp)
//   P:idem:<key>                STRING '<id>~' while claimed (no record yet),
//                                      '<id>' once the task's record exists
//   P:live                      STRING records not yet terminal
//   P:finished                  ZSET  '<n>:<id>' per script run that made n records
//                                     terminal (id: the first of them), scored by
//                                     their common expiry (ms, server clock)
//   P:finished:count            STRING the sum of n over P:finished
//   P:worker:<id>               STRING heartbeat (server time in ms), PX = heartbeat TTL
//   P:workers                   ZSET  worker ids scored by heartbeat expiry
//   P:count:<name>              STRING counter: submitted succeeded failed dead retried processed
//                                      cancelled
//   P:count:type:<op>:<name>    STRING counter per op: submitted succeeded failed dead retried
//                                      cancelled
//   P:types                     SET   op names that have counters
//   P:events:watched            STRING set (PX) while an api pod has live event streams open
// A record lives while its task is queued or running, and expires
// result_ttl after its first terminal write; its idempotency key follows it.
// The scripts that create records or make them terminal keep the count in
// the same step: "records held" = P:live + P:finished:count once the
// P:finished groups whose time has passed are dropped: exact, with no KEYS
// and no SCAN. The terminal writes of one script run share its time and
// TTL, so they expire together and are one P:finished member, not one per
// record (a ZADD per task was a tenth of Valkey's time per task).
// Times come from the server's TIME, the clock key expiry (SET PX) uses.
//
// How a task gets here (cluster intake, actors/intake.hpp): claim (only
// tasks with an idempotency key) -> JetStream publish -> admit. Nothing is
// recorded before JetStream holds the task, so no record can be stranded
// by a crash in between.
#include "transport/valkey/scripts.hpp"

#include <stdexcept>

namespace taskmesh::valkey {
namespace {

// Prepended to every script.
constexpr std::string_view prelude_lua = R"lua(
-- Globals read once per run: in Lua 5.1 a global is a table lookup at each
-- use, and the per-task loops use these for every task.
local ARGV, call = ARGV, redis.call
local find, match, format = string.find, string.match, string.format
local function now_ms()
  local t = call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function ms(x) return format('%d', x) end
-- Small integers as text and back, remembered for the run: Lua turns a
-- number into text with sprintf('%.14g') and tonumber() reads a string
-- with strtod twice, which made up a sixth of the update script's
-- instructions; a run meets the same few values (attempts, executions,
-- commits) for every task. int_of(nil) is nil.
local texts, ints = {}, {}
local function int_text(n)
  local s = texts[n]
  if not s then s = format('%d', n) texts[n] = s end
  return s
end
local function int_of(s)
  if s == nil then return nil end
  local n = ints[s]
  if not n then n = tonumber(s) ints[s] = n end
  return n
end
-- Drops the members of an expiry-scored ZSET whose time has passed (a key
-- expiring at T is gone once now > T).
local function trim(zset, now) call('ZREMRANGEBYSCORE', zset, '-inf', '(' .. ms(now)) end
-- The same for P:finished, taking each group's records off
-- P:finished:count. At most 1024 groups per call (a write's upkeep stays
-- bounded after a long idle); returns true if it stopped there.
local function trim_finished(prefix, now)
  local finished = prefix .. ':finished'
  local gone = call('ZRANGEBYSCORE', finished, '-inf', '(' .. ms(now), 'LIMIT', '0', '1024')
  if #gone == 0 then return false end
  local n = 0
  for _, group in ipairs(gone) do n = n + tonumber(match(group, '^(%d+):')) end
  call('DECRBY', finished .. ':count', int_text(n))
  call('ZREMRANGEBYRANK', finished, '0', int_text(#gone - 1))
  return #gone == 1024
end
local terminal = {succeeded = true, failed = true, dead = true, cancelled = true}
-- What one script run did to the records held: `live` records created or
-- made terminal (+1/-1), and the `finished` ones (made terminal, expiring
-- together at now + ttl; `first` names the group).
local function new_tally() return {live = 0, finished = 0, first = nil} end
-- `existed`: the record was stored before this write (so it was live: a
-- terminal record is never written again).
local function tally_write(t, id, existed, status)
  if terminal[status] then
    if existed then t.live = t.live - 1 end
    t.finished = t.finished + 1
    t.first = t.first or id
  elseif not existed then
    t.live = t.live + 1
  end
end
local function apply_tally(prefix, t, ttl, now)
  if t.live ~= 0 then call('INCRBY', prefix .. ':live', int_text(t.live)) end
  if t.finished > 0 then
    call('ZADD', prefix .. ':finished', ms(now + tonumber(ttl)), int_text(t.finished) .. ':' .. t.first)
    call('INCRBY', prefix .. ':finished:count', int_text(t.finished))
  end
end
-- A record's value (record_codec.hpp): eight header fields, each ended by
-- '|', then the body, which no script reads but cancel (type and key).
local header = '^(%a+)|(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|()'
-- status, attempts, next_attempt_at, started_at, finished_at, submitted_at,
-- executions, commits (numbers as they are stored, text), and where the
-- body starts; an error for a value that is not a record.
local function read(key, v)
  local st, att, nx, sa, fa, sub, ex, cm, body = match(v, header)
  if not st then error('taskmesh: ' .. key .. ' does not hold a task record') end
  return st, att, nx, sa, fa, sub, ex, cm, body
end
-- The same header, capturing only what update decides by: status,
-- attempts, next_attempt_at, started_at, executions, commits (the rest is
-- read() on the rare path that rewrites a refused record; fewer captures
-- make fewer strings per task). No match: not a record.
local decided_by = '^(%a+)|(%d+)|(%d+)|(%d+)|%d+|%d+|(%d+)|(%d+)|'
-- The value of a record with this header and body (what read() takes apart).
local function record(st, att, nx, sa, fa, sub, ex, cm, body)
  return st .. '|' .. att .. '|' .. nx .. '|' .. sa .. '|' .. fa .. '|' .. sub .. '|' .. ex ..
         '|' .. cm .. '|' .. body
end
-- The body's next field (<length>:<bytes>) at `at`: its text and where the
-- one after it starts.
local function body_field(v, at)
  local len, from = match(v, '^(%d+):()', at)
  return string.sub(v, from, from + tonumber(len) - 1), from + tonumber(len)
end
-- The idempotency key of task `id`, if it is this task's (claimed or not),
-- names the recorded task, and follows the record's expiry once it is
-- terminal (`final`). (A terminal record gets its expiry from the SET that
-- makes it terminal; a live record never has one, and a terminal record is
-- never written again.)
-- (The per-task loops test idem ~= '' before calling: a Lua call costs
-- ~500 instructions, bench/profile/valkey_scripts.)
local function keep_key(prefix, id, idem, final, ttl)
  if idem == '' then return end
  local ikey = prefix .. ':idem:' .. idem
  local v = call('GET', ikey)
  if v == id or v == id .. '~' then
    if final then call('SET', ikey, id, 'PX', ttl) else call('SET', ikey, id) end
  end
end
)lua";

constexpr std::string_view claim_lua = R"lua(
-- claim: ids for idempotency keys, before the tasks are published.
-- ARGV: prefix, claim_ttl_ms, n, then per task: id, idempotency_key.
-- Per task, against P:idem:<key> (reply {code, id, status}):
--   free, or naming a recorded task whose record is gone (expired)
--       -> SET '<id>~' PX claim_ttl; {1, id, 'queued'}: publish under id
--   naming a task whose record exists
--       -> {0, owner, its status}: a duplicate, nothing to publish
--   claimed by another id that has no record yet
--       -> {2, owner, 'queued'}: take the claim over. The claiming request
--          may be in flight, or may have died before or after its publish;
--          publishing again under the owner's id is de-duplicated by
--          JetStream (Nats-Msg-Id), so the task exists once either way, and
--          this request is answered as a duplicate (the claim's 202 is the
--          one). The same key twice in one run ends up here too.
-- A claim whose request died before publishing expires after claim_ttl.
local prefix, ttl, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local out = {}
for k = 1, n do
  local id, idem = ARGV[2 + 2 * k], ARGV[3 + 2 * k]
  local ikey = prefix .. ':idem:' .. idem
  local v = call('GET', ikey)
  local claimed = v and string.sub(v, -1) == '~'
  local owner = v and (claimed and string.sub(v, 1, -2) or v)
  local okey = owner and prefix .. ':task:' .. owner
  local stored = okey and call('GET', okey)
  local status = stored and read(okey, stored)
  if status then
    out[k] = {0, owner, status}
  elseif claimed then
    out[k] = {2, owner, 'queued'}
  else
    call('SET', ikey, id .. '~', 'PX', ttl)
    out[k] = {1, id, 'queued'}
  end
end
return out
)lua";

constexpr std::string_view admit_lua = R"lua(
-- admit: the queued records of tasks JetStream has stored.
-- ARGV: prefix, ttl_ms, n, then per task: id, type, idempotency_key
--       ('' = none), the queued record's value (record_codec.hpp).
-- Per task, in order:
--  1. The record is written only if its key does not exist (SET NX; the
--     stored one is read only then: SET NX GET cost ~600 instructions more
--     per task): a fast worker may already have written a later state,
--     which stays.
--  2. Only the write that creates the record counts the task as submitted
--     (P:count:submitted, P:count:type:<op>:submitted), so a resent admit
--     counts nothing. (If a worker wrote first, update counted it.)
--  3. keep_key(): the idempotency key names the task; the record is counted
--     in P:live. No expiry while queued.
-- Reply per task: the record's current status.
-- Counter increments are gathered and sent once per script run. Admit makes
-- no record terminal: it adds nothing to P:finished, and leaves trimming it
-- to update, which adds nearly every group (count_records trims it all).
local prefix, ttl, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local out, submitted = {}, {} -- submitted[op]: tasks this run creates
local task_key = prefix .. ':task:'
for k = 1, n do
  local i = 4 + 4 * (k - 1)
  local id, typ, idem = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local key = task_key .. id
  if not call('SET', key, ARGV[i + 3], 'NX') then
    out[k] = read(key, call('GET', key))
  else
    out[k] = 'queued'
    if idem ~= '' then keep_key(prefix, id, idem, false, ttl) end
    submitted[typ] = (submitted[typ] or 0) + 1
  end
end
local created, names = 0, {}
for typ, by in pairs(submitted) do
  call('INCRBY', prefix .. ':count:type:' .. typ .. ':submitted', int_text(by))
  created = created + by
  names[#names + 1] = typ
end
if created > 0 then
  call('INCRBY', prefix .. ':live', int_text(created)) -- new queued records
  call('INCRBY', prefix .. ':count:submitted', int_text(created))
  call('SADD', prefix .. ':types', unpack(names))
end
return out
)lua";

constexpr std::string_view update_lua = R"lua(
-- update: state changes from workers, applied only if they move forward.
-- ARGV: prefix, ttl_ms, n, then per update: id, type, status,
--       idempotency_key, the header admit wrote for the task (record_codec:
--       append_admitted_header), and the record's new value
--       (append_value), whose execution counters are those of the common
--       case below (1 and 1 when terminal, else 0 and 0): in any other case
--       the stored record's counters decide them.
-- A record's states are ordered by attempts, then by stage within an attempt:
--   0 queued, not started   1 running   2 queued, waiting out a retry
--   (next_attempt_at > 0)   3 terminal (succeeded, failed, dead, cancelled).
-- Per update, against the stored record (none stored: always applied):
--   stored terminal                    -> 3 already terminal, nothing written
--   (attempts, stage) below stored     -> 0 stale, nothing written
--   otherwise                          -> 1 applied: the record is written
--       (SET; with PX ttl when terminal), but a stored non-zero started_at
--       stays (it is the FIRST attempt's start; each redelivery stamps its
--       own); keep_key()
--   applied to no stored record        -> it is also counted as submitted:
--       a worker was faster than admit
--   applied and terminal               -> 2 first terminal write: P:count:<status>,
--       P:count:type:<op>:<status> and P:count:processed go up by one
--   applied retry with (attempts, stage) above stored: P:count:retried and
--       P:count:type:<op>:retried go up by one (once per attempt that ended
--       in a retry)
--   any update with stage >= 2 (an op's outcome)  -> executions + 1 (the
--       stored record rewritten with its expiry kept when nothing else is);
--   first terminal write                         -> commits + 1
-- The common case, a task's terminal outcome onto the record admit wrote
-- (its header unchanged), is all of the above worked out in advance: the
-- value is written as sent. Only the other cases read the stored header
-- (a sixth of the instructions per task: bench/profile/valkey_scripts).
-- An equal (attempts, stage) write of a non-terminal state is applied (last
-- writer wins) and counts nothing. Updates in one run apply in ARGV order.
-- Reply: the n codes, then 1 if P:events:watched exists (an api pod has
-- live event streams open: the worker publishes what changed), else 0.
-- Counter increments are gathered and sent once per script run; an applied
-- update is one GET and one SET.
local prefix, ttl, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = now_ms()
trim_finished(prefix, now)
local function stage(status, next_at)
  if terminal[status] then return 3 end
  if status == 'running' then return 1 end
  if next_at ~= '' and next_at ~= '0' then return 2 end
  return 0
end
local out, tally = {}, new_tally()
-- by_type[op][name]: what this run adds to each counter (keys built once
-- per run, not per task)
local by_type = {}
local function counts_of(typ)
  local t = by_type[typ]
  if not t then t = {} by_type[typ] = t end
  return t
end
-- Any case but the common one: `cur` is the stored value (false: none).
local function apply(key, id, typ, status, idem, value, cur)
  local _, att, next_at, started, fa, sub, _, _, body = read(key .. ' (update)', value)
  local attempts = int_of(att)
  local cst, catt, cnx, csa, cex, ccm
  if cur then
    cst, catt, cnx, csa, cex, ccm = match(cur, decided_by)
    if not cst then read(key, cur) end -- raises the error for a value that is no record
  end
  local new_stage = stage(status, next_at)
  local code, advances = 1, true
  if cur then
    if terminal[cst] then
      code = 3
    else
      local cur_attempts, cur_stage = int_of(catt), stage(cst, cnx)
      if attempts < cur_attempts or (attempts == cur_attempts and new_stage < cur_stage) then
        code = 0
      end
      advances = attempts > cur_attempts or new_stage > cur_stage
    end
  end
  -- Per-task execution counters (docs/chaos.md), read by taskmesh-verify:
  -- executions counts every outcome a worker wrote (a result or a retry
  -- wait), refused or not; commits counts the terminal writes applied, so
  -- it is 1 for every finished task, however often the task ran.
  local executions = int_of(cex) or 0
  if new_stage >= 2 then executions = executions + 1 end
  if code == 1 then
    local commits = int_of(ccm) or 0
    if not cur then
      local counts = counts_of(typ)
      counts.submitted = (counts.submitted or 0) + 1
    elseif csa ~= '0' then
      started = csa
    end
    local final = terminal[status]
    if final then
      code = 2
      commits = commits + 1
    end
    local written = record(status, att, next_at, started, fa, sub, int_text(executions),
                           int_text(commits), string.sub(value, body))
    if final then call('SET', key, written, 'PX', ttl) else call('SET', key, written) end
    if idem ~= '' then keep_key(prefix, id, idem, final, ttl) end
    tally_write(tally, id, cur ~= false, status)
    if code == 2 then
      local counts = counts_of(typ)
      counts[status] = (counts[status] or 0) + 1
      counts.processed = (counts.processed or 0) + 1
    elseif new_stage == 2 and advances then
      local counts = counts_of(typ)
      counts.retried = (counts.retried or 0) + 1
    end
  elseif new_stage >= 2 and cur then
    local _, _, _, _, cfa, csub, _, _, cbody = read(key, cur)
    call('SET', key, record(cst, catt, cnx, csa, cfa, csub, int_text(executions), ccm,
                                  string.sub(cur, cbody)), 'KEEPTTL')
  end
  return code
end
local task_key = prefix .. ':task:'
for k = 1, n do
  local i = 4 + 6 * (k - 1)
  local id, typ, status, idem = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local key = task_key .. id
  local cur = call('GET', key)
  if cur and terminal[status] and find(cur, ARGV[i + 4], 1, true) == 1 then
    -- The common case (apply() would do the same, reading the header first).
    -- A plain find, not a compare of string.sub(cur, 1, #header): that
    -- makes a string per task (about +650 instructions); a find that misses scans
    -- the value, on the rare paths only. The tally and counts are inlined
    -- (tally_write here: about +940 instructions per task).
    call('SET', key, ARGV[i + 5], 'PX', ttl)
    if idem ~= '' then keep_key(prefix, id, idem, true, ttl) end
    tally.live = tally.live - 1 -- tally_write of a live record made terminal
    tally.finished = tally.finished + 1
    if not tally.first then tally.first = id end
    local counts = by_type[typ] or counts_of(typ) -- a call only for the run's first of an op
    counts[status] = (counts[status] or 0) + 1
    counts.processed = (counts.processed or 0) + 1
    out[k] = 2
  else
    out[k] = apply(key, id, typ, status, idem, ARGV[i + 5], cur)
  end
end
apply_tally(prefix, tally, ttl, now)
local names, totals = {}, {}
for typ, t in pairs(by_type) do
  -- Admit listed the op of every task it recorded; a task counted here as
  -- submitted had no record yet, so its op may be new to P:types.
  if t.submitted then names[#names + 1] = typ end
  for name, by in pairs(t) do
    if name ~= 'processed' then -- a total only: no counter per op
      call('INCRBY', prefix .. ':count:type:' .. typ .. ':' .. name, int_text(by))
    end
    totals[name] = (totals[name] or 0) + by
  end
end
for name, by in pairs(totals) do call('INCRBY', prefix .. ':count:' .. name, int_text(by)) end
if #names > 0 then call('SADD', prefix .. ':types', unpack(names)) end
out[n + 1] = call('EXISTS', prefix .. ':events:watched')
return out
)lua";

constexpr std::string_view counters_lua = R"lua(
-- counters: ARGV: prefix. Reply: submitted, succeeded, failed, dead, retried,
-- cancelled, processed, then per op (sorted by name): name, submitted,
-- succeeded, failed, dead, retried, cancelled. Missing counters read as 0.
-- One MGET.
local prefix = ARGV[1]
local names = {'submitted', 'succeeded', 'failed', 'dead', 'retried', 'cancelled'}
local keys = {}
for _, name in ipairs(names) do keys[#keys + 1] = prefix .. ':count:' .. name end
keys[#keys + 1] = prefix .. ':count:processed'
local types = call('SMEMBERS', prefix .. ':types')
table.sort(types)
for _, typ in ipairs(types) do
  for _, name in ipairs(names) do
    keys[#keys + 1] = prefix .. ':count:type:' .. typ .. ':' .. name
  end
end
local values = call('MGET', unpack(keys))
local out = {}
for j = 1, 7 do out[j] = tonumber(values[j]) or 0 end
for ti, typ in ipairs(types) do
  out[#out + 1] = typ
  for j = 1, 6 do out[#out + 1] = tonumber(values[7 + (ti - 1) * 6 + j]) or 0 end
end
return out
)lua";

constexpr std::string_view count_live_lua = R"lua(
-- count_live: ARGV: a ZSET scored by expiry time (ms). Drops the members
-- whose time has passed and returns how many remain (the live workers).
trim(ARGV[1], now_ms())
return call('ZCARD', ARGV[1])
)lua";

constexpr std::string_view count_records_lua = R"lua(
-- count_records: ARGV: prefix. The records held: P:live plus
-- P:finished:count once every group whose time has passed is dropped.
local prefix = ARGV[1]
local now = now_ms()
while trim_finished(prefix, now) do end
local live = tonumber(call('GET', prefix .. ':live')) or 0
return live + (tonumber(call('GET', prefix .. ':finished:count')) or 0)
)lua";

constexpr std::string_view list_live_lua = R"lua(
-- list_live: ARGV: a ZSET scored by expiry time (ms), n. Drops the members
-- whose time has passed and returns up to n of the rest (soonest to expire first).
trim(ARGV[1], now_ms())
return call('ZRANGE', ARGV[1], 0, tonumber(ARGV[2]) - 1)
)lua";

constexpr std::string_view heartbeat_lua = R"lua(
-- heartbeat: ARGV: prefix, worker id, ttl_ms. SET P:worker:<id> <now ms> PX ttl,
-- ZADD P:workers (now + ttl) id, drop expired members; reply: live workers.
local prefix, id, ttl = ARGV[1], ARGV[2], ARGV[3]
local now = now_ms()
local workers = prefix .. ':workers'
call('SET', prefix .. ':worker:' .. id, ms(now), 'PX', ttl)
call('ZADD', workers, ms(now + tonumber(ttl)), id)
trim(workers, now)
return call('ZCARD', workers)
)lua";

constexpr std::string_view forget_worker_lua = R"lua(
-- forget_worker: ARGV: prefix, worker id. A clean shutdown stops counting at once.
call('DEL', ARGV[1] .. ':worker:' .. ARGV[2])
return call('ZREM', ARGV[1] .. ':workers', ARGV[2])
)lua";

constexpr std::string_view cancel_lua = R"lua(
-- cancel: DELETE /task/{id}. ARGV: prefix, ttl_ms, id.
-- A queued or delayed (running: waiting out delay_ms) task becomes
-- 'cancelled' (terminal: later updates from a worker change nothing and
-- count nothing), finished now, expiring after ttl; P:count:cancelled and
-- P:count:type:<op>:cancelled go up by one; the record's commits too;
-- keep_key() as for any terminal write.
-- Reply: {code, the record's value}: 1 cancelled now, 2 not cancellable
-- (already terminal), 0 no such record (and no value).
local prefix, ttl, id = ARGV[1], ARGV[2], ARGV[3]
local key = prefix .. ':task:' .. id
local cur = call('GET', key)
if not cur then return {0} end
local st, att, nx, sa, fa, sub, ex, cm, body = read(key, cur)
if terminal[st] then return {2, cur} end
local typ, after_type = body_field(cur, body)
local idem = body_field(cur, after_type)
local now = now_ms()
-- a terminal write, as update counts them (docs/chaos.md)
local value = record('cancelled', att, '0', sa, ms(now * 1000), sub, ex, tonumber(cm) + 1,
                     string.sub(cur, body))
call('SET', key, value, 'PX', ttl)
keep_key(prefix, id, idem, true, ttl)
local tally = new_tally()
tally_write(tally, id, true, 'cancelled')
apply_tally(prefix, tally, ttl, now)
call('INCR', prefix .. ':count:cancelled')
call('INCR', prefix .. ':count:type:' .. typ .. ':cancelled')
call('SADD', prefix .. ':types', typ)
return {1, value}
)lua";

struct entry {
  std::string_view name;
  std::string_view body; // without the prelude
};

constexpr std::array<entry, script_count> table{{
  {"claim", claim_lua},
  {"admit", admit_lua},
  {"update", update_lua},
  {"counters", counters_lua},
  {"count_live", count_live_lua},
  {"heartbeat", heartbeat_lua},
  {"forget_worker", forget_worker_lua},
  {"cancel", cancel_lua},
  {"list_live", list_live_lua},
  {"count_records", count_records_lua},
}};

// prelude + body, built once.
const std::array<std::string, script_count>& sources() {
  static const auto all = [] {
    std::array<std::string, script_count> out;
    for (std::size_t i = 0; i < script_count; ++i)
      out[i] = std::string(prelude_lua) + std::string(table[i].body);
    return out;
  }();
  return all;
}

bool is_noscript(const redisReply* r) {
  return is_error(r) && std::string_view(r->str, r->len).starts_with("NOSCRIPT");
}

} // namespace

std::string_view script_name(script_id id) {
  return table.at(static_cast<std::size_t>(id)).name;
}

std::string_view script_source(script_id id) {
  return sources().at(static_cast<std::size_t>(id));
}

result<void> script_set::load(client& c) {
  if (loaded_)
    return {};
  std::vector<command> loads;
  loads.reserve(script_count);
  for (const std::string& source : sources())
    loads.emplace_back("SCRIPT").arg("LOAD").arg(std::string_view(source));
  auto replies = c.pipeline(loads, retry::once_if_connection_lost);
  if (!replies)
    return std::move(replies).err();
  for (std::size_t i = 0; i < script_count; ++i) {
    const redisReply* r = (*replies)[i].get();
    if (auto e = reply_error(r)) {
      e->message = "SCRIPT LOAD " + std::string(table[i].name) + ": " + e->message;
      return std::move(*e);
    }
    const auto sha = string_of(r);
    if (!sha || sha->size() != 40)
      return unexpected(r, "a SHA1 from SCRIPT LOAD");
    sha_[i] = std::string(*sha);
  }
  loaded_ = true;
  return {};
}

command script_set::call(script_id id) const {
  const auto i = static_cast<std::size_t>(id);
  command cmd;
  if (loaded_)
    cmd.arg("EVALSHA").arg(std::string_view(sha_[i]));
  else
    cmd.arg("EVAL").arg(std::string_view(sources()[i]));
  cmd.arg("0");
  return cmd;
}

result<std::vector<reply_ptr>> script_set::run(client& c, std::span<const command> calls) const {
  auto replies = c.pipeline(calls, retry::once_if_connection_lost);
  if (!replies)
    return replies;
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < calls.size(); ++i)
    if (is_noscript((*replies)[i].get()))
      missing.push_back(i);
  if (missing.empty())
    return replies;

  std::vector<command> evals;
  evals.reserve(missing.size());
  for (const std::size_t i : missing) {
    command& cmd = evals.emplace_back(calls[i]);
    const std::string_view sha = cmd[1];
    std::size_t s = 0;
    while (s < script_count && sha_[s] != sha)
      ++s;
    if (s == script_count)
      throw std::logic_error("script_set::run: NOSCRIPT for a call not made by call()");
    cmd.set(0, "EVAL");
    cmd.set(1, sources()[s]);
  }
  auto again = c.pipeline(evals, retry::once_if_connection_lost);
  if (!again)
    return again;
  for (std::size_t j = 0; j < missing.size(); ++j)
    (*replies)[missing[j]] = std::move((*again)[j]);
  return replies;
}

} // namespace taskmesh::valkey

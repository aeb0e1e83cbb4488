// The Lua scripts of redisHistory(): each runs atomically in Redis, so the epoch check, the
// offset, the XADD and the trimming of one publication are one step, whatever the instances do.
//
// Keys per channel (one hash slot, for Redis Cluster): KEYS[1] the stream, whose entry ids are
// `0-<offset>` (fields b: body, e: epoch, a: time in ms); KEYS[2] a hash with e (epoch) and
// t (top: the last offset given). A hash that vanished (a restart without persistence, an
// expiry) means the history is lost: a new epoch is set and the old stream dropped.

const ENSURE_EPOCH = `
local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[3]
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'e', epoch, 't', 0)
end
redis.call('PEXPIRE', KEYS[2], ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local maxAge = tonumber(ARGV[5])
`;

/**
 * Appends. ARGV: 1 body, 2 maxMessages, 3 a new epoch (used if none), 4 position TTL ms,
 * 5 maxAgeMs (0: none). Returns { epoch, offset }.
 */
export const APPEND_SCRIPT = `${ENSURE_EPOCH}
local top = redis.call('HINCRBY', KEYS[2], 't', 1)
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], string.format('0-%d', top), 'b', ARGV[1], 'e', epoch, 'a', now)
if maxAge > 0 then
  local cutoff = now - maxAge
  local head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
  if #head > 0 and tonumber(head[1][2][6]) < cutoff then
    local batch = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 128)
    local keep = nil
    for i = 1, #batch do
      if tonumber(batch[i][2][6]) >= cutoff then keep = batch[i][1]; break end
    end
    if keep == nil then keep = string.format('0-%d', tonumber(string.sub(batch[#batch][1], 3)) + 1) end
    redis.call('XTRIM', KEYS[1], 'MINID', keep)
  end
  redis.call('PEXPIRE', KEYS[1], maxAge)
end
return {epoch, top}
`;

/**
 * Reads. ARGV: 1 the offset after which to read ('' for the position only), 2 limit, 3 a new
 * epoch (used if none), 4 position TTL ms, 5 maxAgeMs (0: none), 6 the epoch asked for.
 * Returns { epoch, top, recovered (1/0), entries }.
 */
export const READ_SCRIPT = `${ENSURE_EPOCH}
local top = tonumber(redis.call('HGET', KEYS[2], 't'))
if ARGV[1] == '' then return {epoch, top, 1, {}} end
local after = tonumber(ARGV[1])
if ARGV[6] ~= epoch or after > top then return {epoch, top, 0, {}} end
if after == top then return {epoch, top, 1, {}} end
local first = string.format('0-%d', after + 1)
local entries = redis.call('XRANGE', KEYS[1], first, '+', 'COUNT', ARGV[2])
if #entries == 0 or entries[1][1] ~= first then return {epoch, top, 0, {}} end
if maxAge > 0 and tonumber(entries[1][2][6]) < now - maxAge then return {epoch, top, 0, {}} end
return {epoch, top, 1, entries}
`;

/** The epoch and top of channels, for the followers. KEYS: meta hashes. Returns { epoch or false, top } per key. */
export const POSITIONS_SCRIPT = `
local out = {}
for i = 1, #KEYS do
  local v = redis.call('HMGET', KEYS[i], 'e', 't')
  out[i] = {v[1], tonumber(v[2] or '0')}
end
return out
`;

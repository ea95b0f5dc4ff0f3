/**
 * The Lua scripts of the campaign engine. Each device transition is one script, so the counters
 * (`state:<s>`, `step:<name>`, `final`) move exactly once per real change: a transition to the
 * state a device already has changes nothing, a re-run after a crash finds the device where it
 * was. Every script takes the same KEYS (see DEVICE_KEYS in scripts.ts):
 *   1 record  2 states  3 steps  4 counts  5 data  6 runs  7 held  8 parked  9 bucket
 *   10 wakes (global)  11 parkedIn (global)  12 reasons
 */

const PRELUDE = `
local FINAL = { transferred = true, fellBack = true, failed = true, cancelled = true }
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Move a device to newState (and newStep, or keep its step), keeping every counter exact.
local function move(dev, newState, newStep)
  local old = redis.call('HGET', KEYS[2], dev)
  if not old then return false end
  local oldStep = redis.call('HGET', KEYS[3], dev)
  if not newStep or newStep == '' then newStep = oldStep end
  local oldLive = not FINAL[old]
  local newLive = not FINAL[newState]
  if old ~= newState then
    redis.call('HINCRBY', KEYS[4], 'state:' .. old, -1)
    redis.call('HINCRBY', KEYS[4], 'state:' .. newState, 1)
    redis.call('HSET', KEYS[2], dev, newState)
    if oldLive and not newLive then redis.call('HINCRBY', KEYS[4], 'final', 1) end
  end
  local before = false
  if oldLive and oldStep then before = oldStep end
  local after = false
  if newLive and newStep then after = newStep end
  if before ~= after then
    if before then redis.call('HINCRBY', KEYS[4], 'step:' .. before, -1) end
    if after then redis.call('HINCRBY', KEYS[4], 'step:' .. after, 1) end
  end
  if newStep and newStep ~= oldStep then redis.call('HSET', KEYS[3], dev, newStep) end
  return old
end
-- KEYS[11] maps a device to the space-separated campaigns where it is parked.
local function unpark(dev, cid)
  redis.call('SREM', KEYS[8], dev)
  local v = redis.call('HGET', KEYS[11], dev)
  if not v then return end
  local out = {}
  for w in string.gmatch(v, '%S+') do if w ~= cid then table.insert(out, w) end end
  if #out == 0 then redis.call('HDEL', KEYS[11], dev) else redis.call('HSET', KEYS[11], dev, table.concat(out, ' ')) end
end
local function park(dev, cid)
  redis.call('SADD', KEYS[8], dev)
  local v = redis.call('HGET', KEYS[11], dev)
  if not v then redis.call('HSET', KEYS[11], dev, cid) return end
  for w in string.gmatch(v, '%S+') do if w == cid then return end end
  redis.call('HSET', KEYS[11], dev, v .. ' ' .. cid)
end
-- When every device is final: a running/paused campaign becomes finished. Returns true the first time.
local function maybeFinish()
  local final = tonumber(redis.call('HGET', KEYS[4], 'final') or '0')
  local total = tonumber(redis.call('HGET', KEYS[1], 'devices') or '0')
  if final < total or redis.call('HEXISTS', KEYS[1], 'finishedAt') == 1 then return false end
  local st = redis.call('HGET', KEYS[1], 'state')
  if st == 'running' or st == 'paused' then redis.call('HSET', KEYS[1], 'state', 'finished') end
  redis.call('HSET', KEYS[1], 'finishedAt', string.format('%d', nowMs()))
  return true
end
local function finish(dev, cid, state, step, reason)
  move(dev, state, step)
  unpark(dev, cid)
  redis.call('SREM', KEYS[7], dev)
  if reason and reason ~= '' then redis.call('HSET', KEYS[12], dev, reason) end
  if maybeFinish() then return {state, 'finished'} end
  return {state}
end
`;

/**
 * A job run starts. ARGV: 1 device, 2 first step, 3 campaign id.
 * Returns {'gone'} | {'final', state} | {'cancelled'[, 'finished']} | {'held'} | {'throttled', waitMs}
 *       | {'run', runNumber, step, dataJson, wakeCounter}.
 * The per-campaign rate (`rate` runs per second, bursts of max(1, rate/10), on Redis's clock)
 * is charged here; a throttled device gets a reserved slot and the delay until it.
 */
export const CLAIM = `${PRELUDE}
local dev, cid = ARGV[1], ARGV[3]
local rstate = redis.call('HGET', KEYS[1], 'state')
if not rstate then return {'gone'} end
local cur = redis.call('HGET', KEYS[2], dev)
if not cur then return {'gone'} end
if FINAL[cur] then return {'final', cur} end
if rstate == 'cancelled' then return finish(dev, cid, 'cancelled', false, 'cancelled') end
if rstate ~= 'running' then
  unpark(dev, cid)
  move(dev, 'paused', false)
  redis.call('SADD', KEYS[7], dev)
  return {'held'}
end
local rate = tonumber(redis.call('HGET', KEYS[1], 'ratePerSecond') or '')
if rate and rate > 0 then
  -- GCRA: 'tat' is when the schedule is next free; a throttled device reserves its slot
  -- ('r:<dev>') so it comes back once, at its time, instead of polling the limiter.
  local now = nowMs()
  local interval = 1000 / rate
  local slot = tonumber(redis.call('HGET', KEYS[9], 'r:' .. dev) or '')
  if slot then
    if slot > now + 5 then return {'throttled', tostring(math.ceil(slot - now))} end
    redis.call('HDEL', KEYS[9], 'r:' .. dev)
  else
    local burst = math.max(1, math.floor(rate / 10))
    local tat = math.max(tonumber(redis.call('HGET', KEYS[9], 'tat') or '0'), now)
    redis.call('HSET', KEYS[9], 'tat', tostring(tat + interval))
    if tat - now > (burst - 1) * interval then
      redis.call('HSET', KEYS[9], 'r:' .. dev, tostring(tat))
      return {'throttled', tostring(math.ceil(tat - now))}
    end
  end
end
redis.call('SREM', KEYS[7], dev)
unpark(dev, cid)
local step = redis.call('HGET', KEYS[3], dev)
if not step then step = ARGV[2] end
move(dev, 'active', step)
local run = redis.call('HINCRBY', KEYS[6], dev, 1)
local data = redis.call('HGET', KEYS[5], dev) or ''
local wakes = redis.call('HGET', KEYS[10], dev) or '0'
return {'run', tostring(run), step, data, wakes}
`;

/**
 * A step's outcome is recorded. ARGV: 1 device, 2 run number ('' = unfenced), 3 kind
 * (next|wait|retry|park|done), 4 step, 5 data JSON ('' = keep), 6 final state (done), 7 wake
 * counter seen when the step started (park), 8 campaign id, 9 reason (done).
 * Returns {'stale'} (another run owns the device, or it is final) | {finalState[, 'finished']}
 *       | {'held'} | {'continue'} | {'delay'} | {'woken', wakeCounter} | {'parked'}.
 */
export const ADVANCE = `${PRELUDE}
local dev, kind, step, cid = ARGV[1], ARGV[3], ARGV[4], ARGV[8]
if ARGV[2] ~= '' and redis.call('HGET', KEYS[6], dev) ~= ARGV[2] then return {'stale'} end
local cur = redis.call('HGET', KEYS[2], dev)
if not cur or FINAL[cur] then return {'stale'} end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[5], dev, ARGV[5]) end
if kind == 'done' then return finish(dev, cid, ARGV[6], step, ARGV[9]) end
local rstate = redis.call('HGET', KEYS[1], 'state')
if rstate == 'cancelled' then return finish(dev, cid, 'cancelled', step, 'cancelled') end
if kind == 'park' then
  local w = redis.call('HGET', KEYS[10], dev) or '0'
  if w ~= ARGV[7] then
    move(dev, 'active', step)
    return {'woken', w}
  end
  move(dev, 'parked', step)
  park(dev, cid)
  return {'parked'}
end
if rstate ~= 'running' then
  move(dev, 'paused', step)
  redis.call('SADD', KEYS[7], dev)
  return {'held'}
end
if kind == 'next' then move(dev, 'active', step) return {'continue'} end
if kind == 'wait' then move(dev, 'waiting', step) return {'delay'} end
if kind == 'retry' then move(dev, 'retrying', step) return {'delay'} end
return redis.error_reply('unknown outcome kind ' .. kind)
`;

/**
 * Cancel devices that are not running a step. ARGV: 1 campaign id, 2.. device ids.
 * Returns the ids that were cancelled (their jobs may be removed).
 */
export const CANCEL_DEVICES = `${PRELUDE}
local cid = ARGV[1]
local out = {}
for i = 2, #ARGV do
  local dev = ARGV[i]
  local cur = redis.call('HGET', KEYS[2], dev)
  if cur and not FINAL[cur] and cur ~= 'active' then
    move(dev, 'cancelled', false)
    unpark(dev, cid)
    redis.call('SREM', KEYS[7], dev)
    redis.call('HSET', KEYS[12], dev, 'cancelled')
    table.insert(out, dev)
  end
end
maybeFinish()
return out
`;

/**
 * Campaign state change. KEYS: 1 record. ARGV: 1 operation (start|pause|resume|cancel), 2 now (ms).
 * Returns {'ok', previousState} | {'refused', state} | {'missing'}. Repeating an operation is allowed.
 */
export const SET_CAMPAIGN_STATE = `
local allowed = {
  start = { created = true, running = true },
  pause = { running = true, paused = true },
  resume = { paused = true, running = true },
  cancel = { created = true, running = true, paused = true, cancelled = true },
}
local target = { start = 'running', pause = 'paused', resume = 'running', cancel = 'cancelled' }
local op = ARGV[1]
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return {'missing'} end
if not allowed[op] or not allowed[op][st] then return {'refused', st} end
redis.call('HSET', KEYS[1], 'state', target[op])
if op == 'start' and st == 'created' then redis.call('HSET', KEYS[1], 'startedAt', ARGV[2]) end
return {'ok', st}
`;

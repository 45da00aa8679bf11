"""The job store on Redis: each operation one Lua script, so atomic across every process.

Keys, under `<name>:q:`: `data` and `meta` (hashes by job id: the Job's JSON; pr, key, head,
seq), `tries` (hash: times taken), `ready` (sorted set by submission order), `delayed`
(sorted set by the time a retry is due), `leased` (sorted set by lease expiry), `owner`
(hash: who holds a lease), `pr` (hash: pull request -> the job leased for it) and `latest`
(hash: Job.key -> the newest job with a head). Every entry is deleted with its job.
Not for Redis Cluster: the scripts touch keys they compute.
"""

from __future__ import annotations

import time
from typing import Any

from bot.errors import ConfigError
from bot.queue.store import Taken, redact_url

_COMMON = """
local p = ARGV[1]
local function meta(id)
  local raw = redis.call('HGET', p .. 'meta', id)
  if not raw then return nil end
  return cjson.decode(raw)
end
local function unlease(id, m)
  redis.call('ZREM', p .. 'leased', id)
  redis.call('HDEL', p .. 'owner', id)
  if m and redis.call('HGET', p .. 'pr', m.pr) == id then redis.call('HDEL', p .. 'pr', m.pr) end
end
local function forget(id, m)
  unlease(id, m)
  redis.call('ZREM', p .. 'ready', id)
  redis.call('ZREM', p .. 'delayed', id)
  redis.call('HDEL', p .. 'data', id)
  redis.call('HDEL', p .. 'meta', id)
  redis.call('HDEL', p .. 'tries', id)
  if m and m.head ~= '' then
    local latest = redis.call('HGET', p .. 'latest', m.key)
    if latest and cjson.decode(latest).id == id then redis.call('HDEL', p .. 'latest', m.key) end
  end
end
local function holds(id, owner)
  return redis.call('HGET', p .. 'owner', id) == owner and
    redis.call('ZSCORE', p .. 'leased', id)
end
"""

# ARGV: prefix, id, key, pr, head, data
_ADD = (
    _COMMON
    + """
local id, key, pr, head = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local seq = redis.call('INCR', p .. 'seq')
redis.call('HSET', p .. 'data', id, ARGV[6])
redis.call('HSET', p .. 'meta', id, cjson.encode({pr = pr, key = key, head = head, seq = seq}))
redis.call('HSET', p .. 'tries', id, 0)
redis.call('ZADD', p .. 'ready', seq, id)
if head == '' then return false end
local previous = redis.call('HGET', p .. 'latest', key)
redis.call('HSET', p .. 'latest', key, cjson.encode({id = id, head = head}))
if not previous then return false end
previous = cjson.decode(previous)
if previous.head == head then return false end
local queued = redis.call('ZSCORE', p .. 'ready', previous.id) or
  redis.call('ZSCORE', p .. 'delayed', previous.id)
if not queued then return false end
local m = meta(previous.id)
forget(previous.id, m)
redis.call('HSET', p .. 'latest', key, cjson.encode({id = id, head = head}))
return previous.id
"""
)

# ARGV: prefix, now, lease_until, owner
_TAKE = (
    _COMMON
    + """
local now, lease_until, owner = tonumber(ARGV[2]), ARGV[3], ARGV[4]
for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. 'leased', '-inf', '(' .. now)) do
  local m = meta(id)
  unlease(id, m)
  if m then redis.call('ZADD', p .. 'ready', m.seq, id) end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. 'delayed', '-inf', now)) do
  redis.call('ZREM', p .. 'delayed', id)
  local m = meta(id)
  if m then redis.call('ZADD', p .. 'ready', m.seq, id) end
end
for _, id in ipairs(redis.call('ZRANGE', p .. 'ready', 0, 499)) do
  local m = meta(id)
  if not m then
    redis.call('ZREM', p .. 'ready', id)
  elseif redis.call('HEXISTS', p .. 'pr', m.pr) == 0 then
    redis.call('ZREM', p .. 'ready', id)
    redis.call('ZADD', p .. 'leased', lease_until, id)
    redis.call('HSET', p .. 'owner', id, owner)
    redis.call('HSET', p .. 'pr', m.pr, id)
    local tries = redis.call('HINCRBY', p .. 'tries', id, 1)
    local superseded = 0
    if m.head ~= '' then
      local latest = redis.call('HGET', p .. 'latest', m.key)
      if latest and cjson.decode(latest).head ~= m.head then superseded = 1 end
    end
    return {id, redis.call('HGET', p .. 'data', id), tries, superseded}
  end
end
return false
"""
)

# ARGV: prefix, id, owner, lease_until
_RENEW = (
    _COMMON
    + """
if not holds(ARGV[2], ARGV[3]) then return 0 end
redis.call('ZADD', p .. 'leased', 'XX', ARGV[4], ARGV[2])
return 1
"""
)

# ARGV: prefix, id, owner
_FINISH = (
    _COMMON
    + """
if not holds(ARGV[2], ARGV[3]) then return 0 end
forget(ARGV[2], meta(ARGV[2]))
return 1
"""
)

# ARGV: prefix, id, owner, due (a time: retry; empty: release now, this take not counted)
_GIVE_BACK = (
    _COMMON
    + """
local id = ARGV[2]
if not holds(id, ARGV[3]) then return 0 end
local m = meta(id)
unlease(id, m)
if ARGV[4] ~= '' then
  redis.call('ZADD', p .. 'delayed', ARGV[4], id)
else
  redis.call('HINCRBY', p .. 'tries', id, -1)
  redis.call('ZADD', p .. 'ready', m.seq, id)
end
return 1
"""
)


class RedisJobStore:
    def __init__(self, url: str, name: str) -> None:
        self.where = redact_url(url)
        self.redis = redis_client(url)
        self.prefix = f"{name}:q:"
        self._add = self.redis.register_script(_ADD)
        self._take = self.redis.register_script(_TAKE)
        self._renew = self.redis.register_script(_RENEW)
        self._finish = self.redis.register_script(_FINISH)
        self._give_back = self.redis.register_script(_GIVE_BACK)

    def add(self, job_id: str, key: str, pr: str, head_sha: str, data: str) -> str | None:
        dropped = self._add(args=[self.prefix, job_id, key, pr, head_sha, data])
        return _text(dropped) if dropped else None

    def take(self, owner: str, lease_s: float) -> Taken | None:
        now = time.time()
        got = self._take(args=[self.prefix, repr(now), repr(now + lease_s), owner])
        if not got:
            return None
        job_id, data, tries, superseded = got
        return Taken(_text(job_id), _text(data), int(tries), bool(int(superseded)))

    def renew(self, job_id: str, owner: str, lease_s: float) -> bool:
        return bool(self._renew(args=[self.prefix, job_id, owner, repr(time.time() + lease_s)]))

    def finish(self, job_id: str, owner: str) -> bool:
        return bool(self._finish(args=[self.prefix, job_id, owner]))

    def retry(self, job_id: str, owner: str, delay_s: float) -> bool:
        due = repr(time.time() + delay_s)
        return bool(self._give_back(args=[self.prefix, job_id, owner, due]))

    def release(self, job_id: str, owner: str) -> bool:
        return bool(self._give_back(args=[self.prefix, job_id, owner, ""]))

    def count(self) -> int:
        p = self.prefix
        pipe = self.redis.pipeline()
        for name in ("ready", "delayed", "leased"):
            pipe.zcard(p + name)
        return int(sum(pipe.execute()))

    def queued(self, limit: int | None = None) -> list[str]:
        ids = self.redis.zrange(self.prefix + "ready", 0, -1 if limit is None else limit - 1)
        if not ids:
            return []
        return [_text(d) for d in self.redis.hmget(self.prefix + "data", ids) if d is not None]

    def close(self) -> None:
        self.redis.close()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def redis_client(url: str) -> Any:
    try:
        import redis
    except ImportError:
        raise ConfigError(
            f"the queue URL {redact_url(url)} needs the redis package",
            hint="pip install redis, or leave SWITCHYARD_QUEUE_URL unset for the SQLite queue",
        ) from None
    return redis.Redis.from_url(url)

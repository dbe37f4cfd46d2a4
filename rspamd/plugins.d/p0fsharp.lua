--[[
P0fSharp plugin for rspamd (module `p0fsharp`).

Asks a daemon speaking the p0f v3 query API (P0fSharp, or p0f 3.x itself) which operating
system the SMTP client runs, and reports it as a symbol, optional pattern symbols and an
optional header for the MTA to add.

The module is deliberately not called `p0f`: rspamd ships a stock module of that name, and a
plugin file with the same name would be skipped ("already seen module"). Both can be enabled
at the same time; they share nothing but the daemon's socket.

Wire format (host byte order, both ends on the same machine):
  query   21 bytes: u32 magic 0x50304601, u8 address type (4 or 6), 16 address bytes
  answer 232 bytes: u32 magic 0x50304602, u32 status (0x00 bad query, 0x10 ok, 0x20 no match),
                    u32 first_seen, last_seen, total_conn, uptime_min, up_mod_days, last_nat,
                    last_chg, s16 distance, u8 bad_sw, u8 os_match_q, then six 32-byte strings:
                    os_name, os_flavor, http_name, http_flavor, link_type, language
]]--

local N = 'p0fsharp'

local rspamd_logger = require "rspamd_logger"
local lua_util = require "lua_util"

if confighelp then
  rspamd_config:add_example(nil, N,
    'Passive OS fingerprint of the SMTP client, from a p0f v3 API daemon (P0fSharp or p0f)',
    [[
p0fsharp {
  # unix socket of the daemon (p0fsharp -s / p0f -s)
  socket = "/run/p0f/p0f.sock";
  # give up on the daemon after this long (the message waits at most this long)
  timeout = 2s;
  # symbol carrying the verdict: OS, link=..., distance=..., uptime=...min (when known)
  symbol = "P0FSHARP";
  # symbol inserted when the daemon cannot be asked or answers nonsense (false = none)
  fail_symbol = "P0FSHARP_FAIL";
  # header the MTA is asked to add (milter add_headers); false = no header
  header = "X-OS-Fingerprint";
  # extra symbols when the OS string matches a regexp
  patterns {
    WINDOWS = "^Windows";
  }
  # redis cache, used when redis servers are configured (here or in the global redis section)
  expire = 2h;
  key_prefix = "p0fsharp:";
}
]])
  return
end

local rspamd_tcp = require "rspamd_tcp"
local rspamd_util = require "rspamd_util"
local rspamd_regexp = require "rspamd_regexp"
local lua_redis = require "lua_redis"
local has_mime, lua_mime = pcall(require, "lua_mime")

local unpack_list = table.unpack or unpack -- luacheck: ignore

local QUERY_MAGIC = 0x50304601
local ANSWER_MAGIC = 0x50304602
local ANSWER_LEN = 232
local STATUS_BADQUERY, STATUS_OK, STATUS_NOMATCH = 0x00, 0x10, 0x20
-- '=' native byte order: magic .. last_chg (9 x u32), distance (s16), bad_sw, os_match_q, 6 strings
local ANSWER_FORMAT = '=I4I4I4I4I4I4I4I4I4i2BBc32c32c32c32c32c32'
-- p0f and P0fSharp write an answer at once; a peer that needs more reads than this is broken
local MAX_READS = 8

local settings = {
  socket = '/run/p0f/p0f.sock',
  timeout = 2.0,
  symbol = 'P0FSHARP',
  fail_symbol = 'P0FSHARP_FAIL',
  header = 'X-OS-Fingerprint',
  remove_existing_header = true,
  skip_local = true,
  patterns = {},
  expire = 7200,
  key_prefix = 'p0fsharp:',
}

-- keys that belong to rspamd itself or to the redis settings of this section
local foreign_keys = {
  enabled = true, servers = true, read_servers = true, write_servers = true, redis = true,
  db = true, database = true, dbname = true, password = true, username = true,
  expand_keys = true, sentinels = true, sentinel_watch_time = true,
  sentinel_masters_pattern = true, sentinel_master_maxerrors = true, upstreams = true,
}

local compiled_patterns = {} -- symbol -> rspamd_regexp
local redis_params

---------------------------------------------------------------------------- helpers

local function hex32(n)
  local digits, out = '0123456789abcdef', {}
  n = tonumber(n) or 0
  for i = 8, 1, -1 do
    local d = n % 16
    out[i] = digits:sub(d + 1, d + 1)
    n = (n - d) / 16
  end
  return '0x' .. table.concat(out)
end

local function seconds(value, name, default)
  if type(value) == 'number' and value > 0 then
    return value
  end
  if type(value) == 'string' then
    local t = lua_util.parse_time_interval(value)
    if t and t > 0 then
      return t
    end
  end
  rspamd_logger.errx(rspamd_config, '%s: bad %s value "%s", using %s', N, name, value, default)
  return default
end

-- A 32-byte answer field: up to the first NUL (a value of 32+ characters has none), only
-- printable ASCII (no header or log injection), trimmed.
local function field_text(raw)
  if type(raw) ~= 'string' then
    return ''
  end
  local nul = raw:find('\0', 1, true)
  if nul then
    raw = raw:sub(1, nul - 1)
  end
  raw = raw:gsub('[%c\127-\255]', '')
  raw = raw:gsub('^%s+', '')
  raw = raw:gsub('%s+$', '')
  return raw
end

-- Address type and the 16 address bytes of the query; nil for anything we cannot ask about.
local function query_address(ip)
  local ok, version, octets = pcall(function()
    return ip:get_version(), ip:to_table()
  end)
  if not ok or type(octets) ~= 'table' then
    return nil
  end
  if version == 6 and #octets == 16 then
    -- an IPv4-mapped address is an IPv4 host for the daemon
    local mapped = octets[11] == 0xff and octets[12] == 0xff
    for i = 1, 10 do
      if octets[i] ~= 0 then
        mapped = false
      end
    end
    if mapped then
      version, octets = 4, { octets[13], octets[14], octets[15], octets[16] }
    end
  elseif not (version == 4 and #octets == 4) then
    return nil
  end
  return version, string.char(unpack_list(octets)) .. string.rep('\0', 16 - #octets)
end

-- Decode a raw answer. Returns a table ({status = 'ok' | 'nomatch', ...}) or nil and a reason.
local function parse_answer(raw)
  if type(raw) ~= 'string' then
    return nil, 'no answer'
  end
  if #raw ~= ANSWER_LEN then
    return nil, string.format('answer of %d bytes, expected %d', #raw, ANSWER_LEN)
  end
  local ok, magic, status, _, _, _, uptime_min, up_mod_days, _, _, distance, _, _,
      os_name, os_flavor, _, _, link_type = pcall(rspamd_util.unpack, ANSWER_FORMAT, raw)
  if not ok then
    return nil, 'undecodable answer'
  end
  if magic ~= ANSWER_MAGIC then
    return nil, 'bad answer magic ' .. hex32(magic)
  end
  if status == STATUS_NOMATCH then
    return { status = 'nomatch' }
  elseif status == STATUS_BADQUERY then
    return nil, 'daemon rejected the query (bad query)'
  elseif status ~= STATUS_OK then
    return nil, 'unknown answer status ' .. hex32(status)
  end

  local name, flavor, link = field_text(os_name), field_text(os_flavor), field_text(link_type)
  local res = {
    status = 'ok',
    os = 'unknown',
    link = link ~= '' and link or 'unknown',
    distance = tonumber(distance) or -1,
  }
  if name ~= '' then
    res.os = flavor ~= '' and (name .. ' ' .. flavor) or name
  end
  -- both are 0 until the daemon has computed an uptime from TCP timestamps
  if (tonumber(up_mod_days) or 0) > 0 then
    res.uptime_min = tonumber(uptime_min)
  end
  return res
end

local function fail(task, reason)
  rspamd_logger.warnx(task, '%s: no fingerprint from %s: %s', N, settings.socket, reason)
  if settings.fail_symbol then
    task:insert_result(settings.fail_symbol, 1.0, reason)
  end
end

local function add_header(task, ip, fp)
  local parts = { fp.os, 'link=' .. fp.link, 'distance=' .. tostring(fp.distance) }
  if fp.uptime_min then
    parts[#parts + 1] = string.format('uptime=%dmin', fp.uptime_min)
  end
  parts[#parts + 1] = 'ip=' .. tostring(ip)
  -- fold between parts when a line would pass 78 characters; unfolding restores "; "
  local newline = '\r\n'
  if task:has_flag('milter') then
    newline = '\n'
  else
    local style = task:get_newlines_type()
    if style == 'lf' then
      newline = '\n'
    elseif style == 'cr' then
      newline = '\r'
    end
  end
  local value, line_len = parts[1], #settings.header + 2 + #parts[1]
  for i = 2, #parts do
    if line_len + 2 + #parts[i] > 78 then
      value = value .. ';' .. newline .. ' ' .. parts[i]
      line_len = 1 + #parts[i]
    else
      value = value .. '; ' .. parts[i]
      line_len = line_len + 2 + #parts[i]
    end
  end

  local remove
  if settings.remove_existing_header then
    remove = { [settings.header] = 0 } -- 0: every copy the message arrived with
  end
  if has_mime and type(lua_mime.modify_headers) == 'function' then
    -- the milter reply, and the header changes rspamd records for the task itself
    lua_mime.modify_headers(task, {
      add = { [settings.header] = { order = -1, value = value } },
      remove = remove,
    })
  else
    task:set_milter_reply({ add_headers = { [settings.header] = value }, remove_headers = remove })
  end
end

local function report(task, ip, fp, source)
  local opts = { fp.os, 'link=' .. fp.link, 'distance=' .. tostring(fp.distance) }
  if fp.uptime_min then
    opts[#opts + 1] = string.format('uptime=%dmin', fp.uptime_min)
  end
  lua_util.debugm(N, task, '%s is %s (from %s)', ip, opts, source)
  task:insert_result(settings.symbol, 1.0, opts)

  for sym, re in pairs(compiled_patterns) do
    if re:match(fp.os) then
      task:insert_result(sym, 1.0, fp.os)
    end
  end

  -- the same variable as rspamd's stock p0f module, so milter_headers' x-os-fingerprint
  -- routine works with this plugin as well
  task:get_mempool():set_variable('os_fingerprint', fp.os, fp.link,
      fp.uptime_min or 0, fp.distance)

  if settings.header then
    add_header(task, ip, fp)
  end
end

---------------------------------------------------------------------------- daemon and cache

local function cache_key(ip)
  return settings.key_prefix .. ip:to_string()
end

local function store(task, ip, raw)
  local key = cache_key(ip)
  local function set_cb(err)
    if err then
      rspamd_logger.infox(task, '%s: cannot cache %s in redis: %s', N, key, err)
    end
  end
  local ok = lua_redis.redis_make_request(task, redis_params, key, true, set_cb,
      'SETEX', { key, tostring(math.floor(settings.expire)), raw })
  if not ok then
    rspamd_logger.infox(task, '%s: cannot cache %s: redis unavailable', N, key)
  end
end

-- One connection per message: send the query, read until 232 bytes, then decide.
local function ask_daemon(task, ip, version, addr)
  local started = rspamd_util.get_time()
  local chunks, got, reads, finished = {}, 0, 0, false

  local function finish(raw, err)
    if finished then
      return
    end
    finished = true
    if not raw then
      fail(task, err)
      return
    end
    local fp, perr = parse_answer(raw)
    if not fp then
      fail(task, perr)
    elseif fp.status == 'nomatch' then
      lua_util.debugm(N, task, 'the daemon has not seen %s', ip)
    else
      report(task, ip, fp, 'daemon')
      if redis_params then
        store(task, ip, raw)
      end
    end
  end

  local function on_read(err, data, conn)
    local ok, lerr = pcall(function()
      if finished then
        return
      end
      local elapsed = rspamd_util.get_time() - started
      if err then
        local e = tostring(err)
        if e:find('timeout', 1, true) then
          e = string.format('timeout after %.2fs', elapsed)
        end
        if got > 0 then
          finish(nil, string.format('short answer, %d of %d bytes (%s)', got, ANSWER_LEN, e))
        else
          finish(nil, e)
        end
        return
      end
      local chunk = data and tostring(data) or ''
      reads = reads + 1
      got = got + #chunk
      chunks[#chunks + 1] = chunk
      if got == ANSWER_LEN then
        finish(table.concat(chunks))
      elseif got > ANSWER_LEN then
        finish(nil, string.format('oversized answer, %d bytes', got))
      elseif reads >= MAX_READS or elapsed >= settings.timeout then
        finish(nil, string.format('short answer, %d of %d bytes after %.2fs', got, ANSWER_LEN, elapsed))
      else
        conn:add_read(on_read) -- the rest of an answer written in pieces
      end
    end)
    if not ok then
      finish(nil, 'internal error: ' .. tostring(lerr))
    end
  end

  local query = rspamd_util.pack('=I4B', QUERY_MAGIC, version) .. addr
  local ok, sent = pcall(rspamd_tcp.request, {
    task = task,
    host = settings.socket,
    data = query,
    callback = on_read,
    timeout = settings.timeout,
    read = true,
  })
  if not ok then
    finish(nil, 'cannot query: ' .. tostring(sent))
  elseif not sent then
    -- rspamd usually reports the reason to on_read already; this is the fallback
    finish(nil, 'cannot connect to the host: ' .. settings.socket)
  end
end

local function lookup(task, ip, version, addr)
  if not redis_params then
    ask_daemon(task, ip, version, addr)
    return
  end
  local key = cache_key(ip)
  local function get_cb(err, data)
    local ok, lerr = pcall(function()
      if err then
        rspamd_logger.infox(task, '%s: redis GET %s failed (%s), asking the daemon', N, key, err)
      elseif type(data) == 'string' then
        local fp, perr = parse_answer(data)
        if fp and fp.status == 'ok' then
          report(task, ip, fp, 'cache')
          return
        end
        rspamd_logger.infox(task, '%s: ignoring cached %s: %s', N, key, perr or 'not a verdict')
      end
      ask_daemon(task, ip, version, addr)
    end)
    if not ok then
      fail(task, 'internal error: ' .. tostring(lerr))
    end
  end
  local sent = lua_redis.redis_make_request(task, redis_params, key, false, get_cb, 'GET', { key })
  if not sent then
    rspamd_logger.infox(task, '%s: redis unavailable, asking the daemon', N)
    ask_daemon(task, ip, version, addr)
  end
end

local function p0fsharp_check(task)
  local ok, err = pcall(function()
    local ip = task:get_from_ip()
    if not (ip and ip:is_valid()) then
      lua_util.debugm(N, task, 'no client address, nothing to ask')
      return
    end
    if settings.skip_local and ip:is_local() then
      lua_util.debugm(N, task, 'local client %s, skipped', ip)
      return
    end
    local version, addr = query_address(ip)
    if not version then
      lua_util.debugm(N, task, 'cannot put %s into a query, skipped', ip)
      return
    end
    lookup(task, ip, version, addr)
  end)
  if not ok then
    fail(task, 'internal error: ' .. tostring(err))
  end
end

---------------------------------------------------------------------------- configuration

local function configure()
  local opts = rspamd_config:get_all_opt(N)
  if type(opts) ~= 'table' then
    lua_util.disable_module(N, 'config')
    rspamd_logger.infox(rspamd_config, '%s: no %s section, module disabled', N, N)
    return false
  end

  -- names used by the seed plugin and by the stock module
  if opts.prefix ~= nil and opts.key_prefix == nil then
    opts.key_prefix = opts.prefix
  end
  if opts.symbol_fail ~= nil and opts.fail_symbol == nil then
    opts.fail_symbol = opts.symbol_fail
  end
  for k in pairs(opts) do
    if settings[k] == nil and not foreign_keys[k] and k ~= 'prefix' and k ~= 'symbol_fail' then
      rspamd_logger.warnx(rspamd_config, '%s: unknown option "%s" ignored', N, k)
    end
  end
  for k, v in pairs(opts) do
    if settings[k] ~= nil then
      settings[k] = v
    end
  end

  settings.timeout = seconds(settings.timeout, 'timeout', 2.0)
  settings.expire = seconds(settings.expire, 'expire', 7200)
  if type(settings.socket) ~= 'string' or settings.socket:sub(1, 1) ~= '/' then
    rspamd_logger.errx(rspamd_config, '%s: socket must be an absolute path, got "%s"; module disabled',
        N, settings.socket)
    lua_util.disable_module(N, 'fail')
    return false
  end
  if type(settings.symbol) ~= 'string' or settings.symbol == '' then
    settings.symbol = 'P0FSHARP'
  end
  if settings.fail_symbol == false or settings.fail_symbol == '' then
    settings.fail_symbol = nil
  elseif type(settings.fail_symbol) ~= 'string' then
    settings.fail_symbol = 'P0FSHARP_FAIL'
  end
  if settings.header == false or settings.header == '' or settings.header == 'none' then
    settings.header = nil
  elseif type(settings.header) ~= 'string' or settings.header:find('[^%w%-_]') then
    rspamd_logger.errx(rspamd_config, '%s: bad header name "%s", no header will be added',
        N, settings.header)
    settings.header = nil
  end
  settings.remove_existing_header = settings.remove_existing_header ~= false
  settings.skip_local = settings.skip_local ~= false
  if type(settings.key_prefix) ~= 'string' then
    settings.key_prefix = tostring(settings.key_prefix)
  end

  local scores = {}
  if type(settings.patterns) == 'table' then
    for sym, spec in pairs(settings.patterns) do
      local re_text, score = spec, nil
      if type(spec) == 'table' then
        re_text, score = spec.regexp or spec.re or spec[1], tonumber(spec.score)
      end
      local re = type(sym) == 'string' and type(re_text) == 'string'
          and rspamd_regexp.create_cached(re_text)
      if re then
        compiled_patterns[sym] = re
        scores[sym] = score
      else
        rspamd_logger.errx(rspamd_config, '%s: bad pattern %s = %s, ignored', N, sym, spec)
      end
    end
  end

  if settings.expire > 0 then
    redis_params = lua_redis.parse_redis_server(N)
  end
  if redis_params and type(lua_redis.register_prefix) == 'function' then
    lua_redis.register_prefix(settings.key_prefix .. '*', N, 'P0fSharp OS fingerprint cache',
        { type = 'string' })
  end

  local priorities = lua_util.symbols_priorities or {}
  local id = rspamd_config:register_symbol({
    name = settings.symbol .. '_CHECK',
    type = 'prefilter',
    callback = p0fsharp_check,
    priority = priorities.medium or 5,
    flags = 'empty,nostat',
    group = N,
    augmentations = { string.format('timeout=%f', settings.timeout) },
  })
  local function child(name, description, score)
    rspamd_config:register_symbol({
      name = name,
      type = 'virtual',
      parent = id,
      flags = 'empty,nostat',
      group = N,
      score = score or 0.0,
      description = description,
    })
  end
  child(settings.symbol, 'OS fingerprint of the SMTP client (P0fSharp)')
  if settings.fail_symbol then
    child(settings.fail_symbol, 'OS fingerprint daemon could not be asked')
  end
  for sym in pairs(compiled_patterns) do
    child(sym, 'OS fingerprint matches a p0fsharp pattern', scores[sym])
  end

  rspamd_logger.infox(rspamd_config,
      '%s: socket %s, timeout %ss, symbol %s, failure symbol %s, header %s, %s patterns, cache %s',
      N, settings.socket, settings.timeout, settings.symbol, settings.fail_symbol or 'none',
      settings.header or 'none', lua_util.nkeys(compiled_patterns),
      redis_params and (settings.key_prefix .. '<ip>, ' .. settings.expire .. 's') or 'off')
  return true
end

configure()

--[[
P0fSharp's bundled rspamd plugin: asks a daemon that speaks the p0f v3 query API (P0fSharp, or
p0f 3.x itself) which operating system the SMTP client runs, and reports it as a symbol (P0F),
optional pattern symbols, a failure symbol (P0F_FAIL) and an X-OS-Fingerprint header for the MTA.

Naming. rspamd ships a stock module called `p0f` and skips any user plugin of that name
("already seen module"), so this file is the module `p0fsharp`; modules.d/p0fsharp.conf only
switches it on. Its settings are read from the `p0f` section, i.e. local.d/p0f.conf, the same
file the stock module reads: one configuration, two possible clients. The `enabled` key of that
section is the stock module's switch. When it is true the stock module runs, and this plugin
stays off (it logs why) rather than ask the daemon a second time and add a second P0F.

Wire format (host byte order; both ends are on the same machine):
  query   21 bytes: u32 magic 0x50304601, u8 address type (4 or 6), 16 address bytes
  answer 232 bytes: u32 magic 0x50304602, u32 status (0x00 bad query, 0x10 ok, 0x20 no match),
                    u32 first_seen, last_seen, total_conn, uptime_min, up_mod_days, last_nat,
                    last_chg, s16 distance, u8 bad_sw, u8 os_match_q, then six 32-byte strings:
                    os_name, os_flavor, http_name, http_flavor, link_type, language
]]--

local N = 'p0fsharp'
local SECTION = 'p0f'

local rspamd_logger = require "rspamd_logger"
local lua_util = require "lua_util"

if confighelp then
  rspamd_config:add_example(nil, N,
    'OS fingerprint of the SMTP client from a p0f v3 API daemon (P0fSharp or p0f); settings in local.d/p0f.conf',
    [[
# local.d/p0f.conf (the `p0f` section; leave `enabled` unset: true means rspamd's stock module)
socket = "/run/p0f/p0f.sock";   # the daemon's API socket
timeout = 2s;                   # longest wait per message
symbol = "P0F";                 # verdict: "<OS> <flavor>", "link=<type>", "distance=<hops>"
symbol_fail = "P0F_FAIL";       # daemon unreachable, too slow or answering nonsense
header = "X-OS-Fingerprint";    # milter header for the MTA; false = none
patterns {
  WINDOWS = "^Windows";         # extra symbol when the OS string matches
}
expire = 2h;                    # redis cache lifetime (when redis is configured)
prefix = "p0f";                 # redis key = prefix .. client address
]])
  return
end

local rspamd_tcp = require "rspamd_tcp"
local rspamd_util = require "rspamd_util"
local rspamd_regexp = require "rspamd_regexp"
local lua_redis = require "lua_redis"
local lua_mime = require "lua_mime"

local QUERY_MAGIC = 0x50304601
local ANSWER_MAGIC = 0x50304602
local ANSWER_LEN = 232
local STATUS_BADQUERY, STATUS_OK, STATUS_NOMATCH = 0x00, 0x10, 0x20
-- '=': native byte order; magic .. last_chg (9 x u32), distance (s16), bad_sw, os_match_q, strings
local ANSWER_FORMAT = '=I4I4I4I4I4I4I4I4I4i2BBc32c32c32c32c32c32'
-- p0f and P0fSharp write an answer at once; a peer that needs more reads than this is broken
local MAX_READS = 8

local settings = {
  socket = '/run/p0f/p0f.sock',
  timeout = 2.0,
  symbol = 'P0F',
  symbol_fail = 'P0F_FAIL',
  header = 'X-OS-Fingerprint',
  remove_existing_header = true,
  skip_local = true,
  patterns = {},
  expire = 7200,
  prefix = 'p0f',
}

local compiled_patterns = {} -- symbol -> rspamd_regexp
local redis_params

---------------------------------------------------------------------------- answers

local function hex32(n)
  return string.format('0x%08x', math.floor(tonumber(n) or 0))
end

-- A 32-byte answer field: up to the first NUL (a value of 32+ characters has none), printable
-- ASCII only (nothing a daemon sends can inject a header line or a log line), trimmed.
local function field_text(raw)
  if type(raw) ~= 'string' then
    return ''
  end
  local nul = raw:find('\0', 1, true)
  if nul then
    raw = raw:sub(1, nul - 1)
  end
  raw = raw:gsub('[%c\127-\255]', '')
  return (raw:gsub('^%s+', ''):gsub('%s+$', ''))
end

-- Address type and the 16 address bytes of the query; nil for what cannot be asked about.
local function query_address(ip)
  local ok, version, octets = pcall(function()
    return ip:get_version(), ip:to_table()
  end)
  if not ok or type(octets) ~= 'table' then
    return nil
  end
  if not ((version == 4 and #octets == 4) or (version == 6 and #octets == 16)) then
    return nil
  end
  local bytes = {}
  for i, b in ipairs(octets) do
    bytes[i] = string.char(b)
  end
  return version, table.concat(bytes) .. string.rep('\0', 16 - #octets)
end

-- Decodes a raw answer: {status = 'ok', os, link, distance, uptime_min?} or {status = 'nomatch'},
-- or nil and the reason it is not a usable answer.
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
    return nil, 'the daemon rejected the query (bad query)'
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
  -- both stay 0 until the daemon has measured the uptime from TCP timestamps
  if (tonumber(up_mod_days) or 0) > 0 then
    res.uptime_min = tonumber(uptime_min)
  end
  return res
end

---------------------------------------------------------------------------- results

local function fail(task, reason)
  rspamd_logger.warnx(task, '%s: no fingerprint from %s: %s', N, settings.socket, reason)
  if settings.symbol_fail then
    task:insert_result(settings.symbol_fail, 1.0, reason)
  end
end

local function describe(fp)
  local parts = { fp.os, 'link=' .. fp.link, 'distance=' .. tostring(fp.distance) }
  if fp.uptime_min then
    parts[#parts + 1] = string.format('uptime=%dmin', fp.uptime_min)
  end
  return parts
end

local function add_header(task, ip, parts)
  local words = { table.concat(parts, '; '), 'ip=' .. tostring(ip) }
  local value = lua_util.fold_header(task, settings.header, table.concat(words, '; '))
  local remove
  if settings.remove_existing_header then
    remove = { [settings.header] = 0 } -- 0: every copy the message arrived with (forged ones)
  end
  lua_mime.modify_headers(task, {
    add = { [settings.header] = { order = -1, value = value } },
    remove = remove,
  })
end

local function report(task, ip, fp, source)
  local parts = describe(fp)
  lua_util.debugm(N, task, '%s is %s (from the %s)', ip, parts, source)
  task:insert_result(settings.symbol, 1.0, parts)

  for sym, re in pairs(compiled_patterns) do
    if re:match(fp.os) then
      task:insert_result(sym, 1.0, fp.os)
    end
  end

  -- the stock module's task variable, so milter_headers' x-os-fingerprint routine works too
  task:get_mempool():set_variable('os_fingerprint', fp.os, fp.link,
      fp.uptime_min or 0, fp.distance)

  if settings.header then
    add_header(task, ip, parts)
  end
end

---------------------------------------------------------------------------- daemon and cache

local function cache_key(ip)
  return settings.prefix .. ip:to_string()
end

-- Only verdicts are cached, as the raw answer: the stock module stores the same bytes under the
-- same key, so either client can use what the other cached.
local function store(task, ip, raw)
  local key = cache_key(ip)
  local function set_cb(err)
    if err then
      rspamd_logger.infox(task, '%s: cannot cache %s in redis: %s', N, key, err)
    end
  end
  if not lua_redis.redis_make_request(task, redis_params, key, true, set_cb,
      'SETEX', { key, tostring(math.floor(settings.expire)), raw }) then
    rspamd_logger.infox(task, '%s: cannot cache %s: redis unavailable', N, key)
  end
end

-- One connection per message: send the query, read until 232 bytes, then judge the answer.
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
        -- the rest of an answer written in pieces; rspamd restarts the timeout for each read
        conn:add_read(on_read)
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
    -- rspamd usually passes the reason to on_read first; this is the fallback
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
  if not lua_redis.redis_make_request(task, redis_params, key, false, get_cb, 'GET', { key }) then
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
    -- loopback, plus options.local_addrs (Debian: the private ranges), as the stock module
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

local function truthy(v)
  if type(v) == 'string' then
    v = v:lower()
    return v == 'true' or v == 'yes' or v == 'on' or v == '1'
  end
  return v == true or v == 1
end

local function seconds(value, name, default)
  if type(value) == 'number' and value >= 0 then
    return value
  end
  if type(value) == 'string' then
    local t = lua_util.parse_time_interval(value)
    if t and t >= 0 then
      return t
    end
  end
  rspamd_logger.errx(rspamd_config, '%s: bad %s value "%s", using %s', N, name, value, default)
  return default
end

local function register(scores)
  local priorities = lua_util.symbols_priorities or {}
  local id = rspamd_config:register_symbol({
    name = settings.symbol .. '_CHECK',
    type = 'prefilter',
    callback = p0fsharp_check,
    priority = priorities.medium or 5,
    flags = 'empty,nostat',
    group = SECTION,
    augmentations = { string.format('timeout=%f', settings.timeout) },
  })
  local function child(name, description, score)
    rspamd_config:register_symbol({
      name = name,
      type = 'virtual',
      parent = id,
      flags = 'empty,nostat',
      group = SECTION,
      score = score or 0.0,
      description = description,
    })
  end
  child(settings.symbol, 'OS fingerprint of the SMTP client')
  if settings.symbol_fail then
    child(settings.symbol_fail, 'OS fingerprint daemon unreachable, too slow or answering nonsense')
  end
  for sym in pairs(compiled_patterns) do
    child(sym, 'OS fingerprint matches a pattern', scores[sym])
  end
end

local function configure()
  local opts = rspamd_config:get_all_opt(SECTION) or {}

  if truthy(opts.enabled) then
    rspamd_logger.errx(rspamd_config, '%s: the stock p0f module is enabled (enabled = true in the p0f ' ..
        'section, e.g. local.d/p0f.conf) and reads the same settings; p0fsharp stays off so the ' ..
        'daemon is not asked twice. Remove `enabled = true` to use p0fsharp instead.', N)
    lua_util.disable_module(N, 'config')
    return false
  end

  -- the stock module's names first; the seed plugin's and P0fSharp 0.x's names are accepted too
  if opts.key_prefix ~= nil and opts.prefix == nil then
    opts.prefix = opts.key_prefix
  end
  if opts.fail_symbol ~= nil and opts.symbol_fail == nil then
    opts.symbol_fail = opts.fail_symbol
  end
  for k, v in pairs(opts) do
    if settings[k] ~= nil then
      settings[k] = v
    end
  end

  settings.timeout = seconds(settings.timeout, 'timeout', 2.0)
  if settings.timeout <= 0 then
    settings.timeout = 2.0
  end
  settings.expire = seconds(settings.expire, 'expire', 7200)
  if type(settings.socket) ~= 'string' or settings.socket:sub(1, 1) ~= '/' then
    rspamd_logger.errx(rspamd_config, '%s: socket must be an absolute path, got "%s"; module disabled',
        N, settings.socket)
    lua_util.disable_module(N, 'fail')
    return false
  end
  if type(settings.symbol) ~= 'string' or settings.symbol == '' then
    settings.symbol = 'P0F'
  end
  if settings.symbol_fail == false or settings.symbol_fail == '' then
    settings.symbol_fail = nil
  elseif type(settings.symbol_fail) ~= 'string' then
    settings.symbol_fail = 'P0F_FAIL'
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
  settings.prefix = tostring(settings.prefix)

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

  -- global redis settings, or servers / a redis block in the p0f section, like the stock module
  if settings.expire > 0 then
    redis_params = lua_redis.parse_redis_server(SECTION)
  end
  if redis_params then
    lua_redis.register_prefix(settings.prefix .. '*', N, 'OS fingerprint cache (raw p0f answers)',
        { type = 'string' })
  end

  register(scores)
  rspamd_logger.infox(rspamd_config,
      '%s: socket %s, timeout %ss, symbol %s, failure symbol %s, header %s, %s patterns, cache %s',
      N, settings.socket, settings.timeout, settings.symbol, settings.symbol_fail or 'none',
      settings.header or 'none', lua_util.nkeys(compiled_patterns),
      redis_params and (settings.prefix .. '<ip>, ' .. settings.expire .. 's') or 'off')
  return true
end

configure()

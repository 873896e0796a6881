-- wrk script for bench/serve-vs-nginx.sh: every request asks for CHUNK bytes at a random offset
-- of a FILE_SIZE-byte file (env), so reads hit the whole file rather than one cached spot.
local size = tonumber(os.getenv("FILE_SIZE"))
local chunk = tonumber(os.getenv("CHUNK") or "1048576")
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
  local first = math.random(0, size - chunk)
  return wrk.format("GET", wrk.path, { ["Range"] = "bytes=" .. first .. "-" .. (first + chunk - 1) })
end

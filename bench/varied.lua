-- Varied mode of bench/load.py: every request asks the next path of a file (one per line).
--   wrk -t2 -c20 -d15s -s bench/varied.lua http://127.0.0.1:8199 -- /tmp/paths.txt
-- Each wrk thread walks the whole list round-robin from its own random start, so the
-- requests of one run ask distinct URLs until the list is exhausted (load.py reports laps).

local paths = {}
local index = 0
local thread_id = 0

function setup(thread)
   thread_id = thread_id + 1
   thread:set("id", thread_id)
end

function init(args)
   local file = assert(io.open(args[1], "r"), "liste des chemins introuvable")
   for line in file:lines() do
      if line ~= "" then
         paths[#paths + 1] = line
      end
   end
   file:close()
   assert(#paths > 0, "liste des chemins vide")
   math.randomseed(os.time() * 1000 + (id or 0))
   index = math.random(#paths) - 1
   wrk.headers["X-Forwarded-Proto"] = "https"
end

function request()
   index = index % #paths + 1
   return wrk.format("GET", paths[index])
end

-- search_web.lua - wrk script of bench/search_web.sh: every request asks
-- for the next path of a file (one a line), so that no two requests of a
-- run share a URL and the page cache cannot answer them.
--
--   wrk ... -s bench/search_web.lua URL -- PATHS_FILE THREADS
--
-- Thread i of THREADS takes the lines i, i + THREADS, ...; a thread that
-- runs out starts over (its repeats may be cache hits), and done() prints
-- "wrapped: N", the number of times a thread started over, so the bench
-- can say so.

local threads = {}
local next_id = 0

function setup(thread)
	thread:set("id", next_id)
	next_id = next_id + 1
	table.insert(threads, thread)
end

function init(args)
	local n = tonumber(args[2]) or 1
	paths = {}
	local i = 0
	for line in io.lines(args[1]) do
		if i % n == id then
			paths[#paths + 1] = line
		end
		i = i + 1
	end
	pos = 0
	wrapped = 0
end

function request()
	pos = pos + 1
	if pos > #paths then
		pos = 1
		wrapped = wrapped + 1
	end
	return wrk.format(nil, paths[pos])
end

function done(summary, latency, requests)
	local w = 0
	for _, t in ipairs(threads) do
		w = w + (t:get("wrapped") or 0)
	end
	io.write(string.format("wrapped: %d\n", w))
end

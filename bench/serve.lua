-- serve.lua — wrk script for bench/serve.sh: posts AdmissionReviews read
-- from a file (one JSON review per line), in turn, each thread starting at
-- a different line. Requests are formatted once, in init.
local reqs = {}
local i = 0

init = function(args)
	for line in io.lines(args[1]) do
		reqs[#reqs + 1] = wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, line)
	end
	i = math.random(#reqs)
end

request = function()
	i = i % #reqs + 1
	return reqs[i]
end

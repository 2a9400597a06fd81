-- wrk script: POST a JSON body read from a file.
-- Usage: wrk ... -s bench/post.lua URL -- path/to/body.json
--    or: BODY_FILE=path/to/body.json wrk ... -s bench/post.lua URL
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
  local path = args[1] or os.getenv("BODY_FILE")
  if path == nil then
    error("post.lua: give the body file as the first script argument or in BODY_FILE")
  end
  local f = assert(io.open(path, "rb"))
  wrk.body = f:read("*a")
  f:close()
end

-- POST /login with a wrong password, a different login each time.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, "login=nobody" .. counter .. "&password=wrong+guess")
end

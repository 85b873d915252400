-- POST /login with the right password (the benchmark user's).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "login=bench&password=bench+password+1"

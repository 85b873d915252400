#!/usr/bin/env python3
"""Contention: many concurrent writers and readers on one SQLite server.

Writers change tokens (generate, edit, regenerate, remove; each confirmed with the password),
sign in, sign in with wrong passwords (the throttle's write path), send a change and hang up
before the answer (the request is dropped mid-work), and, as an admin, suspend and resume
other people's tokens. Readers call the platform API and list
tokens. Passing: no request fails with a 5xx, and neither an answer nor the server's log
mentions "database is locked".

    contention.py [--seconds 90] [--writers 50] [--readers 10] [--engine sqlite|postgres]
"""

import argparse
import collections
import json
import random
import socket
import struct
import threading
import time
import urllib.parse

import harness

PEOPLE = 10
SUCCESS = {"create": 201, "edit": 200, "regenerate": 200, "remove": 200, "sign-in": 303,
           "wrong-password": 303, "admin-list": 200, "platform-read": 200, "rest-list": 200}
DRIVER = "driver"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--readers", type=int, default=10)
    parser.add_argument("--engine", default="sqlite")
    options = parser.parse_args()

    database = harness.Database(options.engine)
    server = harness.Server(database, "--trusted-proxies", "127.0.0.1").start()
    try:
        drivers = {}
        for n in range(PEOPLE):
            login = f"writer{n}"
            harness.create_person(database, login)
            drivers[login] = harness.create_token(database, login, harness.TOKEN_METHODS,
                                                  "--description", DRIVER)
            harness.create_person(database, f"mistyper{n}")
        admin_token = harness.create_token(database, "admin")
        outcome = run(server, drivers, admin_token, options)
    finally:
        exit_status = server.stop()
        log = server.log_text()
        database.close()

    locked_in_log = log.count("database is locked")
    print(f"requests: {outcome['total']} in {options.seconds:.0f} s "
          f"({options.writers} writers, {options.readers} readers, {options.engine})")
    for (kind, status), count in sorted(outcome["by_kind"].items()):
        print(f"  {kind:<16} {status}  {count}")
    print(f"5xx answers: {outcome['server_errors']}; 'database is locked' in answers: "
          f"{outcome['locked']}, in the log: {locked_in_log}; transport errors: "
          f"{outcome['transport_errors']}; server exit: {exit_status}")
    if outcome["server_errors"] or outcome["locked"] or locked_in_log or outcome["transport_errors"]:
        for sample in outcome["samples"][:5]:
            print("  sample:", sample)
        errors = [line for line in log.splitlines() if "ERROR" in line or "WARN" in line]
        for line in errors[:8]:
            print("  server:", line[:400])
        harness.fail("requests failed under contention")
    if exit_status != 0:
        harness.fail(f"the server exited {exit_status} after SIGTERM")
    # Refusals (a token removed between listing and suspending it, say) are part of the load;
    # but each kind of work must also have succeeded, or the run measured nothing.
    for kind, status in SUCCESS.items():
        if outcome["by_kind"][(kind, status)] == 0:
            harness.fail(f"no {kind} succeeded ({status})")
    print("PASS")


def run(server, drivers, admin_token, options):
    deadline = time.monotonic() + options.seconds
    lock = threading.Lock()
    outcome = {"total": 0, "server_errors": 0, "locked": 0, "transport_errors": 0,
               "by_kind": collections.Counter(), "samples": []}

    def note(kind, response):
        with lock:
            outcome["total"] += 1
            outcome["by_kind"][(kind, response.status)] += 1
            if response.status >= 500:
                outcome["server_errors"] += 1
                outcome["samples"].append((kind, response.status, response.body[:200]))
            if b"database is locked" in response.body:
                outcome["locked"] += 1
                outcome["samples"].append((kind, response.status, response.body[:200]))

    def worker(body):
        client = server.client()
        rng = random.Random()
        while time.monotonic() < deadline:
            try:
                body(client, rng)
            except OSError as error:
                with lock:
                    outcome["transport_errors"] += 1
                    outcome["samples"].append(("transport", body.__name__, repr(error)))
                client.close()

    logins = list(drivers)

    def token_writer(client, rng):
        login = rng.choice(logins)
        auth = harness.bearer(drivers[login])
        created = client.request("POST", "/api/v1/tokens", {
            "password": harness.PASSWORD, "description": "contention",
            "api_set": "maven_plugin", "expires_in": "30d"}, auth)
        note("create", created)
        if created.status != 201 and created.status != 200:
            return
        token_id = created.json()["token"]["id"]
        note("edit", client.request("PATCH", f"/api/v1/tokens/{token_id}", {
            "password": harness.PASSWORD, "description": f"edited {rng.random():.6f}"}, auth))
        note("regenerate", client.request("POST", f"/api/v1/tokens/{token_id}/regenerate", {
            "password": harness.PASSWORD}, auth))
        note("remove", client.request("DELETE", f"/api/v1/tokens/{token_id}",
                                      {"password": harness.PASSWORD}, auth))

    def signer_in(client, rng):
        login = rng.choice(logins)
        form = urllib.parse.urlencode({"login": login, "password": harness.PASSWORD})
        response = client_form(client, "/login", form)
        note("sign-in", response)

    def wrong_confirmer(client, rng):
        # A wrong password at sign-in: the throttle's writes, on accounts and from addresses
        # of their own (locking the writers out would only measure the throttle).
        form = urllib.parse.urlencode({"login": f"mistyper{rng.randrange(PEOPLE)}",
                                       "password": "not-the-password"})
        note("wrong-password", client_form(client, "/login", form, {
            "X-Forwarded-For": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"}))

    def admin_editor(client, rng):
        login = rng.choice(logins)
        auth = harness.bearer(admin_token)
        listed = client.request("GET", f"/api/v1/admin/users/{login}/tokens", None, auth)
        note("admin-list", listed)
        if listed.status != 200:
            return
        tokens = [t for t in listed.json().get("tokens", []) if t.get("description") != DRIVER]
        if not tokens:
            return
        token_id = rng.choice(tokens)["id"]
        for action in ("suspend", "resume"):
            note(f"admin-{action}", client.request(
                "POST", f"/api/v1/admin/users/{login}/tokens/{token_id}/{action}",
                {"password": harness.PASSWORD}, auth))

    def quitter(client, rng):
        # A change whose client goes away mid-request (a closed tab, a dropped connection):
        # the server drops the request's work wherever it is, transaction open or not.
        login = rng.choice(logins)
        body = json.dumps({"password": harness.PASSWORD, "description": "abandoned",
                           "api_set": "maven_plugin", "expires_in": "1d"}).encode()
        raw = socket.create_connection(("127.0.0.1", server.port))
        raw.sendall(b"POST /api/v1/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/json\r\nAuthorization: Bearer "
                    + drivers[login].encode() + b"\r\nContent-Length: "
                    + str(len(body)).encode() + b"\r\n\r\n" + body)
        time.sleep(rng.uniform(0, 0.15))
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raw.close()
        with lock:
            outcome["by_kind"][("abandoned", "-")] += 1
        time.sleep(0.25)  # hang-ups among the writers, not a flood of them

    def reader(client, rng):
        login = rng.choice(logins)
        auth = harness.bearer(drivers[login])
        if rng.random() < 0.5:
            note("platform-read", client.request("GET", harness.platform_read_path(), None, auth))
        else:
            note("rest-list", client.request("GET", "/api/v1/tokens?per_page=20", None, auth))

    writer_kinds = [token_writer, token_writer, signer_in, wrong_confirmer, admin_editor,
                    quitter]
    threads = [threading.Thread(target=worker, args=(writer_kinds[n % len(writer_kinds)],))
               for n in range(options.writers)]
    threads += [threading.Thread(target=worker, args=(reader,)) for _ in range(options.readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def client_form(client, path, form, headers=None):
    return client.request_raw("POST", path, form.encode(), {
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://127.0.0.1:{client.port}",
        **(headers or {}),
    })


if __name__ == "__main__":
    main()

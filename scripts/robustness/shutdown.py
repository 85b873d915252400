#!/usr/bin/env python3
"""SIGTERM under load: the server answers what it has started, records every buffered token
use, and exits 0 within 10 s.

Readers call the platform API round-robin with many tokens (each use is buffered in memory,
not written); at the signal a batch of token changes (each a password check) is in flight.
Checked after the exit: every change in flight was answered and is stored, every token the
server answered a use of has that use stored (its last use no earlier than the last answered
call's start, to the second), and 20 tokens used once each just before the signal, whose one
use only the last write at shutdown can record, all show it. Repeated --rounds times, on --engine.

    shutdown.py [--rounds 3] [--tokens 100] [--engine sqlite|postgres] [--load-seconds 2]
"""

import argparse
import threading
import time

import harness

READERS = 8
CHANGES_IN_FLIGHT = 8
LATE_TOKENS = 20
EXIT_WITHIN_SECS = 10


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=100)
    parser.add_argument("--engine", default="sqlite")
    parser.add_argument("--load-seconds", type=float, default=2)
    options = parser.parse_args()
    totals = {"uses": 0, "tokens_used": 0, "lost": 0, "changes": 0, "changes_lost": 0}
    worst_exit = 0.0
    for round_number in range(1, options.rounds + 1):
        result = one_round(options)
        worst_exit = max(worst_exit, result["exit_secs"])
        for key in totals:
            totals[key] += result[key]
        print(f"round {round_number}: exit {result['status']} after {result['exit_secs']:.2f} s; "
              f"{result['uses']} uses answered over {result['tokens_used']} tokens, "
              f"{result['lost']} not recorded; {result['changes']} changes in flight answered, "
              f"{result['changes_lost']} lost")
        if result["status"] != 0:
            harness.fail(f"the server exited {result['status']} after SIGTERM")
        if result["exit_secs"] > EXIT_WITHIN_SECS:
            harness.fail(f"the server took {result['exit_secs']:.1f} s to exit")
    print(f"total ({options.engine}): {totals['uses']} uses answered, {totals['tokens_used']} "
          f"token-rounds used, {totals['lost']} uses not recorded; {totals['changes']} changes "
          f"in flight, {totals['changes_lost']} lost; slowest exit {worst_exit:.2f} s")
    if totals["lost"] or totals["changes_lost"]:
        harness.fail("buffered or in-flight work was lost at shutdown")
    print("PASS")


def one_round(options):
    database = harness.Database(options.engine)
    try:
        harness.create_person(database, "drainer")
        driver = harness.create_token(database, "drainer")
        values = [harness.create_token(database, "drainer", ["users.authentication.GetTokens"],
                                       "--description", f"use-{n}")
                  for n in range(options.tokens)]
        # Used once each, just before the signal: their one use is in memory only, unless a
        # periodic write happens to catch it, so the last write at shutdown must record it.
        late = [harness.create_token(database, "drainer", ["users.authentication.GetTokens"],
                                     "--description", f"late-{n}")
                for n in range(LATE_TOKENS)]
        server = harness.Server(database).start()
        last_answered = {}
        uses = [0]
        stop = threading.Event()
        lock = threading.Lock()

        def reader(offset):
            client = server.client()
            n = offset
            while not stop.is_set():
                n = (n + READERS) % len(values)
                started = int(time.time())
                try:
                    response = client.request("GET", harness.platform_read_path(), None,
                                              harness.bearer(values[n]))
                except OSError:
                    return  # the server stopped taking connections
                if response.status == 200:
                    with lock:
                        last_answered[n] = max(last_answered.get(n, 0), started)
                        uses[0] += 1

        readers = [threading.Thread(target=reader, args=(k,)) for k in range(READERS)]
        for thread in readers:
            thread.start()
        time.sleep(options.load_seconds)

        answered = []

        def change(k, client):
            try:
                response = client.request("POST", "/api/v1/tokens", {
                    "password": harness.PASSWORD, "description": f"in-flight-{k}",
                    "api_set": "maven_plugin", "expires_in": "1d"}, harness.bearer(driver))
                answered.append((k, response.status))
            except OSError as error:
                answered.append((k, repr(error)))

        # Connections opened first, so that each change reaches a connection being served.
        change_clients = [server.client() for _ in range(CHANGES_IN_FLIGHT)]
        for client in change_clients:
            client.request("GET", "/healthz")
        changers = [threading.Thread(target=change, args=(k, c)) for k, c in enumerate(change_clients)]
        for thread in changers:
            thread.start()
        late_client = server.client()
        late_used = 0
        for value in late:
            response = late_client.request("GET", harness.platform_read_path(), None,
                                           harness.bearer(value))
            late_used += response.status == 200
        time.sleep(0.05)
        signalled = time.monotonic()
        status = server.stop(timeout=EXIT_WITHIN_SECS + 5)
        exit_secs = time.monotonic() - signalled
        stop.set()
        for thread in readers + changers:
            thread.join()

        stored = dict(database.query(
            "select description, coalesce(last_used_at, 0) from access_tokens "
            "where description like 'use-%'"))
        lost = sum(1 for n, at in last_answered.items() if int(stored[f"use-{n}"]) < at)
        late_lost = int(database.query(
            "select count(*) from access_tokens where description like 'late-%' "
            "and last_used_at is null")[0][0])
        if late_used != LATE_TOKENS:
            harness.fail(f"only {late_used} of {LATE_TOKENS} late uses were answered")
        lost += late_lost
        created = {row[0] for row in database.query(
            "select description from access_tokens where description like 'in-flight-%'")}
        changes_ok = [k for k, code in answered if code == 201]
        changes_lost = len(answered) - len(changes_ok) + sum(
            1 for k in changes_ok if f"in-flight-{k}" not in created)
        for k, code in answered:
            if code != 201:
                print(f"  change {k} in flight: {code}")
        return {"status": status, "exit_secs": exit_secs, "uses": uses[0] + late_used,
                "tokens_used": len(last_answered) + late_used, "lost": lost,
                "changes": len(changes_ok), "changes_lost": changes_lost}
    finally:
        database.close()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Crash safety: SIGKILL the server at random moments while clients change tokens, then check
that nothing acknowledged was lost.

Each cycle starts the server, lets several clients generate, edit, regenerate, suspend and
remove tokens (every change confirmed with the password) for a random time, kills the server
with SIGKILL, and restarts it. Then:
  - the database passes its integrity check (SQLite: integrity_check and foreign_key_check);
  - every value whose removal, suspension or regeneration was answered with success is
    refused (the cycle's, and a sample of earlier cycles');
  - every token answered as created (and not changed since) works, and every edit answered
    with success is what the token shows.
A change whose answer never came (the kill cut it off) may or may not have happened: its
token is left out of the checks from then on. 0 lost is the only passing figure.

    crash.py [--cycles 1000] [--engine sqlite|postgres] [--clients 4] [--seed N]
"""

import argparse
import random
import threading
import time

import harness

READ_METHOD = "users.authentication.GetTokens"
OLD_SAMPLE = 40
LIVE_TARGET = 30
QUIET_CYCLES_LIMIT = 10


def start(database):
    # Each request names its own client address, so that cut-off password checks do not add
    # up against one address either.
    return harness.Server(database, "--trusted-proxies", "127.0.0.1").start()


def from_anywhere(rng, auth):
    address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    return {**auth, "X-Forwarded-For": address}


class Ledger:
    """What the server acknowledged, per token."""

    def __init__(self):
        self.lock = threading.Lock()
        self.live = {}  # token id -> (value, description, the owner's driver credentials)
        self.refused = []  # (value, why, cycle)
        self.uncertain = set()  # token ids whose last change got no answer
        self.acknowledged = 0

    def claim(self, rng):
        """A live token no other client is changing, taken out of `live` while in use."""
        with self.lock:
            if not self.live:
                return None
            token_id = rng.choice(list(self.live))
            return token_id, self.live.pop(token_id)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--engine", default="sqlite")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=None)
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.randrange(1 << 32)
    rng = random.Random(seed)
    print(f"seed {seed}")

    database = harness.Database(options.engine)
    ledger = Ledger()
    checked = {"refused": 0, "working": 0, "edits": 0, "integrity": 0}
    try:
        started = time.monotonic()
        server = start(database)
        quiet_cycles = 0
        for cycle in range(1, options.cycles + 1):
            # A person of its own each cycle: a password check cut off by the kill counts as
            # a failed attempt (the throttle counts before it checks), and enough of those
            # would throttle one person's every change.
            harness.create_person(database, f"crasher{cycle}")
            driver = harness.bearer(harness.create_token(database, f"crasher{cycle}"))
            acknowledged_before = ledger.acknowledged
            run_clients(server, driver, ledger, options.clients, rng, cycle)
            quiet_cycles = 0 if ledger.acknowledged > acknowledged_before else quiet_cycles + 1
            if quiet_cycles >= QUIET_CYCLES_LIMIT:
                harness.fail(f"no change acknowledged in {quiet_cycles} cycles up to {cycle}: "
                             "the run no longer tests anything")
            problems = database.integrity_problems()
            checked["integrity"] += 1
            if problems:
                harness.fail(f"cycle {cycle}: the database fails its integrity check: {problems[:5]}")
            server = start(database)
            verify(server, database, ledger, rng, cycle, checked)
            if cycle % 50 == 0 or cycle == options.cycles:
                print(f"cycle {cycle}: {ledger.acknowledged} changes acknowledged; checked "
                      f"{checked['refused']} refusals, {checked['working']} working tokens, "
                      f"{checked['edits']} edits; {len(ledger.uncertain)} cut off "
                      f"({time.monotonic() - started:.0f} s)", flush=True)
        server.stop()
    finally:
        database.close()
    print(f"{options.cycles} kill cycles on {options.engine}: {ledger.acknowledged} changes "
          f"acknowledged, {checked['refused']} revoked values and {checked['working']} live "
          f"tokens checked after restarts, {checked['integrity']} integrity checks; 0 lost")
    print("PASS")


def run_clients(server, driver, ledger, clients, rng, cycle):
    deadline = time.monotonic() + rng.uniform(0.2, 1.5)
    auth = driver
    seeds = [rng.randrange(1 << 32) for _ in range(clients)]

    def client_loop(seed):
        local = random.Random(seed)
        client = server.client()
        while time.monotonic() < deadline:
            try:
                one_change(client, auth, ledger, local, cycle)
            except OSError:
                return  # killed

    threads = [threading.Thread(target=client_loop, args=(s,)) for s in seeds]
    for thread in threads:
        thread.start()
    # Killed while the clients are still at work: the moment is anywhere in their changes.
    time.sleep(max(0.0, deadline - time.monotonic()))
    server.kill()
    for thread in threads:
        thread.join()


def one_change(client, auth, ledger, rng, cycle):
    with ledger.lock:
        live = len(ledger.live)
    if live < LIVE_TARGET or (live < 2 * LIVE_TARGET and rng.random() < 0.3):
        description = f"c{cycle}-{rng.randrange(1 << 30)}"
        body = {"password": harness.PASSWORD, "description": description,
                "methods": [READ_METHOD], "expires_in": "30d"}
        response = client.request("POST", "/api/v1/tokens", body, from_anywhere(rng, auth))
        if response.status >= 500:
            harness.fail(f"generate: HTTP {response.status}: {response.body[:200]!r}")
        if response.status == 201:
            token = response.json()
            with ledger.lock:
                ledger.live[token["token"]["id"]] = (token["value"], description, auth)
                ledger.acknowledged += 1
        return
    claimed = ledger.claim(rng)
    if claimed is None:
        return
    token_id, (value, description, owner_auth) = claimed
    action = rng.choice(["edit", "regenerate", "remove", "suspend"])
    path = {"edit": f"/api/v1/tokens/{token_id}",
            "regenerate": f"/api/v1/tokens/{token_id}/regenerate",
            "remove": f"/api/v1/tokens/{token_id}",
            "suspend": f"/api/v1/tokens/{token_id}/suspend"}[action]
    method = {"edit": "PATCH", "remove": "DELETE"}.get(action, "POST")
    new_description = f"e{cycle}-{rng.randrange(1 << 30)}"
    body = {"password": harness.PASSWORD}
    if action == "edit":
        body["description"] = new_description
    try:
        response = client.request(method, path, body, from_anywhere(rng, owner_auth))
    except OSError:
        with ledger.lock:
            ledger.uncertain.add(token_id)
        raise
    with ledger.lock:
        if response.status != 200:
            ledger.uncertain.add(token_id)
            if response.status >= 500:
                harness.fail(f"{action} of token {token_id}: HTTP {response.status}: {response.body[:200]!r}")
            return
        ledger.acknowledged += 1
        if action == "edit":
            ledger.live[token_id] = (value, new_description, owner_auth)
        elif action == "regenerate":
            ledger.refused.append((value, "regenerated", cycle))
            ledger.live[token_id] = (response.json()["value"], description, owner_auth)
        else:
            ledger.refused.append((value, {"remove": "removed", "suspend": "suspended"}[action], cycle))


def verify(server, database, ledger, rng, cycle, checked):
    client = server.client()
    this_cycle = [r for r in ledger.refused if r[2] == cycle]
    earlier = [r for r in ledger.refused if r[2] != cycle]
    for value, why, when in this_cycle + rng.sample(earlier, min(OLD_SAMPLE, len(earlier))):
        response = client.request("GET", harness.platform_read_path(), None, harness.bearer(value))
        if response.status == 200:
            harness.fail(f"cycle {cycle}: a value {why} in cycle {when} and acknowledged still "
                         "works after a restart")
        checked["refused"] += 1
    descriptions = dict(database.query(
        "select token_id, description from access_tokens where removed_at is null"))
    for token_id, (value, description, _) in list(ledger.live.items()):
        response = client.request("GET", harness.platform_read_path(), None, harness.bearer(value))
        if response.status != 200:
            harness.fail(f"cycle {cycle}: token {token_id}, acknowledged as created or "
                         f"regenerated, is refused after a restart: HTTP {response.status} "
                         f"{response.body[:200]!r}")
        checked["working"] += 1
        if descriptions.get(str(token_id)) != description:
            harness.fail(f"cycle {cycle}: token {token_id}'s acknowledged edit to {description!r} "
                         f"was lost (stored: {descriptions.get(str(token_id))!r})")
        checked["edits"] += 1


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Timing: does how long a refusal takes tell more than the refusal says?

Token refusals, interleaved on one keep-alive connection, --calls of each:
  malformed   a value that is not a token's shape
  unknown     a well-formed value (valid checksum) that no token has, the same one each time
  known       a real token calling a method it may not call
and, for information, a new well-formed unknown value on every call (each one costs the
database read that a repeated value is spared).

Sign-ins, interleaved, --sign-ins of each: an unknown login, and a real login with a wrong
password (each attempt from its own address, through a trusted proxy, and spread over many
accounts, so that the throttle, which would answer differently, never engages).

Fails when unknown and known token refusals differ by more than 50 µs at p50, or unknown-login
and wrong-password sign-ins by more than --sign-in-limit-ms at p50.

    timing.py [--calls 10000] [--sign-ins 400] [--sign-in-limit-ms 2] [--engine sqlite|postgres]
"""

import argparse
import random
import secrets
import time
import urllib.parse
import zlib

import harness

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TOKEN_LIMIT_US = 50
FREE_FAILURES_PER_ACCOUNT = 4  # below the account throttle's first wait (5)


def well_formed_value():
    body = "tsr_" + "".join(secrets.choice(BASE62) for _ in range(30))
    checksum, value = "", zlib.crc32(body.encode())
    for _ in range(6):
        checksum = BASE62[value % 62] + checksum
        value //= 62
    return body + checksum


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--sign-ins", type=int, default=400)
    parser.add_argument("--sign-in-limit-ms", type=float, default=2.0)
    parser.add_argument("--engine", default="sqlite")
    options = parser.parse_args()

    database = harness.Database(options.engine)
    server = harness.Server(database, "--trusted-proxies", "127.0.0.1").start()
    try:
        harness.create_person(database, "timed")
        known = harness.create_token(database, "timed", ["users.authentication.GetTokens"])
        token_p50 = time_token_refusals(server, known, options.calls)
        accounts = max(1, -(-options.sign_ins // FREE_FAILURES_PER_ACCOUNT))
        for n in range(accounts):
            harness.create_person(database, f"signer{n}")
        sign_in_p50 = time_sign_ins(server, accounts, options.sign_ins)
    finally:
        server.stop()
        database.close()

    token_gap = abs(token_p50["unknown"] - token_p50["known"])
    sign_in_gap = abs(sign_in_p50["unknown login"] - sign_in_p50["wrong password"])
    print(f"token refusals, p50 of {options.calls} each ({options.engine}):")
    for case, p50 in token_p50.items():
        print(f"  {case:<24} {p50:8.1f} µs")
    print(f"  unknown vs known: {token_gap:.1f} µs apart (limit {TOKEN_LIMIT_US} µs)")
    print(f"sign-ins, p50 of {options.sign_ins} each:")
    for case, p50 in sign_in_p50.items():
        print(f"  {case:<24} {p50 / 1000:8.2f} ms")
    print(f"  unknown login vs wrong password: {sign_in_gap / 1000:.2f} ms apart "
          f"(limit {options.sign_in_limit_ms} ms)")
    if token_gap > TOKEN_LIMIT_US:
        harness.fail("an unknown token's refusal can be told from a known token's by its time")
    if sign_in_gap > options.sign_in_limit_ms * 1000:
        harness.fail("an unknown login can be told from a wrong password by the time")
    print("PASS")


def timed(client, method, path, headers=None, payload=None):
    started = time.perf_counter_ns()
    response = client.request_raw(method, path, payload, headers)
    return (time.perf_counter_ns() - started) / 1000, response


def time_token_refusals(server, known, calls):
    unknown = well_formed_value()
    cases = {
        "malformed": lambda: "tsr_not-a-token",
        "unknown": lambda: unknown,
        "known": lambda: known,
        "unknown, new each call": well_formed_value,
    }
    # The token may call GetTokens only: CreateToken is a method it may not call.
    path = "/1.0/users/authentication/rest/createtoken"
    client = server.client()
    samples = {case: [] for case in cases}
    # Each case must be refused for its own reason, or the comparison means nothing (a
    # checksum gone wrong would make every "unknown" value a fast malformed one).
    codes = {"malformed": "token_malformed", "unknown": "token_unknown",
             "known": "method_not_allowed", "unknown, new each call": "token_unknown"}
    expected = {}
    for _ in range(200):  # warm the connection, the cache and the branch predictors
        for case, value in cases.items():
            _, response = timed(client, "GET", path, harness.bearer(value()))
            code = response.json().get("code")
            if code != codes[case]:
                harness.fail(f"{case}: refused as {code!r}, expected {codes[case]!r}")
            expected.setdefault(case, response.status)
    order = list(cases)
    for _ in range(calls):
        random.shuffle(order)
        for case in order:
            value = cases[case]()
            elapsed, response = timed(client, "GET", path, harness.bearer(value))
            if response.status != expected[case]:
                harness.fail(f"{case}: HTTP {response.status}, expected {expected[case]}: "
                             f"{response.body[:200]!r}")
            samples[case].append(elapsed)
    return {case: harness.percentile(values, 0.5) for case, values in samples.items()}


def time_sign_ins(server, accounts, sign_ins):
    client = server.client()
    samples = {"unknown login": [], "wrong password": []}
    origin = f"http://127.0.0.1:{server.port}"
    for n in range(sign_ins):
        for case in random.sample(list(samples), 2):
            login = f"signer{n % accounts}" if case == "wrong password" else f"nobody{n}"
            address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
            form = urllib.parse.urlencode({"login": login, "password": "wrong-" + secrets.token_hex(4)})
            elapsed, response = timed(client, "POST", "/login", {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "X-Forwarded-For": address if case == "wrong password" else address.replace("10.", "11.", 1),
            }, form.encode())
            location = response.headers.get("Location", "")
            if response.status != 303 or "error=invalid" not in location:
                harness.fail(f"{case}: HTTP {response.status} to {location!r}, expected a wrong "
                             "sign-in's answer")
            samples[case].append(elapsed)
    return {case: harness.percentile(values, 0.5) for case, values in samples.items()}


if __name__ == "__main__":
    main()

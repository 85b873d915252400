#!/usr/bin/env python3
"""Schema-driven API testing: schemathesis against /api/v1/openapi.json.

First, the document must describe every REST route the server's source declares (and
nothing that does not exist). Then schemathesis generates valid and invalid requests for
every operation, twice: as an admin with an access token, and as the same admin with a
browser session (which also reaches the routes a token cannot: a token revoking itself
would end the token run). Every check but one is on: no 5xx; status codes, content types,
headers and bodies as documented; input the schema forbids refused; undeclared methods 405;
no access without credentials. Left out: "schema-valid input is accepted", which JSON Schema
cannot promise here (a date must also fall within the policy's bounds, a method name must be
in the catalog, and a change needs the right password, which the generator cannot know).

Schemathesis comes from PyPI into ~/.cache/tessera/tools/venv (installed on first use).

    schema.py [--max-examples 30] [--engine sqlite|postgres] [--seed N]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import urllib.parse

import harness

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "tessera", "tools")
VENV = os.path.join(TOOLS, "venv")
SCHEMATHESIS = "schemathesis==4.32.5"
ST = os.path.join(VENV, "bin", "st")
# The token run leaves out what would end or replace its own token mid-run.
SELF_ENDING = r"^/api/v1/tokens/self(/rotate)?$"


def ensure_schemathesis():
    version = subprocess.run([ST, "--version"], capture_output=True, text=True).stdout \
        if os.path.exists(ST) else ""
    if SCHEMATHESIS.split("==")[1] in version:
        return
    print(f"installing {SCHEMATHESIS} into {VENV}", flush=True)
    subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", SCHEMATHESIS], check=True)


def declared_routes():
    """`/api/...` routes in the server's source: the router's `.route("...")` calls."""
    routes = set()
    source_root = os.path.join(REPO, "server", "src", "http")
    for directory, _, files in os.walk(source_root):
        for name in files:
            if name.endswith(".rs"):
                with open(os.path.join(directory, name)) as source:
                    text = source.read()
                routes.update(re.findall(r'\.route\(\s*"(/api/v1/[^"]*)"', text))
    return routes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--engine", default="sqlite")
    parser.add_argument("--seed", type=int, default=None)
    options = parser.parse_args()
    ensure_schemathesis()

    database = harness.Database(options.engine)
    server = harness.Server(database).start()
    failures = []
    try:
        base = f"http://127.0.0.1:{server.port}"
        document = server.client().request("GET", "/api/v1/openapi.json").json()
        documented = set(document["paths"])
        declared = declared_routes()
        # The fallback that answers JSON 404s is not an operation.
        undocumented = sorted(r for r in declared - documented if "{*rest}" not in r)
        ghosts = sorted(r for r in documented - declared if r.startswith("/api/"))
        print(f"routes: {len(declared)} declared under /api/v1, {len(documented)} documented")
        if undocumented:
            failures.append(f"routes the document leaves out: {undocumented}")
        if ghosts:
            failures.append(f"documented routes that do not exist: {ghosts}")

        harness.create_person(database, "someone")
        token = harness.create_token(database, "admin")
        session = sign_in(server)
        runs = [
            ("token", ["-H", f"Authorization: Bearer {token}",
                       "--exclude-path-regex", SELF_ENDING]),
            ("session", ["-H", f"Cookie: {session}", "-H", f"Origin: {base}"]),
        ]
        for name, auth in runs:
            command = [ST, "run", f"{base}/api/v1/openapi.json", "--url", base,
                       "--checks", "all", "--exclude-checks", "positive_data_acceptance",
                       "--max-examples", str(options.max_examples),
                       "--workers", "1", "--request-timeout", "10",
                       "--suppress-health-check", "all", "--no-shrink",
                       "--output-truncate", "true", *auth]
            if options.seed is not None:
                command += ["--seed", str(options.seed)]
            print(f"schemathesis, {name} run:", flush=True)
            status = subprocess.run(command, cwd=database.directory.name).returncode
            if status != 0:
                failures.append(f"schemathesis ({name} run) exited {status}")
        server_errors = [line for line in server.log_text().splitlines() if " ERROR " in line]
        if server_errors:
            failures.append(f"the server logged {len(server_errors)} errors: {server_errors[:3]}")
    finally:
        server.stop()
        database.close()
    if failures:
        harness.fail("; ".join(failures))
    print("PASS")


def sign_in(server):
    form = urllib.parse.urlencode({"login": "admin", "password": harness.PASSWORD})
    response = server.client().request_raw("POST", "/login", form.encode(), {
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://127.0.0.1:{server.port}",
    })
    cookie = response.headers.get("Set-Cookie", "")
    if response.status != 303 or not cookie:
        harness.fail(f"signing in for the session run: HTTP {response.status}")
    return cookie.split(";", 1)[0]


if __name__ == "__main__":
    main()

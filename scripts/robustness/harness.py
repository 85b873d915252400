"""What the robustness scripts share: the release binary started on a fresh database, its
admin command line, and a small keep-alive HTTP client. Standard library only.

The binary is $TESSERA_BIN, else <CARGO_TARGET_DIR or ~/.cache/tessera/target>/release/tessera;
the site files are $TESSERA_SITE_ROOT, else <target>/site. PostgreSQL is
$TESSERA_TEST_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/postgres, reached with psql.
"""

import http.client
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

TARGET = os.environ.get(
    "CARGO_TARGET_DIR",
    os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "tessera", "target"),
)
BIN = os.environ.get("TESSERA_BIN", os.path.join(TARGET, "release", "tessera"))
SITE_ROOT = os.environ.get("TESSERA_SITE_ROOT", os.path.join(TARGET, "site"))
POSTGRES_ADMIN_URL = os.environ.get(
    "TESSERA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "robustness-" + secrets.token_hex(8)
TOKEN_METHODS = [
    "users.authentication.GetTokens",
    "users.authentication.CreateToken",
    "users.authentication.EditToken",
    "users.authentication.RegenerateToken",
    "users.authentication.DeleteTokens",
]


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Database:
    """A fresh, empty database for one run: a SQLite file in a temporary directory, or a new
    PostgreSQL database, dropped at the end."""

    def __init__(self, engine):
        self.engine = engine
        self.directory = tempfile.TemporaryDirectory(prefix="tessera-robustness-")
        if engine == "sqlite":
            self.path = os.path.join(self.directory.name, "tessera.db")
            self.url = f"sqlite://{self.path}"
            # Admin commands never create a database: `tessera migrate` does.
            subprocess.run([BIN, "migrate", "--database-url", self.url], check=True,
                           capture_output=True)
        elif engine == "postgres":
            self.name = "robustness_" + secrets.token_hex(6)
            self._psql(f"create database {self.name}")
            parts = urllib.parse.urlsplit(POSTGRES_ADMIN_URL)
            self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))
        else:
            raise ValueError(f"unknown engine {engine!r}")

    def _psql(self, sql, url=POSTGRES_ADMIN_URL):
        return subprocess.run(
            ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def query(self, sql):
        """The rows of one query, as lists of strings, by the engine's own client."""
        if self.engine == "sqlite":
            with sqlite3.connect(self.path, timeout=30) as connection:
                return [[str(v) for v in row] for row in connection.execute(sql).fetchall()]
        return [line.split("|") for line in self._psql(sql, self.url).splitlines() if line]

    def integrity_problems(self):
        """SQLite: what integrity_check and foreign_key_check report. PostgreSQL recovers by
        its own WAL replay whatever the server was doing; constraints left unvalidated are
        what could be wrong there."""
        if self.engine == "sqlite":
            problems = [r[0] for r in self.query("pragma integrity_check") if r[0] != "ok"]
            return problems + [" ".join(r) for r in self.query("pragma foreign_key_check")]
        return [" ".join(r) for r in self.query(
            "select conrelid::regclass::text, conname from pg_constraint where not convalidated")]

    def close(self):
        if self.engine == "postgres":
            try:
                self._psql(f"drop database if exists {self.name} with (force)")
            except subprocess.CalledProcessError:
                pass
        self.directory.cleanup()


class Server:
    """`tessera serve` on a free loopback port, its log in the database's directory."""

    def __init__(self, database, *extra_args, log="warn"):
        self.database = database
        self.extra_args = list(extra_args)
        self.log = log
        self.process = None
        self.port = None
        self.log_path = os.path.join(database.directory.name, "server.log")

    def start(self, timeout=30):
        env = dict(os.environ, TESSERA_ADMIN_PASSWORD=PASSWORD, TESSERA_LOG=self.log)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [BIN, "serve", "--addr", "127.0.0.1:0", "--database-url", self.database.url,
                 "--site-root", SITE_ROOT, *self.extra_args],
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline().decode()
            if not line:
                fail(f"the server exited at start ({self.process.wait()}): {self.log_text()[-2000:]}")
            if line.startswith("listening on http://"):
                self.port = int(line.strip().rsplit(":", 1)[1])
                return self
        fail("the server did not start in time")

    def client(self):
        return Client(self.port)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout=15):
        """SIGTERM; the exit status, or None when it did not exit in time (it is killed)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def log_text(self):
        with open(self.log_path, errors="replace") as log:
            return log.read()


def admin(database, *args, stdin=None):
    """`tessera admin ...` on the database; what it printed."""
    result = subprocess.run(
        [BIN, "admin", *args, "--database-url", database.url],
        input=stdin,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        fail(f"tessera admin {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def create_person(database, login, is_admin=False):
    admin(database, "user", "create", "--login", login, "--password-stdin",
          *(["--admin"] if is_admin else []), stdin=PASSWORD + "\n")


def create_token(database, login, methods=TOKEN_METHODS, *extra):
    args = ["user", "token", "-u", login, "-q"]
    for method in methods:
        args += ["--method", method]
    return admin(database, *args, *extra).strip()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


class Client:
    """One keep-alive connection, opened again when the server has closed it."""

    def __init__(self, port, timeout=30):
        self.port = port
        self.timeout = timeout
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        """A request with a JSON body (None: no body)."""
        headers = dict(headers or {})
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        return self.request_raw(method, path, payload, headers)

    def request_raw(self, method, path, payload=None, headers=None):
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=payload, headers=headers or {})
                response = self.connection.getresponse()
                return Response(response.status, response.headers, response.read())
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server had closed. Only a read is sent again: a
                # change may have reached the server before the connection dropped.
                self.close()
                if attempt == 2 or method not in ("GET", "HEAD"):
                    raise

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def platform_read_path():
    """A platform API read that a token allowed users.authentication.GetTokens may call."""
    return "/1.0/users/authentication/rest/gettokens"

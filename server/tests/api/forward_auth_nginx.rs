//! deploy/forward-auth/nginx.conf, as shipped, in Debian's nginx: in front of a small upstream
//! that records what reaches it, with a real `tessera serve --routes
//! deploy/forward-auth/routes.toml` answering nginx's `auth_request`. Allowed, refused,
//! out-of-scope, expired and removed tokens through nginx, and the upstream never sees a token.

use std::{
    io::{BufRead as _, BufReader, Read as _, Write as _},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use base64::{Engine as _, engine::general_purpose::STANDARD};

use crate::startup::{Logs, send, serve_with, site_dir, sqlite_with_user, tessera};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// An upstream that answers 200 "from the upstream" and keeps every request head it got.
struct Upstream {
    addr: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Upstream {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let kept = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let head = read_head(&stream);
                kept.lock().unwrap().push(head);
                let mut stream = stream;
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 17\r\nConnection: close\r\n\r\nfrom the upstream",
                );
            }
        });
        Self { addr, seen }
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    fn last(&self) -> String {
        self.requests().last().cloned().unwrap_or_default()
    }
}

fn read_head(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    head
}

/// Debian's nginx running the shipped file with this test's addresses.
struct Nginx {
    child: Child,
    addr: String,
    dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Nginx {
    fn start(tessera: &str, upstream: &str) -> Self {
        let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|path| Path::new(path).exists())
            .expect("nginx is installed (./dev.sh test installs Debian's nginx)");
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let shipped =
            std::fs::read_to_string(repository().join("deploy/forward-auth/nginx.conf")).unwrap();
        let ours = shipped
            .replace("127.0.0.1:3000", tessera)
            .replace("127.0.0.1:8080", upstream)
            .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
            .replace("/var/log/nginx/", &format!("{}/", dir.path().display()));
        assert_ne!(
            ours, shipped,
            "the shipped file names the addresses the test swaps"
        );
        std::fs::write(dir.path().join("forward-auth.conf"), ours).unwrap();
        let d = dir.path().display();
        let main = format!(
            "daemon off;\nmaster_process off;\nerror_log {d}/error.log warn;\npid {d}/nginx.pid;\n\
             events {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  \
             proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  \
             uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  \
             include {d}/forward-auth.conf;\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), main).unwrap();
        let child = Command::new(binary)
            .arg("-p")
            .arg(dir.path())
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let addr = format!("127.0.0.1:{port}");
        let mut nginx = Self { child, addr, dir };
        let started = Instant::now();
        while TcpStream::connect(&nginx.addr).is_err() {
            if let Some(status) = nginx.child.try_wait().unwrap() {
                let mut err = String::new();
                nginx
                    .child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                panic!("nginx exited ({status}): {err}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        nginx
    }

    /// The shipped access log's lines so far.
    fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("reports.access.log")).unwrap_or_default()
    }

    /// The status line's code, the headers and body of `METHOD path` with `headers`.
    fn call(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
        let lines: String = headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}\r\n"))
            .collect();
        let answer = send(
            &self.addr,
            &format!("{method} {path} HTTP/1.1\r\n{lines}\r\n"),
        );
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        (status, answer)
    }
}

fn token(url: &str, routes: &Path, args: &[&str]) -> String {
    let routes = routes.to_str().unwrap();
    let mut all = vec![
        "admin", "user", "token", "-u", "alice", "-q", "--routes", routes,
    ];
    all.extend_from_slice(args);
    let made = tessera(&all, &[("DATABASE_URL", url)]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    String::from_utf8(made.stdout).unwrap().trim().to_owned()
}

fn code_of(answer: &str) -> Option<&str> {
    answer
        .lines()
        .find_map(|line| line.strip_prefix("X-Tessera-Code: "))
        .map(str::trim)
}

#[test]
fn nginx_passes_on_only_what_the_token_may_do_and_never_the_token() {
    let routes = repository().join("deploy/forward-auth/routes.toml");
    let (_db, url) = sqlite_with_user("alice");
    let site = site_dir();
    let served = serve_with(
        &url,
        site.path(),
        Logs::Discarded,
        &[
            "--routes",
            routes.to_str().unwrap(),
            "--trusted-proxies",
            "127.0.0.1",
        ],
    );
    let upstream = Upstream::start();
    let nginx = Nginx::start(&served.addr, &upstream.addr);

    let reader = token(
        &url,
        &routes,
        &["--method", "reports.files.Read", "-s", "env:acme:r"],
    );
    let file = "/reports/acme/2026/q1.pdf";
    let bearer = format!("Bearer {reader}");
    let basic = format!("Basic {}", STANDARD.encode(format!("alice:{reader}")));
    let with_query = format!("{file}?format=pdf&session={reader}&page=2");
    for (path, headers) in [
        (file, vec![("Authorization", bearer.as_str())]),
        (file, vec![("X-Auth-Token", reader.as_str())]),
        (file, vec![("Authorization", basic.as_str())]),
        (with_query.as_str(), vec![]),
    ] {
        let (status, answer) = nginx.call("GET", path, &headers);
        assert_eq!(status, 200, "{path} {headers:?}: {answer}");
        assert!(answer.ends_with("from the upstream"));
        let seen = upstream.last();
        assert!(seen.contains("X-Tessera-User: alice"), "{seen}");
        assert!(seen.contains("X-Tessera-Scopes: env:acme:r"), "{seen}");
        assert!(
            seen.contains("X-Tessera-Method: reports.files.Read"),
            "{seen}"
        );
        assert!(
            !seen.to_ascii_lowercase().contains("authorization"),
            "{seen}"
        );
        assert!(
            !seen.to_ascii_lowercase().contains("x-auth-token"),
            "{seen}"
        );
    }
    assert!(
        upstream
            .last()
            .starts_with("GET /reports/acme/2026/q1.pdf?format=pdf&page=2 "),
        "the rest of the query reaches the upstream: {}",
        upstream.last()
    );
    let passed = upstream.requests().len();

    // Refused before the upstream, with the reason for the client.
    let refusals = [
        ("GET", file, vec![], 401, "token_required"),
        (
            "PUT",
            file,
            vec![("Authorization", bearer.as_str())],
            403,
            "method_not_allowed",
        ),
        (
            "GET",
            "/reports/other/q1.pdf",
            vec![("Authorization", bearer.as_str())],
            403,
            "out_of_scope",
        ),
        (
            "GET",
            "/internal/admin",
            vec![("Authorization", bearer.as_str())],
            403,
            "unknown_method",
        ),
    ];
    for (method, path, headers, status, code) in refusals {
        let (got, answer) = nginx.call(method, path, &headers);
        assert_eq!(got, status, "{method} {path}: {answer}");
        assert_eq!(code_of(&answer), Some(code), "{answer}");
    }
    // Two session parameters: the second would survive the stripping.
    let twice = format!("{file}?session={reader}&session={reader}");
    assert_eq!(nginx.call("GET", &twice, &[]).0, 400);
    // A public route: no token, and what a client claims about itself does not get through.
    let (status, _) = nginx.call("GET", "/reports/health", &[("X-Tessera-User", "root")]);
    assert_eq!(status, 200);
    assert!(
        !upstream.last().contains("X-Tessera-User"),
        "{}",
        upstream.last()
    );
    assert_eq!(
        upstream.requests().len(),
        passed + 1,
        "only the public call got through"
    );

    // Expired and removed tokens.
    let brief = token(
        &url,
        &routes,
        &["--method", "reports.files.Read", "-e", "2s"],
    );
    let brief_bearer = format!("Bearer {brief}");
    assert_eq!(
        nginx
            .call("GET", file, &[("Authorization", &brief_bearer)])
            .0,
        200
    );
    let started = Instant::now();
    let expired = loop {
        let (status, answer) = nginx.call("GET", file, &[("Authorization", &brief_bearer)]);
        if status != 200 {
            break answer;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the token did not expire"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(expired.starts_with("HTTP/1.1 401"), "{expired}");
    assert_eq!(code_of(&expired), Some("token_expired"));
    let removed = token(&url, &routes, &["--method", "reports.files.Read"]);
    let removed_bearer = format!("Bearer {removed}");
    assert_eq!(
        nginx
            .call("GET", file, &[("Authorization", &removed_bearer)])
            .0,
        200
    );
    let revoked = send(
        &served.addr,
        &format!("DELETE /api/v1/tokens/self HTTP/1.1\r\nAuthorization: {removed_bearer}\r\n\r\n"),
    );
    assert!(revoked.starts_with("HTTP/1.1 2"), "{revoked}");
    let (status, answer) = nginx.call("GET", file, &[("Authorization", &removed_bearer)]);
    assert_eq!(
        (status, code_of(&answer)),
        (401, Some("token_removed")),
        "{answer}"
    );

    let logged = nginx.access_log();
    assert!(logged.contains("GET /reports/acme/2026/q1.pdf"), "{logged}");
    for value in [&reader, &brief, &removed] {
        assert!(
            !logged.contains(value.as_str()),
            "nginx logged a token: {logged}"
        );
    }
    for seen in upstream.requests() {
        for value in [&reader, &brief, &removed] {
            assert!(
                !seen.contains(value.as_str()),
                "the upstream saw a token: {seen}"
            );
        }
    }
}

//! A protected route as an operator writes it, `GET /reports/{project}/{*file}`, and the
//! matching of a proxied request's path against it.
//!
//! Paths are matched as the upstream will receive them, so anything two programs might read
//! differently is refused before matching: dot segments, encoded slashes or backslashes, empty
//! segments, bytes that are not UTF-8 once decoded.

use std::{cmp::Ordering, collections::BTreeMap};

use percent_encoding::percent_decode_str;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutePattern {
    verb: Verb,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Verb {
    Any,
    /// Upper case, as HTTP writes it; `GET` also matches `HEAD`.
    Only(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `{name}`: one non-empty segment.
    Capture(String),
    /// `{*name}`: the rest of the path, one segment or more (last only).
    Rest(String),
}

/// What is wrong with a pattern, for the routes file's error message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{pattern}” is not a route: {problem}")]
pub struct PatternError {
    pattern: String,
    problem: &'static str,
}

/// A path that two programs could read differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "The path has a dot segment, an encoded slash or backslash, an empty segment, a \
     character a path may not hold unescaped, or bytes that are not UTF-8: it is refused, \
     since the upstream might read it otherwise."
)]
pub struct UnclearPath;

/// A request path, split and decoded once for matching against every pattern.
#[derive(Debug)]
pub struct RequestPath {
    segments: Vec<String>,
}

impl RequestPath {
    /// `raw` is the path as the client sent it, without its query.
    pub fn parse(raw: &str) -> Result<Self, UnclearPath> {
        let rest = raw.strip_prefix('/').ok_or(UnclearPath)?;
        if rest.is_empty() {
            return Ok(Self {
                segments: Vec::new(),
            });
        }
        // Only what RFC 3986 allows in a path, as sent: a raw `#`, space or `?` is cut or read
        // differently by proxies and servers.
        if !rest.bytes().all(is_path_byte) {
            return Err(UnclearPath);
        }
        let mut segments = Vec::new();
        for raw_segment in rest.split('/') {
            let segment = percent_decode_str(raw_segment)
                .decode_utf8()
                .map_err(|_| UnclearPath)?;
            let unclear = segment.is_empty()
                || segment == "."
                || segment == ".."
                || segment.contains(['/', '\\', '\0']);
            if unclear {
                return Err(UnclearPath);
            }
            segments.push(segment.into_owned());
        }
        Ok(Self { segments })
    }

    pub fn segments(&self) -> &[String] {
        &self.segments
    }
}

/// A byte of an RFC 3986 path: unreserved, sub-delims, `:`, `@`, `/` and `%` (of an escape).
fn is_path_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&byte)
}

impl RoutePattern {
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let fail = |problem| PatternError {
            pattern: text.to_owned(),
            problem,
        };
        let (verb, path) = text
            .trim()
            .split_once(' ')
            .ok_or_else(|| fail("write a method and a path, such as GET /reports/{id}"))?;
        let verb = match verb {
            "*" => Verb::Any,
            verb if !verb.is_empty() && verb.bytes().all(|b| b.is_ascii_uppercase()) => {
                Verb::Only(verb.to_owned())
            }
            _ => return Err(fail("the method is an upper-case HTTP method or *")),
        };
        let path = path.trim();
        let rest = path
            .strip_prefix('/')
            .ok_or_else(|| fail("the path starts with /"))?;
        let mut segments = Vec::new();
        if !rest.is_empty() {
            for part in rest.split('/') {
                if matches!(segments.last(), Some(Segment::Rest(_))) {
                    return Err(fail("{*name} may only end a path"));
                }
                segments.push(segment(part).map_err(fail)?);
            }
        }
        let mut names: Vec<&str> = segments
            .iter()
            .filter_map(|s| match s {
                Segment::Capture(name) | Segment::Rest(name) => Some(name.as_str()),
                Segment::Literal(_) => None,
            })
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        if names.len() != count {
            return Err(fail("a capture name is used twice"));
        }
        Ok(Self { verb, segments })
    }

    /// Whether a capture of this name is in the path (else a resource is a query parameter).
    pub fn captures(&self, name: &str) -> bool {
        self.segments.iter().any(|s| match s {
            Segment::Capture(n) | Segment::Rest(n) => n == name,
            Segment::Literal(_) => false,
        })
    }

    /// The captures when `verb` and `path` match.
    pub fn matches(&self, verb: &str, path: &RequestPath) -> Option<BTreeMap<String, String>> {
        let verb_fits = match &self.verb {
            Verb::Any => true,
            Verb::Only(only) => only == verb || (only == "GET" && verb == "HEAD"),
        };
        if !verb_fits {
            return None;
        }
        let mut captures = BTreeMap::new();
        let mut given = path.segments.iter();
        for (index, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Literal(literal) => {
                    if given.next()? != literal {
                        return None;
                    }
                }
                Segment::Capture(name) => {
                    captures.insert(name.clone(), given.next()?.clone());
                }
                Segment::Rest(name) => {
                    let rest = &path.segments[index..];
                    if rest.is_empty() {
                        return None;
                    }
                    captures.insert(name.clone(), rest.join("/"));
                    return Some(captures);
                }
            }
        }
        given.next().is_none().then_some(captures)
    }

    /// Orders patterns that match the same path: a literal segment is more specific than a
    /// capture, a capture than the rest of the path, a named method than `*`.
    pub fn specificity(&self, other: &Self) -> Ordering {
        let rank = |s: &Segment| match s {
            Segment::Literal(_) => 3,
            Segment::Capture(_) => 2,
            Segment::Rest(_) => 1,
        };
        let ranks = |p: &Self| p.segments.iter().map(rank).collect::<Vec<_>>();
        ranks(self).cmp(&ranks(other)).then_with(|| {
            matches!(self.verb, Verb::Only(_)).cmp(&matches!(other.verb, Verb::Only(_)))
        })
    }

    /// Whether two patterns have the same shape and the same method (`GET` and `HEAD` count
    /// as one): then neither is more specific, and which one a request meant could not be told.
    pub fn overlaps(&self, other: &Self) -> bool {
        let get_or_head = |verb: &Verb| matches!(verb, Verb::Only(v) if v == "GET" || v == "HEAD");
        let same_verb =
            self.verb == other.verb || (get_or_head(&self.verb) && get_or_head(&other.verb));
        let same_shape = self.segments.len() == other.segments.len()
            && self
                .segments
                .iter()
                .zip(&other.segments)
                .all(|pair| match pair {
                    (Segment::Literal(a), Segment::Literal(b)) => a == b,
                    (Segment::Capture(_), Segment::Capture(_))
                    | (Segment::Rest(_), Segment::Rest(_)) => true,
                    _ => false,
                });
        same_verb && same_shape
    }
}

fn segment(part: &str) -> Result<Segment, &'static str> {
    let capture_name = |name: &str| {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if let Some(inner) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
        let (rest, name) = match inner.strip_prefix('*') {
            Some(name) => (true, name),
            None => (false, inner),
        };
        if !capture_name(name) {
            return Err("a capture is {name} or {*name}, letters, digits and _");
        }
        return Ok(if rest {
            Segment::Rest(name.to_owned())
        } else {
            Segment::Capture(name.to_owned())
        });
    }
    if part.is_empty() || part == "." || part == ".." {
        return Err("a path has no empty, . or .. segments");
    }
    if part.contains(['{', '}', '%', '\\', '?', '#']) {
        return Err("a literal segment has no braces, %, \\, ? or #: write it decoded");
    }
    Ok(Segment::Literal(part.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> RoutePattern {
        RoutePattern::parse(text).unwrap()
    }

    fn path(raw: &str) -> RequestPath {
        RequestPath::parse(raw).unwrap()
    }

    #[test]
    fn captures_and_the_rest_of_a_path() {
        let read = pattern("GET /reports/{project}/{*file}");
        let found = read
            .matches("GET", &path("/reports/acme/2026/q1.pdf"))
            .unwrap();
        assert_eq!(found["project"], "acme");
        assert_eq!(found["file"], "2026/q1.pdf");
        assert!(read.matches("HEAD", &path("/reports/acme/x")).is_some());
        assert!(read.matches("PUT", &path("/reports/acme/x")).is_none());
        assert!(read.matches("GET", &path("/reports/acme")).is_none());
        assert!(read.matches("GET", &path("/Reports/acme/x")).is_none());
        let root = pattern("* /");
        assert!(root.matches("DELETE", &path("/")).is_some());
        assert!(root.matches("GET", &path("/x")).is_none());
        let decoded = pattern("GET /files/{name}");
        assert_eq!(
            decoded.matches("GET", &path("/files/a%20b")).unwrap()["name"],
            "a b"
        );
    }

    #[test]
    fn paths_an_upstream_might_read_otherwise_are_refused() {
        for raw in [
            "/reports/../admin",
            "/reports/./x",
            "/reports/%2e%2e/admin",
            "/reports/a%2Fb",
            "/reports/a%5cb",
            "/reports//x",
            "/reports/x/",
            "/reports/%ff",
            "/reports/a%00",
            "/reports/x#",
            "/reports/a b",
            "/reports/a\"b",
            "/reports/é",
            "/reports/{x}",
            "reports/x",
            "",
        ] {
            assert_eq!(RequestPath::parse(raw).unwrap_err(), UnclearPath, "{raw}");
        }
        assert!(RequestPath::parse("/").is_ok());
    }

    #[test]
    fn broken_patterns_say_why() {
        for (text, problem) in [
            ("/reports", "method and a path"),
            ("get /reports", "upper-case"),
            ("GET reports", "starts with /"),
            ("GET /a/{*rest}/b", "may only end"),
            ("GET /a/{x}/{x}", "twice"),
            ("GET /a/{}", "capture is"),
            ("GET /a//b", "empty"),
            ("GET /a/%2F", "write it decoded"),
        ] {
            let error = RoutePattern::parse(text).unwrap_err().to_string();
            assert!(error.contains(problem), "{text}: {error}");
        }
    }

    #[test]
    fn the_more_specific_pattern_ranks_higher() {
        let literal = pattern("GET /reports/public/{*file}");
        let capture = pattern("GET /reports/{project}/{*file}");
        assert_eq!(literal.specificity(&capture), Ordering::Greater);
        assert_eq!(
            pattern("GET /a").specificity(&pattern("* /a")),
            Ordering::Greater
        );
        assert!(capture.overlaps(&pattern("GET /reports/{p}/{*rest}")));
        assert!(!capture.overlaps(&pattern("PUT /reports/{p}/{*rest}")));
        assert!(!capture.overlaps(&literal));
    }
}

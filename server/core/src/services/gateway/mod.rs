//! Forward-auth: a reverse proxy asks, before passing a request to an upstream, whether the
//! token it carries may make it. The request is looked up in the protected routes (see
//! `routes`), then checked like a platform API call: the same verification, scopes, limits
//! and audit, and the same refusals.

mod pattern;
mod routes;

use std::sync::Arc;

use domain::{catalog::MethodName, client::ClientInfo, token::EnvName};

use self::{pattern::RequestPath, routes::Resolved};
pub use self::{
    pattern::{PatternError, RoutePattern, UnclearPath},
    routes::{ProtectedRoutes, RoutesError},
};
use super::{
    platform::PlatformError,
    tokens::{Presented, Refusal, TokenGrant, TokenService},
};

#[derive(Clone, Debug)]
pub struct GatewayService {
    tokens: TokenService,
    routes: Arc<ProtectedRoutes>,
}

/// The request a proxy is about to pass on, as it describes it.
#[derive(Debug)]
pub struct ProxiedRequest<'a> {
    /// The HTTP method, upper case.
    pub verb: &'a str,
    /// The path as the client sent it, without the query.
    pub path: &'a str,
    /// The query's parameters, without any `session` (that is the token).
    pub query: &'a [(String, String)],
}

#[derive(Debug)]
pub enum Verdict {
    /// A route anyone may call.
    Public,
    Allowed {
        grant: TokenGrant,
        method: MethodName,
    },
}

/// The resource a call names in its query: only on a read method's request (GET or HEAD,
/// whose body names nothing), and named once (servers differ on which of two counts).
fn queried<'a>(
    request: &'a ProxiedRequest<'_>,
    resource: &str,
    method: &MethodName,
) -> Result<&'a str, PlatformError> {
    let refuse = |why: &str| {
        Err(PlatformError::InvalidParameter(format!(
            "{method} acts on the resource its {resource} parameter names: {why}"
        )))
    };
    if !matches!(request.verb, "GET" | "HEAD") {
        return refuse(
            "through a proxy, name it in the query of a GET (a body the check cannot see could \
             name another).",
        );
    }
    let mut named = request.query.iter().filter(|(name, _)| name == resource);
    match (named.next(), named.next()) {
        (Some((_, value)), None) => Ok(value.as_str()),
        (None, _) => refuse("the request names none."),
        (Some(_), Some(_)) => refuse("the request names it twice."),
    }
}

impl GatewayService {
    pub fn new(tokens: TokenService, routes: Arc<ProtectedRoutes>) -> Self {
        Self { tokens, routes }
    }

    pub async fn check(
        &self,
        request: ProxiedRequest<'_>,
        presented: Option<Presented>,
        client: &ClientInfo,
    ) -> Result<Verdict, PlatformError> {
        let path = RequestPath::parse(request.path)
            .map_err(|unclear| PlatformError::InvalidParameter(unclear.to_string()))?;
        let catalog = self.tokens.catalog();
        let (method, captures) = match self.routes.resolve(catalog, request.verb, &path) {
            None => return Err(PlatformError::UnknownMethod),
            Some(Resolved::Public) => return Ok(Verdict::Public),
            Some(Resolved::Method { method, captures }) => (method, captures),
        };
        let presented = presented.ok_or(PlatformError::Refused(Refusal::NoCredential))?;
        let mut admission = self
            .tokens
            .verify(&presented, Some(&method.name), client)
            .await?;
        drop(presented);
        if let Some(resource) = &method.resource {
            let named = match captures.get(resource) {
                Some(captured) => captured.as_str(),
                None => queried(&request, resource, &method.name)?,
            };
            // As sent: a name the check would trim is not the one the upstream reads.
            if named.trim() != named {
                return Err(PlatformError::InvalidParameter(format!(
                    "The {resource} named has surrounding spaces."
                )));
            }
            let resource = EnvName::parse(named)
                .map_err(|error| PlatformError::InvalidParameter(error.to_string()))?;
            self.tokens
                .check_scope(
                    &mut admission,
                    &resource,
                    method.access,
                    &method.name,
                    client,
                )
                .map_err(PlatformError::Refused)?;
        }
        let grant = self.tokens.admit(admission, client).await?;
        Ok(Verdict::Allowed {
            grant,
            method: method.name.clone(),
        })
    }
}

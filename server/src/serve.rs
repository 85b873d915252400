//! Start-up: open the database, migrate, bind, serve until a shutdown signal.

use axum::serve::ListenerExt;
use leptos::config::LeptosOptions;
use std::time::Duration;

use tokio::{net::TcpListener, sync::watch, time::Instant};

use crate::{
    config::{self, BUNDLE_NAME, PKG_DIR},
    http::{self, client_address::TrustedProxies, detached::InFlight},
    services::{
        Options, Services,
        accounts::AccountError,
        tokens::{FLUSH_INTERVAL, LeakPolicy, TokenService},
    },
    settings::Settings,
    state::AppState,
    storage::{Database, StorageError},
};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Site(#[from] config::SiteNotFound),
    #[error("cannot listen on {addr}: {source}{hint}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
        hint: &'static str,
    },
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error("TESSERA_ADMIN_PASSWORD: {0}")]
    AdminPassword(app::account::PasswordError),
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogLoadError),
    #[error("cannot read the bundle in {dir}: {source}")]
    Bundle {
        dir: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
}

pub async fn migrate(settings: &Settings) -> Result<(), StartError> {
    let url = &settings.database_url.value;
    let database = Database::connect(url).await?;
    database.migrate().await?;
    tracing::info!(database = %url, "migrations applied");
    database.close().await;
    Ok(())
}

pub async fn run(settings: Settings) -> Result<(), StartError> {
    let url = &settings.database_url.value;
    let site_root = config::resolve_site_root(settings.site_root.value.as_deref())?;
    let pkg_dir = crate::http::assets::versioned_pkg_dir(&site_root).map_err(|source| {
        StartError::Bundle {
            dir: site_root.join(PKG_DIR),
            source,
        }
    })?;
    let api = crate::catalog::load_with_routes(
        settings.catalog.value.as_deref(),
        settings.routes.value.as_deref(),
    )?;
    let database = Database::connect(url).await?;
    database.migrate().await?;

    let listener = TcpListener::bind(settings.addr.value)
        .await
        .map_err(|source| StartError::Bind {
            addr: settings.addr.value,
            hint: if source.kind() == std::io::ErrorKind::AddrInUse {
                " (another process uses this port; choose one with --addr or TESSERA_ADDR)"
            } else {
                ""
            },
            source,
        })?;
    let addr = listener.local_addr().map_err(StartError::Serve)?;

    let leptos_options = LeptosOptions::builder()
        .output_name(BUNDLE_NAME)
        .site_root(site_root.to_string_lossy().as_ref())
        .site_pkg_dir(pkg_dir)
        .site_addr(addr)
        .build();
    let options = Options {
        routes: Some(api.routes),
        leak_policy: LeakPolicy {
            action: settings.leaked_tokens.value,
            secret: settings
                .leak_report_secret
                .value
                .clone()
                .map(|secret| secret.0),
        },
    };
    let services = Services::with_options(database.clone(), api.catalog, options)
        .allowing_private_webhooks(settings.webhook_allow_private.value);
    create_initial_admin(&services).await?;
    let webhook_worker = tokio::spawn(services.webhooks.clone().run());
    let (stopping, stop_requested) = watch::channel(false);
    let usage_flusher = tokio::spawn(flush_token_usage(
        services.tokens.clone(),
        stop_requested.clone(),
    ));
    let change_watcher = tokio::spawn({
        let tokens = services.tokens.clone();
        async move { tokens.watch_changes().await }
    });
    let tokens = services.tokens.clone();
    let metrics_server = match settings.metrics_addr.value {
        Some(addr) => {
            let (bound, serving) = crate::metrics::start(addr, services.clone()).await?;
            tracing::info!("metrics at http://{bound}/metrics");
            println!("metrics on http://{bound}/metrics");
            Some(tokio::spawn(serving))
        }
        None => None,
    };
    let in_flight = InFlight::default();
    let state = AppState {
        leptos_options,
        services,
        trusted_proxies: TrustedProxies::new(settings.trusted_proxies.value.clone()),
        in_flight: in_flight.clone(),
    };
    let app = http::router(state, &site_root)
        .into_make_service_with_connect_info::<std::net::SocketAddr>();

    tracing::info!(
        database = %url,
        site = %site_root.display(),
        "Tessera {} ready",
        crate::services::system::VERSION
    );
    // Machine-readable for scripts and tests that start the server on port 0.
    println!("listening on http://{addr}");

    // Headers and body go out in separate writes: with Nagle's algorithm the body waits for
    // the client's delayed ACK (about 40 ms on Linux) on every static file.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not turn off Nagle's algorithm");
        }
    });
    let (signalled, signal_seen) = watch::channel(None::<Instant>);
    let serving = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("stopping: answering the requests in flight");
        let _ = signalled.send(Some(Instant::now()));
    });
    tokio::select! {
        served = serving.into_future() => served.map_err(StartError::Serve)?,
        () = drain_deadline(signal_seen.clone()) => {}
    }
    // Connections are done (or out of time); requests whose clients hung up may still run.
    let signalled_at = signal_seen.borrow().unwrap_or_else(Instant::now);
    if tokio::time::timeout_at(signalled_at + DRAIN_LIMIT, in_flight.drained())
        .await
        .is_err()
    {
        tracing::warn!(
            running = in_flight.len(),
            "requests still running {} s after the signal are left to the exit; token uses \
             they record after the last flush are not kept",
            DRAIN_LIMIT.as_secs()
        );
    }
    // The flusher finishes a write it has begun (what it took from memory would otherwise
    // be lost); the last flush below then writes the rest.
    let _ = stopping.send(true);
    if tokio::time::timeout(STEP_LIMIT, usage_flusher)
        .await
        .is_err()
    {
        tracing::warn!("the last periodic write of token uses did not finish in time");
    }
    change_watcher.abort();
    // Deliveries in flight are lost with the process, not the outbox: they are sent again
    // once their lease ends.
    webhook_worker.abort();
    if let Some(metrics_server) = metrics_server {
        metrics_server.abort();
    }
    match tokio::time::timeout(STEP_LIMIT, tokens.flush_usage()).await {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => {
            tracing::error!(%error, "could not record the last token uses at shutdown");
        }
        Err(_) => tracing::error!("recording the last token uses at shutdown took too long"),
    }
    if tokio::time::timeout(STEP_LIMIT, database.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still in use at exit");
    }
    tracing::info!("stopped");
    Ok(())
}

/// On first start, an `admin` account: with TESSERA_ADMIN_PASSWORD, or with a generated
/// password printed once to the terminal (stdout, never the log).
async fn create_initial_admin(services: &Services) -> Result<(), StartError> {
    let password = std::env::var("TESSERA_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .map(app::account::Password::new)
        .transpose()
        .map_err(StartError::AdminPassword)?;
    let Some(admin) = services.accounts.ensure_initial_admin(password).await? else {
        return Ok(());
    };
    match admin.generated_password {
        Some(password) => {
            println!("Created the first admin account.");
            println!("  login:    {}", admin.login);
            println!("  password: {}", password.expose());
            println!("This password is shown only now. Change it under Settings → Account.");
        }
        None => tracing::info!(
            login = admin.login,
            "created the first admin account with the password from TESSERA_ADMIN_PASSWORD"
        ),
    }
    Ok(())
}

/// How long requests in flight may take after SIGTERM; with a [`STEP_LIMIT`] for each of the
/// three steps after it, the server exits within 9 s, inside the 10 s that process managers
/// usually give before SIGKILL.
const DRAIN_LIMIT: Duration = Duration::from_secs(6);
const STEP_LIMIT: Duration = Duration::from_secs(1);

async fn drain_deadline(mut signal_seen: watch::Receiver<Option<Instant>>) {
    let Ok(signalled_at) = signal_seen.wait_for(Option::is_some).await.map(|at| *at) else {
        return std::future::pending().await;
    };
    tokio::time::sleep_until(signalled_at.unwrap_or_else(Instant::now) + DRAIN_LIMIT).await;
    tracing::warn!(
        "connections still open {} s after the signal; no longer waiting for them",
        DRAIN_LIMIT.as_secs()
    );
}

/// Writes buffered token uses every few seconds until `stop_requested`; a failed write is
/// retried on the next tick.
async fn flush_token_usage(tokens: TokenService, mut stop_requested: watch::Receiver<bool>) {
    // The first flush one interval after the start, not at once: nothing is pending then, and
    // a first flush late under load would hide a wrong interval from the tests.
    let mut ticks =
        tokio::time::interval_at(tokio::time::Instant::now() + FLUSH_INTERVAL, FLUSH_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop_requested.changed() => return,
        }
        if let Err(error) = tokens.flush_usage().await {
            tracing::warn!(%error, "could not record token uses; will retry");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

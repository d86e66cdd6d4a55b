//! The connection loop: accept, the TLS handshake when serving HTTPS, HTTP/1.1 or HTTP/2 (as
//! ALPN chose), the limits on idle and slow clients, and the drain when the process stops.
//! What a request does once it is read is `server::dispatch`'s business.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulConnection;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::{AppState, ConnectionLimits};

use rustls::pki_types;
/// The rustls lcw is built with, for callers that load or check certificates.
pub use tokio_rustls::rustls;

/// The certificate and key an HTTPS listener presents; built by [`tls_config`].
pub type TlsConfig = rustls::ServerConfig;

/// Marks the requests of a TLS connection, so the links built for them say `https`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectedOverTls;

/// A TLS server configuration presenting `chain` (leaf first) with `key`, offering HTTP/2
/// and HTTP/1.1 through ALPN. The key may be RSA, ECDSA or Ed25519.
pub fn tls_config(
    chain: Vec<pki_types::CertificateDer<'static>>,
    key: pki_types::PrivateKeyDer<'static>,
) -> Result<Arc<TlsConfig>, rustls::Error> {
    // The same ring provider reqwest and the mailer's STARTTLS already build.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serve until the process gets SIGINT or SIGTERM, then stop accepting and let the requests
/// in flight finish (for at most [`DRAIN_LIMIT`]). With `tls`, every connection is HTTPS.
///
/// Each connection must finish its TLS handshake and send a request head within
/// `limits.header_timeout` of opening (and of each response, when kept alive; an HTTP/2
/// connection within that time of its last request ending), or it is closed; at most
/// `limits.max_connections` are served at once, so idle or slow clients cannot use up the
/// process.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    tls: Option<Arc<TlsConfig>>,
) -> std::io::Result<()> {
    let limits = state.limits.clone();
    serve_app(listener, crate::router(state), &limits, tls).await
}

/// Serve only `GET /metrics` (`lcw serve --metrics-listen`): a listener of its own, e.g. on
/// an address only the monitoring network reaches. Plain HTTP; stops like [`serve`].
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    metrics: Arc<crate::telemetry::Metrics>,
    store: store::Store,
    limits: &crate::ConnectionLimits,
) -> std::io::Result<()> {
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let (metrics, store) = (metrics.clone(), store.clone());
        async move {
            if req.uri().path() == "/metrics" && req.method() == axum::http::Method::GET {
                crate::server::metrics_response(&metrics, &store).await
            } else {
                let mut resp = axum::response::Response::new(axum::body::Body::from(
                    "only GET /metrics is served here\n",
                ));
                *resp.status_mut() = axum::http::StatusCode::NOT_FOUND;
                resp
            }
        }
    });
    serve_app(listener, app, limits, None).await
}

async fn serve_app(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: &crate::ConnectionLimits,
    tls: Option<Arc<TlsConfig>>,
) -> std::io::Result<()> {
    let limits = limits.clone();
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    // Every connection holds a receiver until it has ended: the drain waits for them all.
    let (stopping, stop_seen) = watch::channel(false);
    let mut stop = pin!(shutdown_signal());
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let socket = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((socket, _peer)) => socket,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = socket.set_nodelay(true);
        let conn = Connection {
            opened: Instant::now(),
            app: app.clone(),
            limits: limits.clone(),
            stop: stop_seen.clone(),
        };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            match acceptor {
                None => conn.serve_plain(socket).await,
                Some(acceptor) => conn.serve_tls(acceptor, socket).await,
            }
            drop(permit);
        });
    }
    drop(listener);
    drop(stop_seen);
    let _ = stopping.send(true);
    if tokio::time::timeout(DRAIN_LIMIT, stopping.closed())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after {DRAIN_LIMIT:?}; stopping anyway");
    }
    Ok(())
}

/// How long a stopping server waits for the requests in flight.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// One accepted TCP connection, before it is served.
struct Connection {
    opened: Instant,
    app: axum::Router,
    limits: ConnectionLimits,
    stop: watch::Receiver<bool>,
}

impl Connection {
    async fn serve_plain(self, socket: tokio::net::TcpStream) {
        let head_timeout = self.limits.header_timeout;
        let service = self.service(false, None);
        let conn = http1(head_timeout).serve_connection(TokioIo::new(socket), service);
        drive(conn, self.stop, None).await;
    }

    async fn serve_tls(
        mut self,
        acceptor: tokio_rustls::TlsAcceptor,
        socket: tokio::net::TcpStream,
    ) {
        let limit = self.limits.header_timeout;
        // The handshake counts against the time a client has to send its request head, so
        // one that connects and never says hello is closed like one that never sends a head.
        let handshake = tokio::select! {
            done = tokio::time::timeout(limit, acceptor.accept(socket)) => done,
            _ = stopped(&mut self.stop) => return,
        };
        let stream = match handshake {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "TLS handshake failed");
                return;
            }
            Err(_) => return,
        };
        let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
        let io = TokioIo::new(stream);
        if h2 {
            // HTTP/2 has no request-head timeout of its own: a connection with no request in
            // flight for `limit` is closed (with GOAWAY) instead.
            let activity = Arc::new(Activity::new(self.opened));
            let service = self.service(true, Some(activity.clone()));
            let mut builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
            builder.timer(TokioTimer::new());
            let conn = builder.serve_connection(io, service);
            drive(conn, self.stop, Some((activity, limit))).await;
        } else {
            // The first head is due within what is left of the limit after the handshake
            // (and so is each later one: a handshake that took most of it is rare).
            let left = limit.saturating_sub(self.opened.elapsed());
            let service = self.service(true, None);
            let conn = http1(left).serve_connection(io, service);
            drive(conn, self.stop, None).await;
        }
    }

    /// The router as a hyper service, marking TLS requests and counting the ones in flight.
    fn service(
        &self,
        tls: bool,
        activity: Option<Arc<Activity>>,
    ) -> impl hyper::service::Service<
        Request<Incoming>,
        Response = axum::response::Response,
        Error = std::convert::Infallible,
        Future = impl Future<Output = Result<axum::response::Response, std::convert::Infallible>>
                     + Send
                     + 'static,
    > + Clone {
        let app = hyper_util::service::TowerToHyperService::new(self.app.clone());
        hyper::service::service_fn(move |mut req: Request<Incoming>| {
            if tls {
                req.extensions_mut().insert(ConnectedOverTls);
            }
            let busy = activity.as_ref().map(|a| a.begin());
            let answer = hyper::service::Service::call(&app, req);
            async move {
                let response = answer.await;
                drop(busy);
                response
            }
        })
    }
}

fn http1(head_timeout: Duration) -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(head_timeout);
    builder
}

/// Serve `conn` to its end; on the stop signal, or when `idle` says the connection has had
/// no request in flight for its limit, shut it down gracefully (requests in flight finish).
async fn drive<C>(conn: C, mut stop: watch::Receiver<bool>, idle: Option<(Arc<Activity>, Duration)>)
where
    C: GracefulConnection,
{
    let mut conn = pin!(conn);
    let mut closing = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = stopped(&mut stop), if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
                if idle.as_ref().is_some_and(|(activity, _)| activity.idle().is_some()) {
                    // Nothing in flight to wait for (and maybe no preface ever coming).
                    let _ = tokio::time::timeout(IDLE_CLOSE_GRACE, conn.as_mut()).await;
                    return;
                }
            }
            _ = idle_for(idle.as_ref()), if !closing => {
                conn.as_mut().graceful_shutdown();
                // hyper's HTTP/2 server ends only once the client has sent its preface; one
                // that never does is dropped once the GOAWAY had time to go out.
                let _ = tokio::time::timeout(IDLE_CLOSE_GRACE, conn.as_mut()).await;
                return;
            }
        }
    }
}

/// Resolves once the server is stopping (or gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}

/// How long an idle connection told to close may take to say goodbye.
const IDLE_CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Requests in flight on one connection, and when the last one began or ended.
struct Activity {
    opened: Instant,
    in_flight: AtomicUsize,
    last_change_ms: AtomicU64,
}

impl Activity {
    fn new(opened: Instant) -> Self {
        Activity {
            opened,
            in_flight: AtomicUsize::new(0),
            last_change_ms: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_change_ms.store(ms, Ordering::Relaxed);
    }

    fn begin(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.touch();
        Busy(self.clone())
    }

    /// How long the connection has been without a request in flight, if it has.
    fn idle(&self) -> Option<Duration> {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return None;
        }
        let last = Duration::from_millis(self.last_change_ms.load(Ordering::Relaxed));
        Some(self.opened.elapsed().saturating_sub(last))
    }
}

/// A request in flight; dropping it (the response head is out) ends it.
struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

/// Resolves once the connection has been idle for its limit; never without one.
async fn idle_for(idle: Option<&(Arc<Activity>, Duration)>) {
    let Some((activity, limit)) = idle else {
        return std::future::pending().await;
    };
    loop {
        let wait = match activity.idle() {
            Some(idle) if idle >= *limit => return,
            Some(idle) => *limit - idle,
            None => *limit,
        };
        tokio::time::sleep(wait).await;
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}

//! R201–R202 attacks on the gateway's listener, with raw TCP and TLS clients against
//! `ebl_node::edge::serve` over a small router: a slowloris client trickling its headers, a
//! client that never sends anything or never finishes its TLS handshake, a flood of
//! connections over the cap — and the honest clients that must still be served.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use ebl_node::edge::{EdgeLimits, EdgeMetrics, Expiry, serve};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// Bound on every wait of these tests.
const WAIT: Duration = Duration::from_secs(5);
const HEADER_READ: Duration = Duration::from_millis(300);
const IDLE: Duration = Duration::from_millis(900);

fn limits(max_connections: usize) -> EdgeLimits {
    EdgeLimits {
        max_connections,
        header_read_timeout: HEADER_READ,
        idle_timeout: IDLE,
    }
}

struct Server {
    addr: SocketAddr,
    metrics: EdgeMetrics,
    _stop: oneshot::Sender<()>,
}

async fn start(limits: EdgeLimits, tls: Option<TlsAcceptor>) -> Server {
    let router = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(HEADER_READ * 2).await;
                "done"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let metrics = EdgeMetrics::default();
    let (stop, stopped) = oneshot::channel();
    tokio::spawn(serve(
        listener,
        tls,
        router,
        limits,
        metrics.clone(),
        stopped,
    ));
    Server {
        addr,
        metrics,
        _stop: stop,
    }
}

/// Sends `GET path` and reads one response; returns its status and body.
async fn request<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, path: &str) -> (u16, String) {
    let head = format!("GET {path} HTTP/1.1\r\nHost: gateway\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let mut chunk = [0u8; 1024];
    tokio::time::timeout(WAIT, async {
        loop {
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "closed before a response");
            received.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&received).to_string();
            let Some(end) = text.find("\r\n\r\n") else {
                continue;
            };
            let length: usize = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if received.len() >= end + 4 + length {
                let status = text[9..12].parse().unwrap();
                return (status, text[end + 4..end + 4 + length].to_string());
            }
        }
    })
    .await
    .expect("no response in time")
}

/// Waits until the server closes `stream` (end of file or reset); returns when it did.
async fn closed<S: AsyncRead + Unpin>(stream: &mut S) -> Instant {
    let mut chunk = [0u8; 256];
    tokio::time::timeout(WAIT, async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return Instant::now(),
                Ok(_) => {}
            }
        }
    })
    .await
    .expect("the server kept the connection open")
}

/// Waits until `count()` reaches `n`.
async fn counted(count: impl Fn() -> u64, n: u64) {
    tokio::time::timeout(WAIT, async {
        while count() < n {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the metric never reached its value");
}

#[tokio::test]
async fn a_slowloris_client_trickling_its_headers_is_dropped() {
    let server = start(limits(16), None).await;
    let connected = Instant::now();
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    // One byte every 50 ms of a head that never ends.
    let trickle = tokio::spawn(async move {
        let head = b"GET /health HTTP/1.1\r\nHost: gateway\r\nX-Padding: ";
        for byte in head.iter().chain(std::iter::repeat(&b'a')) {
            if writer.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let at = closed(&mut reader).await;
    assert!(at - connected >= HEADER_READ, "closed before its time");
    counted(|| server.metrics.timed_out(Expiry::HeaderRead), 1).await;
    trickle.abort();
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_dropped_after_the_header_timeout() {
    let server = start(limits(16), None).await;
    let connected = Instant::now();
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let at = closed(&mut stream).await;
    assert!(at - connected >= HEADER_READ);
    counted(|| server.metrics.timed_out(Expiry::HeaderRead), 1).await;
    assert_eq!(server.metrics.timed_out(Expiry::Idle), 0);
}

#[tokio::test]
async fn a_prompt_client_keeps_its_connection_until_the_idle_timeout() {
    let server = start(limits(16), None).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    assert_eq!(request(&mut stream, "/health").await, (200, "ok".into()));
    // Quiet for longer than the header timeout, shorter than the idle one: still served.
    tokio::time::sleep(HEADER_READ + Duration::from_millis(100)).await;
    let answered = Instant::now();
    assert_eq!(request(&mut stream, "/health").await, (200, "ok".into()));
    let at = closed(&mut stream).await;
    assert!(at - answered >= IDLE, "closed before the idle timeout");
    counted(|| server.metrics.timed_out(Expiry::Idle), 1).await;
    assert_eq!(server.metrics.timed_out(Expiry::HeaderRead), 0);
}

#[tokio::test]
async fn a_request_slower_than_the_header_timeout_is_not_cut() {
    let server = start(limits(16), None).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    assert_eq!(request(&mut stream, "/slow").await, (200, "done".into()));
    assert_eq!(server.metrics.timed_out(Expiry::HeaderRead), 0);
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_at_once_and_counted() {
    let server = start(
        EdgeLimits {
            header_read_timeout: WAIT * 2,
            idle_timeout: WAIT * 2,
            ..limits(2)
        },
        None,
    )
    .await;
    let mut first = TcpStream::connect(server.addr).await.unwrap();
    let mut second = TcpStream::connect(server.addr).await.unwrap();
    assert_eq!(request(&mut first, "/health").await.0, 200);
    assert_eq!(request(&mut second, "/health").await.0, 200);

    let mut flood = TcpStream::connect(server.addr).await.unwrap();
    let tried = Instant::now();
    let at = closed(&mut flood).await;
    assert!(at - tried < WAIT, "closed at once, not after a timeout");
    counted(|| server.metrics.refused.get(), 1).await;
    assert_eq!(server.metrics.open.get(), 2);

    // An honest client is served again once a place is free.
    drop(first);
    tokio::time::timeout(WAIT, async {
        loop {
            let mut next = TcpStream::connect(server.addr).await.unwrap();
            let head = b"GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n";
            let mut reply = [0u8; 12];
            if next.write_all(head).await.is_ok() && next.read_exact(&mut reply).await.is_ok() {
                assert_eq!(&reply[9..12], b"200");
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("a freed place is never given again");
    drop(second);
}

/// A TLS acceptor with a fresh self-signed certificate for `localhost`, and that certificate.
fn tls_pair() -> (TlsAcceptor, CertificateDer<'static>) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert = made.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    let settings = ebl_node::tls::TlsSettings {
        cert_chain: vec![cert.clone()],
        key,
        client_roots: None,
    };
    let acceptor = TlsAcceptor::from(Arc::new(settings.server_config().unwrap()));
    (acceptor, cert)
}

#[tokio::test]
async fn a_tls_client_that_never_finishes_its_handshake_is_dropped() {
    let (acceptor, _) = tls_pair();
    let server = start(limits(16), Some(acceptor)).await;
    let connected = Instant::now();
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    // The first bytes of a TLS record header, then nothing.
    stream.write_all(&[0x16, 0x03, 0x01]).await.unwrap();
    let at = closed(&mut stream).await;
    assert!(at - connected >= HEADER_READ);
    counted(|| server.metrics.timed_out(Expiry::HeaderRead), 1).await;
}

#[tokio::test]
async fn a_tls_client_is_served_and_dropped_when_idle() {
    let (acceptor, cert) = tls_pair();
    let server = start(limits(16), Some(acceptor)).await;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    let answered = Instant::now();
    assert_eq!(request(&mut tls, "/health").await, (200, "ok".into()));
    let at = closed(&mut tls).await;
    assert!(at - answered >= IDLE);
    counted(|| server.metrics.timed_out(Expiry::Idle), 1).await;
}

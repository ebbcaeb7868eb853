//! Open-loop latency of the gateway's read routes against one real validator (RocksDB, TCP).
//!
//! `cargo bench -p ebl-tests --bench gateway_latency` starts a one-validator node, commits
//! `EBL_BENCH_DOCS` (default 3000) eBL issues whose document ids are the JCS checksums of DCSA
//! TransportDocuments, then, for each rate in `EBL_BENCH_RATES` (default 1000,2000,5000,10000,
//! 15000 requests/s) and each route (POST /v1/verify, GET /v1/ebls/{id}), sends requests on a
//! fixed schedule for `EBL_BENCH_SECS` seconds (default 5). Latency is measured from each
//! request's *scheduled* send time, so a stalled server is charged for the requests it delayed
//! (no coordinated omission). The load generator shares the machine's cores with the node.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::Node;
use ebl_node::api_server::{ApiSection, ApiServer};
use ebl_tests::single::{one_validator_network, single_validator_settings};
use ebl_tests::wait_fates;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::time::Instant;

const KEY: &str = "bench-key";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `n` distinct DCSA TransportDocuments (the testkit sample with its reference changed).
fn documents(n: usize) -> Vec<(DocumentId, String, Bytes)> {
    let sample: Value = serde_json::from_str(include_str!(
        "../../ledger/src/testkit/dcsa-issuance-request.json"
    ))
    .unwrap();
    (0..n)
        .map(|i| {
            let mut doc = sample["document"].clone();
            let reference = format!("BENCH{i:07}");
            doc["transportDocumentReference"] = Value::String(reference.clone());
            let id = ebl_ledger::docid::document_id(&doc).unwrap();
            (
                id,
                reference,
                Bytes::from(serde_json::to_vec(&doc).unwrap()),
            )
        })
        .collect()
}

async fn preload(node: &Node, net: &mut TestNetwork, docs: &[(DocumentId, String, Bytes)]) {
    let handle = node.handle();
    // Chunks below the mempool's per-signer window.
    for chunk in docs.chunks(500) {
        let mut fates = handle.subscribe_notifications();
        let mut ids = Vec::new();
        for (id, reference, _) in chunk {
            let issue = EblIssue {
                document: *id,
                reference: reference.clone(),
                kind: EblType::ToOrderBl,
                issue_to: net.org("SHIPPER"),
                // Blank, as the sample document says (PARTIES, R227).
                consignee: None,
            };
            let entry = net.sign("CARRIER", Body::Ebl(EblAction::Issue(issue)));
            ids.push(entry.id());
            handle.submit(entry).await.unwrap();
        }
        wait_fates(&mut fates, &ids, Duration::from_secs(120))
            .await
            .unwrap();
    }
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

#[derive(Clone, Copy, Debug)]
enum Route {
    Verify,
    GetEbl,
}

fn request(
    route: Route,
    base: &str,
    doc: &(DocumentId, String, Bytes),
) -> hyper::Request<Full<Bytes>> {
    let builder = hyper::Request::builder().header("x-api-key", KEY);
    match route {
        Route::Verify => builder
            .method("POST")
            .uri(format!("{base}/v1/verify"))
            .header("content-type", "application/json")
            .body(Full::new(doc.2.clone())),
        Route::GetEbl => builder
            .method("GET")
            .uri(format!("{base}/v1/ebls/{}", doc.0.to_hex()))
            .body(Full::new(Bytes::new())),
    }
    .unwrap()
}

struct Run {
    histogram: Histogram<u64>,
    ok: u64,
    errors: u64,
    elapsed: Duration,
}

/// Sends `rate` requests per second for `secs` seconds on a fixed schedule.
async fn open_loop(
    client: &HttpClient,
    base: &str,
    route: Route,
    docs: &Arc<Vec<(DocumentId, String, Bytes)>>,
    rate: u64,
    secs: u64,
) -> Run {
    let histogram = Arc::new(Mutex::new(
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap(),
    ));
    let counts = Arc::new(Mutex::new((0u64, 0u64)));
    let total = rate * secs;
    let interval = Duration::from_nanos(1_000_000_000 / rate);
    let start = Instant::now() + Duration::from_millis(10);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..total {
        let scheduled = start + interval * u32::try_from(i).unwrap();
        tokio::time::sleep_until(scheduled).await;
        let pick = usize::try_from(i.wrapping_mul(7919)).unwrap_or(0) % docs.len();
        let req = request(route, base, &docs[pick]);
        let (client, histogram, counts) = (client.clone(), histogram.clone(), counts.clone());
        tasks.spawn(async move {
            let ok = match tokio::time::timeout(Duration::from_secs(30), client.request(req)).await
            {
                Ok(Ok(resp)) => {
                    let status = resp.status();
                    let body = resp.into_body().collect().await;
                    status.is_success() && body.is_ok()
                }
                _ => false,
            };
            // From the scheduled time, not the actual send: delays caused by a slow server count.
            let micros = u64::try_from(scheduled.elapsed().as_micros()).unwrap_or(u64::MAX);
            histogram.lock().unwrap().saturating_record(micros.max(1));
            let mut c = counts.lock().unwrap();
            if ok { c.0 += 1 } else { c.1 += 1 }
        });
        // Reap finished tasks as we go, so the set stays small.
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    let elapsed = start.elapsed();
    let histogram = histogram.lock().unwrap().clone();
    let (ok, errors) = *counts.lock().unwrap();
    Run {
        histogram,
        ok,
        errors,
        elapsed,
    }
}

fn main() {
    if !ebl_tests::bench_requested() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(bench());
}

async fn bench() {
    let n_docs: usize = env_or("EBL_BENCH_DOCS", 3000);
    let secs: u64 = env_or("EBL_BENCH_SECS", 5);
    let rates: Vec<u64> = std::env::var("EBL_BENCH_RATES")
        .unwrap_or_else(|_| "1000,2000,5000,10000,15000".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .collect();
    let routes: Vec<Route> = match std::env::var("EBL_BENCH_ROUTES").as_deref() {
        Ok("verify") => vec![Route::Verify],
        Ok("get") => vec![Route::GetEbl],
        _ => vec![Route::Verify, Route::GetEbl],
    };

    let mut net = one_validator_network();
    let dir = tempfile::tempdir().unwrap();
    let settings = single_validator_settings(
        &net,
        "bench",
        dir.path().to_path_buf(),
        Duration::from_millis(200),
    )
    .unwrap();
    let node = Node::start(settings, &net.genesis).await.unwrap();
    let docs = documents(n_docs);
    let t = std::time::Instant::now();
    preload(&node, &mut net, &docs).await;
    println!("preloaded {n_docs} eBLs in {:?}", t.elapsed());

    let mut section = ApiSection::with_admin_key("127.0.0.1:0", KEY);
    // R235: the bench reads every preloaded bill, so it reads as the regulator.
    section.keys[0].scopes = vec!["read".into(), "regulator".into()];
    let mut config = section.gateway_config().unwrap();
    // The bench measures the read path, not the per-key limiter.
    config.rate_limit.burst = u32::MAX;
    config.rate_limit.per_second = 1e12;
    let api = ApiServer::start(node.handle(), "127.0.0.1:0", config)
        .await
        .unwrap();
    let base = format!("http://{}", api.addr);
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(4096)
        .build(connector);
    let docs = Arc::new(docs);

    // Warm-up: connections, caches.
    let _ = open_loop(&client, &base, Route::Verify, &docs, 500, 1).await;
    println!("| route | target/s | achieved/s | ok | errors | p50 ms | p90 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for route in &routes {
        for rate in &rates {
            let run = open_loop(&client, &base, *route, &docs, *rate, secs).await;
            let saturated = run.histogram.value_at_quantile(0.99) > 1_000_000;
            let h = &run.histogram;
            let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
            println!(
                "| {:?} | {} | {:.0} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} |",
                route,
                rate,
                run.ok as f64 / run.elapsed.as_secs_f64(),
                run.ok,
                run.errors,
                ms(0.5),
                ms(0.9),
                ms(0.99),
                h.max() as f64 / 1000.0
            );
            // Past saturation the backlog only grows; higher rates would measure the queue.
            if saturated {
                println!("| {route:?} | saturated: p99 over 1 s, higher rates skipped |");
                break;
            }
            // Let the server drain before the next rate.
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    api.stop().await.unwrap();
    node.stop().await.unwrap();
}

//! HTTP to the gateways (hyper, HTTP/1.1, pooled keep-alive connections).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::BenchError;

/// A pooled HTTP client.
pub type Http = Client<HttpConnector, Full<Bytes>>;

/// A client keeping up to `idle` idle connections per gateway.
pub fn client(idle: usize) -> Http {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(idle)
        .build(connector)
}

fn request(
    method: &str,
    url: &str,
    key: &str,
    body: Option<String>,
) -> Result<hyper::Request<Full<Bytes>>, BenchError> {
    let mut builder = hyper::Request::builder()
        .method(method)
        .uri(url)
        .header("authorization", format!("Bearer {key}"));
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    builder
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .map_err(|e| BenchError::Http(format!("{url}: {e}")))
}

/// Sends a request; answers the status code and, for a refusal, the problem's `code`.
pub async fn send(
    http: &Http,
    url: &str,
    key: &str,
    body: String,
) -> Result<(u16, Option<String>), BenchError> {
    let response = http
        .request(request("POST", url, key, Some(body))?)
        .await
        .map_err(|e| BenchError::Http(format!("{url}: {e}")))?;
    let status = response.status().as_u16();
    // Reading the body to its end returns the connection to the pool.
    let bytes = response.into_body().collect().await.map(|b| b.to_bytes());
    let code = match bytes {
        Ok(bytes) if status >= 300 => serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v["code"].as_str().map(str::to_string)),
        _ => None,
    };
    Ok((status, code))
}

/// `POST url` with a JSON body, answering the status and the JSON answer (`Null` if not JSON).
pub async fn post_json(
    http: &Http,
    url: &str,
    key: &str,
    body: String,
) -> Result<(u16, serde_json::Value), BenchError> {
    read_json(http, request("POST", url, key, Some(body))?, url).await
}

/// `GET url`, answering the status and the JSON body (`Null` if it is not JSON).
pub async fn get_json(
    http: &Http,
    url: &str,
    key: &str,
) -> Result<(u16, serde_json::Value), BenchError> {
    read_json(http, request("GET", url, key, None)?, url).await
}

async fn read_json(
    http: &Http,
    req: hyper::Request<Full<Bytes>>,
    url: &str,
) -> Result<(u16, serde_json::Value), BenchError> {
    let response = http
        .request(req)
        .await
        .map_err(|e| BenchError::Http(format!("{url}: {e}")))?;
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| BenchError::Http(format!("{url}: {e}")))?
        .to_bytes();
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    ))
}

/// `GET url` for a streamed body (the event stream).
pub async fn open_stream(
    http: &Http,
    url: &str,
    key: &str,
    last_event_id: Option<&str>,
) -> Result<hyper::body::Incoming, BenchError> {
    let mut req = request("GET", url, key, None)?;
    req.headers_mut().insert(
        "accept",
        hyper::header::HeaderValue::from_static("text/event-stream"),
    );
    if let Some(id) = last_event_id.and_then(|id| hyper::header::HeaderValue::from_str(id).ok()) {
        req.headers_mut().insert("last-event-id", id);
    }
    let response = http
        .request(req)
        .await
        .map_err(|e| BenchError::Http(format!("{url}: {e}")))?;
    if !response.status().is_success() {
        return Err(BenchError::Http(format!(
            "{url}: status {}",
            response.status()
        )));
    }
    Ok(response.into_body())
}

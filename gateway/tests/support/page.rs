//! Helpers of the public page tests: raw (non-JSON) replies, a language header, and a QR PNG
//! decoded back to its text.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A reply with its body as bytes.
pub struct RawReply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RawReply {
    /// The body as text (HTML pages).
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

/// An anonymous GET with an optional `Accept-Language` header.
pub async fn fetch_raw(app: &Router, uri: &str, accept_language: Option<&str>) -> RawReply {
    let mut builder = Request::get(uri);
    if let Some(language) = accept_language {
        builder = builder.header("accept-language", language);
    }
    let response = app
        .clone()
        .oneshot(builder.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    RawReply {
        status,
        headers,
        body: body.to_vec(),
    }
}

/// An anonymous GET: the content type and the body.
pub async fn fetch_bytes(app: &Router, uri: &str) -> (String, Vec<u8>) {
    let reply = fetch_raw(app, uri, None).await;
    assert_eq!(
        reply.status,
        200,
        "{uri}: {}",
        String::from_utf8_lossy(&reply.body)
    );
    let content_type = reply.headers["content-type"].to_str().unwrap().to_string();
    (content_type, reply.body)
}

/// Decodes a greyscale PNG with `png` and reads the one QR code in it with `rqrr`.
pub fn decode_qr_png(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let width = usize::try_from(info.width).unwrap();
    let height = usize::try_from(info.height).unwrap();
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| pixels[y * width + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    let (_, text) = grids[0].decode().unwrap();
    text
}

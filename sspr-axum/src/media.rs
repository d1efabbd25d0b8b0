//! The challenge's picture or audio clip: `GET <base>/challenge`.
//!
//! It reads the flow's challenge without using up its step ([`Flows::challenge`]), renders
//! it on tokio's blocking pool (a few milliseconds of CPU), and serves it with
//! `Cache-Control: no-store`, so that no cache keeps a challenge. Anything wrong (no flow,
//! a flow past its challenge) is an empty 404: the page's text alternative says what to
//! do.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sspr::store::FlowStore;

use crate::routes::App;

pub(crate) async fn challenge<St: FlowStore + 'static>(
    State(app): State<Arc<App<St>>>,
    headers: HeaderMap,
) -> Response {
    let Some(flow) = app.jar.flow(&headers) else {
        return gone();
    };
    let Ok(challenge) = app.flows.challenge(flow).await else {
        return gone();
    };
    let sspr = app.sspr.clone();
    let media = tokio::task::spawn_blocking(move || sspr.render(&challenge)).await;
    let Ok(Ok(media)) = media else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let disposition = format!("inline; filename=\"challenge.{}\"", media.file_extension());
    let content_type = media.content_type();
    let mut response = Response::new(Body::from(media.into_bytes()));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

fn gone() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

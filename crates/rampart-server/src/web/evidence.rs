//! The evidence pages: list with hashes, custody log, upload, download.

use axum::Router;

use crate::AppState;

/// This area's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}

//! The communications pages: decisions, drafts and their approvals (steps 11 and 14).

use axum::Router;

use crate::AppState;

/// This area's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}

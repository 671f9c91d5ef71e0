//! Administration: users and their global roles.

use axum::Router;

use crate::AppState;

/// This area's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}

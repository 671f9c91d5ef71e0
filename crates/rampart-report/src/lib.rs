//! Policy and renderers.

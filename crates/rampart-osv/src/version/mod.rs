//! Version ordering.

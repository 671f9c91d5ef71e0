//! The crate's one integration-test binary: renderers, policy, baseline.

mod baseline;
mod policy;
mod render;
mod sample;
mod secrets;

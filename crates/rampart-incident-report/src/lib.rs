//! Post-incident reports, STIX 2.1 indicator bundles and VERIS
//! classification, built from an incident's records (DESIGN.md §5, issue 5).
//!
//! - [`build_report`] turns the incident and its records into a [`Report`]
//!   for an [`Audience`]; [`render_markdown`] and [`render_html`] draw it,
//!   and the report serializes to JSON as it is. The external audience's
//!   rules live in one module (`external.rs`), one function per record kind.
//! - [`stix_bundle`] exports the indicators as a STIX 2.1 bundle with TLP 2.0
//!   markings and ATT&CK attack patterns.
//! - [`veris_classification`] classifies the incident in VERIS terms.
//!
//! Everything here is a pure function of its inputs: no I/O, no clock (the
//! caller passes `generated_at`), and the same input gives byte-identical
//! output.

mod document;
mod external;
mod html;
mod markdown;
mod model;
mod stix;
mod veris;

pub use html::render_html;
pub use markdown::render_markdown;
pub use model::{
    AccessWindow, ActionItemLine, Analysis, ApprovalLine, AttributionLine, Audience,
    AudienceParseError, CommsDecision, Credential, DataSet, Draft, Evidence, Header, IndicatorLine,
    LawEnforcement, Lesson, Outcome, OutsideParty, Report, SentLine, SignoffLine, Span,
    StepSection, Summary, TeamMember, TimelineEvent, build_report,
};
pub use stix::{StixOptions, TLP2_EXTENSION, TLP2_MARKINGS, stix_bundle};
pub use veris::{VERIS_SCHEMA_VERSION, veris_classification};

//! Indicators, the credential register, the post-incident report and the
//! classification exports.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::incident::RecordView;

/// `GET /api/v1/incidents/{id}/report`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `internal` (default) or `external` (leaves out restricted detail).
    #[serde(default)]
    pub audience: Option<String>,
    /// `markdown` (default), `html` or `json`.
    #[serde(default)]
    pub format: Option<String>,
}

/// `GET /api/v1/incidents/{id}/indicators/stix`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StixQuery {
    /// Leave out indicators marked more restrictively than this TLP
    /// (e.g. `green` for a community share). Default: include all.
    #[serde(default)]
    pub max_tlp: Option<String>,
}

/// `GET /api/v1/incidents/{id}/indicators`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IndicatorList {
    /// The `indicator` records, oldest first.
    pub indicators: Vec<RecordView>,
}

/// `GET /api/v1/incidents/{id}/credentials`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CredentialList {
    /// The `compromised_credential` records, oldest first.
    pub credentials: Vec<RecordView>,
    /// How many are not rotated yet (they hold up step 2).
    pub unrotated: usize,
}

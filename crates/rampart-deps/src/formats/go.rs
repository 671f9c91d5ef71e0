use rampart_core::Component;

use crate::{ExtractError, ExtractInput};

pub(crate) fn extract_go_mod(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    Err(ExtractError::Unsupported {
        path: input.path.to_string(),
        format: "go.mod",
        message: "extractor under construction".into(),
    })
}

pub(crate) fn extract_go_sum(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    extract_go_mod(input)
}

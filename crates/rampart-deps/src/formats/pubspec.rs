use rampart_core::Component;

use crate::{ExtractError, ExtractInput};

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    Err(ExtractError::Unsupported {
        path: input.path.to_string(),
        format: "lockfile",
        message: "extractor under construction".into(),
    })
}

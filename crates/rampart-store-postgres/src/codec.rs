//! PostgreSQL's stored forms: `timestamptz` for jiff timestamps (sqlx knows
//! no jiff), and sqlx errors as store errors.

use jiff::Timestamp;
use rampart_store::StoreError;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

/// Wraps a driver error, turning a busy database into the same error as
/// any other failure: the server answers 503-ish either way.
pub(crate) fn backend(error: sqlx::Error) -> StoreError {
    StoreError::backend(error)
}

/// A `jiff::Timestamp` as a PostgreSQL `timestamptz`: sqlx knows chrono and
/// time, not jiff, and this is the whole conversion — microseconds since
/// 2000-01-01T00:00:00Z in the binary protocol, exact both ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PgTime(pub(crate) Timestamp);

/// `timestamptz`'s type oid, fixed in PostgreSQL's catalogue.
const TIMESTAMPTZ_OID: u32 = 1184;

/// PostgreSQL's epoch, 2000-01-01T00:00:00Z, in Unix microseconds.
const PG_EPOCH_UNIX_MICROS: i64 = 946_684_800_000_000;

impl Type<Postgres> for PgTime {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(TIMESTAMPTZ_OID))
    }
}

impl Encode<'_, Postgres> for PgTime {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        // Whole microseconds: anything finer is dropped, as PostgreSQL would.
        let micros = self.0.as_microsecond() - PG_EPOCH_UNIX_MICROS;
        Encode::<Postgres>::encode(micros, buf)
    }

    fn size_hint(&self) -> usize {
        std::mem::size_of::<i64>()
    }
}

impl<'r> Decode<'r, Postgres> for PgTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        match value.format() {
            PgValueFormat::Binary => {
                let micros: i64 = Decode::<Postgres>::decode(value)?;
                let unix = micros
                    .checked_add(PG_EPOCH_UNIX_MICROS)
                    .ok_or("timestamptz out of range")?;
                Ok(PgTime(Timestamp::from_microsecond(unix)?))
            }
            // Prepared queries always return binary; text depends on the
            // session's DateStyle and is not worth guessing at.
            PgValueFormat::Text => Err("timestamptz in text format is not supported".into()),
        }
    }
}

/// The stored form of a timestamp.
pub(crate) fn encode_time(at: Timestamp) -> PgTime {
    PgTime(at)
}

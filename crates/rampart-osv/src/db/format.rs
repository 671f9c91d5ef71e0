//! The on-disk layout of the advisory index.
//!
//! One file, little-endian, written whole and renamed into place so readers
//! never see a half-written index:
//!
//! ```text
//! header   64 bytes  magic, format version, section offsets and counts
//! keys     16 B each (string offset u32, string length u32,
//!                     postings offset u32, postings count u32),
//!                    sorted by key bytes: "<ecosystem>\0<normalised name>"
//! strings            the key bytes
//! postings u32 each  record numbers, per key
//! records  16 B each (data offset u64, data length u32, flags u32)
//! data               one JSON advisory per record
//! meta               JSON: counts per ecosystem, newest modified, import time
//! ```
//!
//! Opening reads the header and the meta section only; a lookup binary
//! searches the key table in the mapped file and parses just the advisories
//! it finds. Every offset read from the file is bounds-checked, so a corrupt
//! or hostile index gives an error, never a panic.

use std::collections::BTreeMap;

pub(crate) const MAGIC: &[u8; 8] = b"RMPTOSV\0";
pub(crate) const FORMAT_VERSION: u32 = 1;
pub(crate) const HEADER_LEN: usize = 64;
const KEY_ENTRY_LEN: usize = 16;
const RECORD_ENTRY_LEN: usize = 16;

/// The record is withdrawn: kept so that an older copy cannot come back on
/// a later import, never matched.
pub(crate) const FLAG_WITHDRAWN: u32 = 1;

/// One advisory ready to be written.
pub(crate) struct RecordToWrite {
    pub json: Vec<u8>,
    pub withdrawn: bool,
    /// The index keys this advisory is listed under.
    pub keys: Vec<Vec<u8>>,
}

/// The index key of a package: ecosystem and normalised name.
pub(crate) fn index_key(ecosystem: &str, normalized_name: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(ecosystem.len() + 1 + normalized_name.len());
    key.extend_from_slice(ecosystem.as_bytes());
    key.push(0);
    key.extend_from_slice(normalized_name.as_bytes());
    key
}

/// Serialises records and meta into the file layout.
pub(crate) fn encode(records: &[RecordToWrite], meta_json: &[u8]) -> Vec<u8> {
    let mut postings_by_key: BTreeMap<&[u8], Vec<u32>> = BTreeMap::new();
    for (number, record) in records.iter().enumerate() {
        if record.withdrawn {
            continue;
        }
        for key in &record.keys {
            let list = postings_by_key.entry(key.as_slice()).or_default();
            if list.last() != Some(&(number as u32)) {
                list.push(number as u32);
            }
        }
    }

    let mut keys = Vec::with_capacity(postings_by_key.len() * KEY_ENTRY_LEN);
    let mut strings = Vec::new();
    let mut postings = Vec::new();
    let mut posting_count = 0u32;
    for (key, list) in &postings_by_key {
        keys.extend_from_slice(&(strings.len() as u32).to_le_bytes());
        keys.extend_from_slice(&(key.len() as u32).to_le_bytes());
        keys.extend_from_slice(&posting_count.to_le_bytes());
        keys.extend_from_slice(&(list.len() as u32).to_le_bytes());
        strings.extend_from_slice(key);
        for number in list {
            postings.extend_from_slice(&number.to_le_bytes());
        }
        posting_count += list.len() as u32;
    }

    let mut record_table = Vec::with_capacity(records.len() * RECORD_ENTRY_LEN);
    let mut data = Vec::new();
    for record in records {
        record_table.extend_from_slice(&(data.len() as u64).to_le_bytes());
        record_table.extend_from_slice(&(record.json.len() as u32).to_le_bytes());
        let flags = if record.withdrawn { FLAG_WITHDRAWN } else { 0 };
        record_table.extend_from_slice(&flags.to_le_bytes());
        data.extend_from_slice(&record.json);
    }

    let keys_offset = HEADER_LEN as u64;
    let strings_offset = keys_offset + keys.len() as u64;
    let postings_offset = strings_offset + strings.len() as u64;
    let records_offset = postings_offset + postings.len() as u64;
    let data_offset = records_offset + record_table.len() as u64;
    let meta_offset = data_offset + data.len() as u64;

    let mut out = Vec::with_capacity(meta_offset as usize + meta_json.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(postings_by_key.len() as u32).to_le_bytes());
    out.extend_from_slice(&(records.len() as u32).to_le_bytes());
    out.extend_from_slice(&(meta_json.len() as u32).to_le_bytes());
    for offset in [
        strings_offset,
        postings_offset,
        records_offset,
        data_offset,
        meta_offset,
    ] {
        out.extend_from_slice(&offset.to_le_bytes());
    }
    out.resize(HEADER_LEN, 0);
    out.extend_from_slice(&keys);
    out.extend_from_slice(&strings);
    out.extend_from_slice(&postings);
    out.extend_from_slice(&record_table);
    out.extend_from_slice(&data);
    out.extend_from_slice(meta_json);
    out
}

/// A validated view of the header; section slices are checked to lie inside
/// the file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub key_count: usize,
    pub record_count: usize,
    keys: (usize, usize),
    strings: (usize, usize),
    postings: (usize, usize),
    records: (usize, usize),
    data: (usize, usize),
    meta: (usize, usize),
}

/// Why the bytes are not an index we can read.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("not a Rampart advisory index (bad magic)")]
    BadMagic,
    #[error(
        "index format version {found} is not supported (this build reads {FORMAT_VERSION}); re-import the advisories"
    )]
    Version { found: u32 },
    #[error("index is corrupt: {0}")]
    Corrupt(&'static str),
}

fn read_u32(bytes: &[u8], at: usize) -> Result<u32, FormatError> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or(FormatError::Corrupt("truncated"))
}

fn read_u64(bytes: &[u8], at: usize) -> Result<u64, FormatError> {
    bytes
        .get(at..at + 8)
        .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
        .ok_or(FormatError::Corrupt("truncated"))
}

fn to_usize(v: u64) -> Result<usize, FormatError> {
    usize::try_from(v).map_err(|_| FormatError::Corrupt("offset out of range"))
}

impl Layout {
    pub(crate) fn parse(bytes: &[u8]) -> Result<Layout, FormatError> {
        if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
            return Err(FormatError::BadMagic);
        }
        let version = read_u32(bytes, 8)?;
        if version != FORMAT_VERSION {
            return Err(FormatError::Version { found: version });
        }
        let key_count = read_u32(bytes, 12)? as usize;
        let record_count = read_u32(bytes, 16)? as usize;
        let meta_len = read_u32(bytes, 20)? as usize;
        let offsets = [
            HEADER_LEN,
            to_usize(read_u64(bytes, 24)?)?,
            to_usize(read_u64(bytes, 32)?)?,
            to_usize(read_u64(bytes, 40)?)?,
            to_usize(read_u64(bytes, 48)?)?,
            to_usize(read_u64(bytes, 56)?)?,
        ];
        let meta_end = offsets[5]
            .checked_add(meta_len)
            .ok_or(FormatError::Corrupt("meta"))?;
        if offsets.windows(2).any(|w| w[0] > w[1]) || meta_end != bytes.len() {
            return Err(FormatError::Corrupt("section offsets"));
        }
        let layout = Layout {
            key_count,
            record_count,
            keys: (offsets[0], offsets[1]),
            strings: (offsets[1], offsets[2]),
            postings: (offsets[2], offsets[3]),
            records: (offsets[3], offsets[4]),
            data: (offsets[4], offsets[5]),
            meta: (offsets[5], meta_end),
        };
        if layout.keys.1 - layout.keys.0 != key_count.saturating_mul(KEY_ENTRY_LEN)
            || layout.records.1 - layout.records.0 != record_count.saturating_mul(RECORD_ENTRY_LEN)
        {
            return Err(FormatError::Corrupt("table sizes"));
        }
        Ok(layout)
    }

    pub(crate) fn meta<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        &bytes[self.meta.0..self.meta.1]
    }

    fn key_at<'a>(
        &self,
        bytes: &'a [u8],
        i: usize,
    ) -> Result<(&'a [u8], usize, usize), FormatError> {
        let entry = self.keys.0 + i * KEY_ENTRY_LEN;
        let str_off = read_u32(bytes, entry)? as usize;
        let str_len = read_u32(bytes, entry + 4)? as usize;
        let post_off = read_u32(bytes, entry + 8)? as usize;
        let post_len = read_u32(bytes, entry + 12)? as usize;
        let strings = &bytes[self.strings.0..self.strings.1];
        let key = strings
            .get(str_off..str_off.saturating_add(str_len))
            .ok_or(FormatError::Corrupt("key string"))?;
        Ok((key, post_off, post_len))
    }

    /// Record numbers listed under `key`.
    pub(crate) fn lookup(&self, bytes: &[u8], key: &[u8]) -> Result<Vec<u32>, FormatError> {
        let (mut lo, mut hi) = (0usize, self.key_count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (candidate, post_off, post_len) = self.key_at(bytes, mid)?;
            match candidate.cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let postings = &bytes[self.postings.0..self.postings.1];
                    let start = post_off.saturating_mul(4);
                    let slice = postings
                        .get(start..start.saturating_add(post_len.saturating_mul(4)))
                        .ok_or(FormatError::Corrupt("postings"))?;
                    return Ok(slice
                        .chunks_exact(4)
                        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect());
                }
            }
        }
        Ok(Vec::new())
    }

    /// The JSON bytes and flags of record `number`.
    pub(crate) fn record<'a>(
        &self,
        bytes: &'a [u8],
        number: usize,
    ) -> Result<(&'a [u8], u32), FormatError> {
        if number >= self.record_count {
            return Err(FormatError::Corrupt("record number"));
        }
        let entry = self.records.0 + number * RECORD_ENTRY_LEN;
        let offset = to_usize(read_u64(bytes, entry)?)?;
        let len = read_u32(bytes, entry + 8)? as usize;
        let flags = read_u32(bytes, entry + 12)?;
        let data = &bytes[self.data.0..self.data.1];
        let json = data
            .get(offset..offset.saturating_add(len))
            .ok_or(FormatError::Corrupt("record data"))?;
        Ok((json, flags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let records = vec![
            RecordToWrite {
                json: b"{\"a\":1}".to_vec(),
                withdrawn: false,
                keys: vec![index_key("npm", "a")],
            },
            RecordToWrite {
                json: b"{\"b\":2}".to_vec(),
                withdrawn: false,
                keys: vec![index_key("npm", "a"), index_key("PyPI", "b")],
            },
            RecordToWrite {
                json: b"{\"c\":3}".to_vec(),
                withdrawn: true,
                keys: vec![index_key("npm", "a")],
            },
        ];
        encode(&records, b"{}")
    }

    #[test]
    fn round_trip() {
        let bytes = sample();
        let layout = Layout::parse(&bytes).unwrap();
        assert_eq!(
            layout.lookup(&bytes, &index_key("npm", "a")).unwrap(),
            [0, 1]
        );
        assert_eq!(layout.lookup(&bytes, &index_key("PyPI", "b")).unwrap(), [1]);
        assert!(
            layout
                .lookup(&bytes, &index_key("npm", "zzz"))
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            layout.record(&bytes, 2).unwrap(),
            (&b"{\"c\":3}"[..], FLAG_WITHDRAWN)
        );
        assert_eq!(layout.meta(&bytes), b"{}");
    }

    #[test]
    fn every_truncation_and_bit_flip_is_an_error_or_a_valid_read() {
        let bytes = sample();
        for len in 0..bytes.len() {
            assert!(Layout::parse(&bytes[..len]).is_err());
        }
        for i in 0..bytes.len() {
            let mut corrupt = bytes.clone();
            corrupt[i] ^= 0xff;
            if let Ok(layout) = Layout::parse(&corrupt) {
                let _ = layout.lookup(&corrupt, &index_key("npm", "a"));
                for n in 0..4 {
                    let _ = layout.record(&corrupt, n);
                }
            }
        }
    }
}

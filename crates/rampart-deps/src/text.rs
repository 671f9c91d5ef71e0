/// Maps byte offsets to 1-based line numbers, and finds where a key is
/// declared.
///
/// Most lockfile formats are parsed with serde, which forgets positions; the
/// extractors then find each package's line by searching for the text that
/// declares it (`"node_modules/foo": {`, `[[package]]\nname = "foo"`),
/// moving forward through the file so that repeated names resolve in order.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, line_starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> u32 {
        let line = self.line_starts.partition_point(|&start| start <= offset);
        u32::try_from(line).unwrap_or(u32::MAX)
    }

    /// The first occurrence of `needle` at or after byte `from`: its offset.
    pub fn find_from(&self, needle: &str, from: usize) -> Option<usize> {
        let from = from.min(self.text.len());
        // `from` may fall inside a multi-byte character when a caller steps
        // past a match; search from the next boundary.
        let from = (from..=self.text.len()).find(|&i| self.text.is_char_boundary(i))?;
        self.text[from..].find(needle).map(|i| i + from)
    }

    /// The line of the first occurrence of `needle`.
    pub fn find_line(&self, needle: &str) -> Option<u32> {
        self.find_from(needle, 0).map(|offset| self.line_of(offset))
    }

    pub fn text(&self) -> &'a str {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        let index = LineIndex::new("a\nbb\n\nccc");
        assert_eq!(index.line_of(0), 1);
        assert_eq!(index.line_of(2), 2);
        assert_eq!(index.line_of(5), 3);
        assert_eq!(index.line_of(6), 4);
        assert_eq!(index.find_line("ccc"), Some(4));
        assert_eq!(index.find_line("zzz"), None);
    }

    #[test]
    fn find_from_tolerates_offsets_inside_characters() {
        let index = LineIndex::new("é\nx");
        assert_eq!(index.find_from("x", 1), Some(3));
    }
}

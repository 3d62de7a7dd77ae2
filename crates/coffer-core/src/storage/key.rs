//! Object keys under the person's prefix, built by one pure function.
//!
//! Every key Coffer sends to S3 is `<prefix><dir>/<name>` where the prefix is the identity's own
//! (`private/<identity-id>/` or `guest/<identity-id>/`) and `dir`/`name` come from the user (a
//! file name, a `--to` directory, a key typed at `coffer get`). [`object_key`] is the only way
//! to make a [`Key`], and it refuses anything that could leave the prefix or be read
//! differently by another tool:
//!
//! - `.` and `..` segments (S3 does not resolve them, but tools that map keys to paths do),
//! - absolute paths (a leading `/`) and empty segments (`a//b`),
//! - backslashes (a path separator on Windows),
//! - control characters (C0, DEL and C1: they hide in terminals and logs),
//! - keys longer than S3's 1024 UTF-8 bytes.
//!
//! Everything else is kept exactly, Unicode and spaces included: `Résumé 2024.pdf` is stored
//! as `Résumé 2024.pdf` (no normalisation, no escaping; the SDK percent-encodes on the wire).

use std::fmt;

/// S3's limit on the length of a key, in UTF-8 bytes.
pub const MAX_KEY_BYTES: usize = 1024;

/// A full object key inside the identity's prefix. Made only by [`object_key`] or
/// [`Key::parse_relative`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    full: String,
    prefix_len: usize,
}

impl Key {
    /// The full key, prefix included (what S3 sees).
    pub fn full(&self) -> &str {
        &self.full
    }

    /// The key relative to the prefix (what the person sees).
    pub fn relative(&self) -> &str {
        &self.full[self.prefix_len..]
    }

    /// The prefix this key lives under.
    pub fn prefix(&self) -> &str {
        &self.full[..self.prefix_len]
    }

    /// The last segment: the file name.
    pub fn name(&self) -> &str {
        self.full.rsplit('/').next().unwrap_or(&self.full)
    }

    /// A key typed by the person (`docs/report.pdf`), checked like [`object_key`]'s parts.
    pub fn parse_relative(prefix: &str, relative: &str) -> Result<Self, KeyError> {
        match relative.rsplit_once('/') {
            Some((dir, name)) => object_key(prefix, dir, name),
            None => object_key(prefix, "", relative),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.relative())
    }
}

/// Why a name or directory cannot be a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The prefix is not a non-empty, `/`-terminated, clean prefix.
    #[error("the storage prefix {prefix:?} is malformed")]
    BadPrefix {
        /// The prefix.
        prefix: String,
    },
    /// The file name is empty.
    #[error("the file name is empty")]
    EmptyName,
    /// A `.` or `..` segment.
    #[error("{what} contains a `.` or `..` segment")]
    DotSegment {
        /// "the file name" or "the directory".
        what: &'static str,
    },
    /// A leading `/` (absolute path) or an empty segment (`a//b`).
    #[error("{what} is absolute or has an empty segment")]
    EmptySegment {
        /// "the file name" or "the directory".
        what: &'static str,
    },
    /// A `/` inside a file name.
    #[error("the file name contains `/`")]
    SlashInName,
    /// A backslash.
    #[error("{what} contains a backslash")]
    Backslash {
        /// "the file name" or "the directory".
        what: &'static str,
    },
    /// A control character.
    #[error("{what} contains a control character")]
    ControlCharacter {
        /// "the file name" or "the directory".
        what: &'static str,
    },
    /// Longer than [`MAX_KEY_BYTES`].
    #[error("the key is {bytes} bytes long; S3 allows {MAX_KEY_BYTES}")]
    TooLong {
        /// Its length in UTF-8 bytes.
        bytes: usize,
    },
}

impl KeyError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadPrefix { .. } => "bad_prefix",
            Self::EmptyName => "empty_name",
            Self::DotSegment { .. } => "dot_segment",
            Self::EmptySegment { .. } => "empty_segment",
            Self::SlashInName => "slash_in_name",
            Self::Backslash { .. } => "backslash_in_name",
            Self::ControlCharacter { .. } => "control_character_in_name",
            Self::TooLong { .. } => "key_too_long",
        }
    }
}

const NAME: &str = "the file name";
const DIR: &str = "the directory";

/// The key for file `name` in directory `dir` (`""` for the top) under `prefix`.
///
/// `dir` may carry one trailing `/` (`docs/`); otherwise the rules in the module docs apply to
/// every segment of `dir` and to `name`.
pub fn object_key(prefix: &str, dir: &str, name: &str) -> Result<Key, KeyError> {
    check_prefix(prefix)?;
    if name.is_empty() {
        return Err(KeyError::EmptyName);
    }
    if name.contains('/') {
        return Err(KeyError::SlashInName);
    }
    check_segment(name, NAME)?;
    let dir = dir.strip_suffix('/').unwrap_or(dir);
    let mut full = String::with_capacity(prefix.len() + dir.len() + name.len() + 1);
    full.push_str(prefix);
    if !dir.is_empty() {
        for segment in dir.split('/') {
            if segment.is_empty() {
                return Err(KeyError::EmptySegment { what: DIR });
            }
            check_segment(segment, DIR)?;
        }
        full.push_str(dir);
        full.push('/');
    }
    full.push_str(name);
    if full.len() > MAX_KEY_BYTES {
        return Err(KeyError::TooLong { bytes: full.len() });
    }
    Ok(Key {
        full,
        prefix_len: prefix.len(),
    })
}

/// The full listing prefix for directory `dir` (`""` for the top) under `prefix`:
/// `<prefix>` or `<prefix><dir>/`.
pub fn directory_prefix(prefix: &str, dir: &str) -> Result<String, KeyError> {
    // A directory is checked as if it held a file; the placeholder name is then dropped.
    let key = object_key(prefix, dir, "x")?;
    let full = key.full();
    Ok(full[..full.len() - 1].to_owned())
}

fn check_prefix(prefix: &str) -> Result<(), KeyError> {
    let bad = || KeyError::BadPrefix {
        prefix: prefix.to_owned(),
    };
    let body = prefix.strip_suffix('/').ok_or_else(bad)?;
    if body.is_empty() {
        return Err(bad());
    }
    for segment in body.split('/') {
        if segment.is_empty() || check_segment(segment, DIR).is_err() {
            return Err(bad());
        }
    }
    Ok(())
}

fn check_segment(segment: &str, what: &'static str) -> Result<(), KeyError> {
    if segment == "." || segment == ".." {
        return Err(KeyError::DotSegment { what });
    }
    if segment.contains('\\') {
        return Err(KeyError::Backslash { what });
    }
    if segment.chars().any(char::is_control) {
        return Err(KeyError::ControlCharacter { what });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFIX: &str = "private/us-east-1:1f0c9b2e-0000-4000-8000-000000000001/";

    #[test]
    fn joins_prefix_dir_and_name() {
        let key = object_key(PREFIX, "docs/2024", "report.pdf").unwrap();
        assert_eq!(key.full(), format!("{PREFIX}docs/2024/report.pdf"));
        assert_eq!(key.relative(), "docs/2024/report.pdf");
        assert_eq!(key.prefix(), PREFIX);
        assert_eq!(key.name(), "report.pdf");
        let top = object_key(PREFIX, "", "a.txt").unwrap();
        assert_eq!(top.full(), format!("{PREFIX}a.txt"));
        let trailing = object_key(PREFIX, "docs/", "a.txt").unwrap();
        assert_eq!(trailing.relative(), "docs/a.txt");
    }

    #[test]
    fn unicode_and_spaces_are_kept_exactly() {
        for name in [
            "Résumé 2024.pdf",
            "  leading and trailing  ",
            "日本語のファイル.txt",
            "emoji 🎉.png",
            "e\u{301}.txt", // decomposed é: not normalised
            "100% #1 & ?=+.txt",
        ] {
            let key = object_key(PREFIX, "Mes documents", name).unwrap();
            assert_eq!(key.relative(), format!("Mes documents/{name}"));
            assert_eq!(key.name(), name);
        }
    }

    #[test]
    fn dot_segments_cannot_escape() {
        for (dir, name) in [
            ("", ".."),
            ("", "."),
            ("..", "a"),
            ("docs/..", "a"),
            ("../private/other-id", "a"),
            ("a/./b", "c"),
        ] {
            let error = object_key(PREFIX, dir, name).unwrap_err();
            assert_eq!(error.code(), "dot_segment", "{dir:?} {name:?}");
        }
        // Dots inside a name are ordinary characters.
        assert!(object_key(PREFIX, "", "..hidden").is_ok());
        assert!(object_key(PREFIX, "v1.2", "a..b").is_ok());
    }

    #[test]
    fn absolute_and_empty_segments_are_refused() {
        assert_eq!(
            object_key(PREFIX, "/etc", "passwd").unwrap_err(),
            KeyError::EmptySegment { what: DIR }
        );
        assert_eq!(
            object_key(PREFIX, "a//b", "c").unwrap_err(),
            KeyError::EmptySegment { what: DIR }
        );
        assert_eq!(object_key(PREFIX, "", "").unwrap_err(), KeyError::EmptyName);
        assert_eq!(
            object_key(PREFIX, "", "a/b").unwrap_err(),
            KeyError::SlashInName
        );
    }

    #[test]
    fn backslashes_and_control_characters_are_refused() {
        assert_eq!(
            object_key(PREFIX, "", "..\\..\\x").unwrap_err().code(),
            "backslash_in_name"
        );
        assert_eq!(
            object_key(PREFIX, "a\\b", "x").unwrap_err().code(),
            "backslash_in_name"
        );
        for name in ["a\nb", "a\rb", "a\0b", "a\u{7f}", "a\u{9b}b", "\t"] {
            assert_eq!(
                object_key(PREFIX, "", name).unwrap_err().code(),
                "control_character_in_name",
                "{name:?}"
            );
        }
        assert_eq!(
            object_key(PREFIX, "a\u{1b}[31m", "x").unwrap_err().code(),
            "control_character_in_name"
        );
    }

    #[test]
    fn length_limit_counts_utf8_bytes_with_the_prefix() {
        let room = MAX_KEY_BYTES - PREFIX.len();
        assert!(object_key(PREFIX, "", &"a".repeat(room)).is_ok());
        assert_eq!(
            object_key(PREFIX, "", &"a".repeat(room + 1)).unwrap_err(),
            KeyError::TooLong {
                bytes: MAX_KEY_BYTES + 1
            }
        );
        // "é" is two bytes.
        let error = object_key(PREFIX, "", &"é".repeat(room / 2 + 1)).unwrap_err();
        assert_eq!(error.code(), "key_too_long");
    }

    #[test]
    fn the_prefix_itself_is_checked() {
        for prefix in ["", "/", "private", "private//", "../", "a/../", "a\\b/"] {
            assert_eq!(
                object_key(prefix, "", "x").unwrap_err().code(),
                "bad_prefix",
                "{prefix:?}"
            );
        }
    }

    #[test]
    fn every_accepted_key_stays_under_the_prefix() {
        let hostile = [
            "..", ".", "/", "\\", "a", "b c", "é", "\u{0}", "", "x/..", "../..", "%2e%2e",
        ];
        for dir in hostile {
            for name in hostile {
                if let Ok(key) = object_key(PREFIX, dir, name) {
                    assert!(key.full().starts_with(PREFIX));
                    assert!(!key
                        .relative()
                        .split('/')
                        .any(|s| s == ".." || s == "." || s.is_empty()));
                }
            }
        }
    }

    #[test]
    fn relative_keys_parse_like_dir_and_name() {
        let key = Key::parse_relative(PREFIX, "docs/a b.txt").unwrap();
        assert_eq!(key.relative(), "docs/a b.txt");
        assert_eq!(key.name(), "a b.txt");
        assert_eq!(
            Key::parse_relative(PREFIX, "../other/x")
                .unwrap_err()
                .code(),
            "dot_segment"
        );
        assert_eq!(
            Key::parse_relative(PREFIX, "docs/").unwrap_err(),
            KeyError::EmptyName
        );
    }

    #[test]
    fn directory_prefixes() {
        assert_eq!(directory_prefix(PREFIX, "").unwrap(), PREFIX);
        assert_eq!(
            directory_prefix(PREFIX, "docs/x").unwrap(),
            format!("{PREFIX}docs/x/")
        );
        assert!(directory_prefix(PREFIX, "..").is_err());
    }
}

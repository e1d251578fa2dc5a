//! This module is the edge where data comes in: reading AWS CLI export
//! folders (`import`) and snapshot files. It is the only place (with `cli`)
//! that touches the file system.

pub mod import;
pub mod layout;

use std::io::Write;
use std::path::Path;

use crate::snapshot::{Snapshot, SnapshotError};

/// An error reading or writing a file
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read or written
    #[error("{path}: {error}")]
    Io {
        /// The file
        path: String,
        /// The OS error
        error: std::io::Error,
    },
    /// The snapshot is not valid
    #[error("{path}: {error}")]
    Snapshot {
        /// The file
        path: String,
        /// What is wrong
        error: SnapshotError,
    },
}

/// Reads a snapshot file
///
/// # Errors
/// [`LoadError`] naming the file.
pub fn read_snapshot(path: &Path) -> Result<Snapshot, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|error| LoadError::Io {
        path: path.display().to_string(),
        error,
    })?;
    Snapshot::from_json(&text).map_err(|error| LoadError::Snapshot {
        path: path.display().to_string(),
        error,
    })
}

/// Writes `text` to `path` atomically: a temporary file in the same folder,
/// flushed and synced, then renamed over the target, so a reader (or a crash
/// or Ctrl-C) never sees a half-written file
///
/// # Errors
/// [`LoadError::Io`] naming the file.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), LoadError> {
    let io = |error| LoadError::Io {
        path: path.display().to_string(),
        error,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

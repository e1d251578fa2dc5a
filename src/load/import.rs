//! `accessgraph import DIR`: reads an AWS CLI export folder
//! (`docs/export-layout.md`) into a [`Snapshot`]: the export's walk
//! ([`walk`], the one `collect` makes) over the folder, each file read as
//! its type, then the parts put together. Every error names the file and
//! the JSON path inside it.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::layout::walk::{self, Call, Need, Source};
use super::layout::{self as l, paths};
pub use super::layout::{parse_document_text, ImportError};
use crate::snapshot::{CollectionError, Snapshot};

type Result<T> = std::result::Result<T, ImportError>;

/// What an absent required file says
const REQUIRED: &str =
    "missing: this file of the export layout is required (see docs/export-layout.md)";

/// The export folder being read, with its `errors.json`
struct Folder {
    dir: PathBuf,
    errors: Vec<CollectionError>,
}

impl Folder {
    fn read<T: DeserializeOwned>(&self, file: &l::File<T>) -> Result<Option<T>> {
        file.read(&self.dir)
    }

    fn error(&self, rel: &str, message: &str) -> ImportError {
        ImportError::File {
            path: self.dir.join(rel).display().to_string(),
            message: message.into(),
        }
    }
}

impl Source for Folder {
    type Error = ImportError;
    const FOLDER: bool = true;

    async fn get<T: DeserializeOwned>(
        &self,
        file: l::File<T>,
        _: Call<'_>,
        need: Need<'_>,
    ) -> Result<Option<T>> {
        let message = match (self.read(&file)?, need) {
            (Some(v), _) => return Ok(Some(v)),
            (None, Need::Optional) => return Ok(None),
            (None, Need::UnlessFailed(id)) if walk::failed_for_application(&self.errors, id) => {
                return Ok(None)
            }
            (None, Need::Required) => REQUIRED,
            (None, Need::Listed(message)) => message,
            (None, Need::UnlessFailed(_)) => "missing: every listed application needs this file (a call that failed is recorded in errors.json)",
        };
        Err(self.error(file.rel(), message))
    }

    /// The entries of a sub-folder, sorted (none when it does not exist);
    /// an entry that cannot be read is an error, not skipped
    fn list(&self, rel: &str, folders: bool) -> Result<Vec<String>> {
        let io = |e: std::io::Error| self.error(rel, &e.to_string());
        let entries = match std::fs::read_dir(self.dir.join(rel)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(e)),
        };
        let mut out = Vec::new();
        for e in entries {
            let e = e.map_err(io)?;
            let name = e.file_name().to_string_lossy().into_owned();
            if folders && e.path().is_dir() {
                out.push(name);
            } else if let Some(stem) = name.strip_suffix(".json").filter(|_| !folders) {
                out.push(stem.to_owned());
            }
        }
        out.sort();
        Ok(out)
    }
}

/// Imports the export folder `dir`
///
/// # Errors
/// [`ImportError`] naming the file (and the JSON path) of the first problem.
pub fn import_dir(dir: &Path) -> Result<Snapshot> {
    let mut ex = Folder {
        dir: dir.to_path_buf(),
        errors: Vec::new(),
    };
    if !dir.is_dir() {
        return Err(ImportError::File {
            path: dir.display().to_string(),
            message: "not a folder (expected an AWS CLI export, see docs/export-layout.md)".into(),
        });
    }
    let Some(meta) = ex.read(&paths::META)? else {
        return Err(ex.error(paths::META.rel(), REQUIRED));
    };
    ex.errors = ex.read(&paths::ERRORS)?.unwrap_or_default().0;
    let Some(files) = walk::without_waiting(walk::walk(&ex, |_, _| Vec::new(), true)) else {
        return Err(ImportError::File {
            path: dir.display().to_string(),
            message: "internal: the export's walk waited".into(),
        });
    };
    let files = files?;
    let resources = ex.read(&paths::RESOURCES)?.unwrap_or_default();
    let parts = l::Parts {
        dir,
        meta,
        errors: &ex.errors,
    };
    l::assemble(parts, files, resources)
}

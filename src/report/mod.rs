//! This module renders results. Every renderer writes to `impl Write`; the
//! binary decides where that goes.

#![deny(clippy::print_stdout, clippy::print_stderr)]

/// An output format
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// A table for people
    Table,
    /// JSON, for scripts
    Json,
    /// CSV
    Csv,
    /// Graphviz
    Dot,
    /// Markdown (reports)
    Markdown,
    /// A self-contained HTML page (reports)
    Html,
    /// SARIF 2.1.0 (check, for code scanning)
    Sarif,
}

impl Format {
    /// Every format
    pub const ALL: [Format; 7] = [
        Format::Table,
        Format::Json,
        Format::Csv,
        Format::Dot,
        Format::Markdown,
        Format::Html,
        Format::Sarif,
    ];

    /// The name the command line spells it with
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Dot => "dot",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Sarif => "sarif",
        }
    }

    /// What it is, for `--help`
    pub fn help(self) -> &'static str {
        match self {
            Format::Table => "a table for people",
            Format::Json => "JSON, for scripts",
            Format::Csv => "CSV (cells starting with = + - @ are neutralized)",
            Format::Dot => "Graphviz",
            Format::Markdown => "Markdown",
            Format::Html => "a self-contained HTML page",
            Format::Sarif => "SARIF 2.1.0, for code scanning",
        }
    }
}

/// Output that cannot be written
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Writing failed
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Serializing JSON failed
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// Writing CSV failed
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// A format this output does not have (the command line declares each
    /// command's formats, so only a library caller meets this)
    #[error("{command} prints no `{}`", .format.name())]
    Unsupported {
        /// The command
        command: &'static str,
        /// The format asked for
        format: Format,
    },
}

/// A value as one report cell: text as it is, numbers and booleans as
/// Rust prints them (`true`, `12`), as JSON does
pub trait Cell {
    /// The cell's text
    fn cell(&self) -> String;
}

impl Cell for String {
    fn cell(&self) -> String {
        self.clone()
    }
}

impl Cell for &'static str {
    fn cell(&self) -> String {
        (*self).to_owned()
    }
}

impl Cell for bool {
    fn cell(&self) -> String {
        self.to_string()
    }
}

impl Cell for usize {
    fn cell(&self) -> String {
        self.to_string()
    }
}

/// Defines a report row once: the struct (serialized with its field names),
/// its header (the same names, in order: CSV, tables, Markdown and HTML) and
/// its cells (each field's [`Cell`]), so a column is spelled in one place
macro_rules! report_row {
    (
        $(#[$meta:meta])*
        $name:ident, $header:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty ),*
        }

        #[doc = concat!("The header of [`", stringify!($name), "`]: its field names, in order")]
        pub const $header: [&str; [$(stringify!($field)),*].len()] = [$(stringify!($field)),*];

        impl $name {
            #[doc = concat!("The cells, in [`", stringify!($header), "`] order")]
            pub fn cells(&self) -> Vec<String> {
                vec![$($crate::report::Cell::cell(&self.$field)),*]
            }
        }
    };
}

pub mod check;
pub mod dot;
pub mod org;
pub mod review;
pub mod simulate;
pub mod tabular;
pub mod validate;
pub mod who_can;

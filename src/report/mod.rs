//! This module renders results. Every renderer writes to `impl Write`; the
//! binary decides where that goes.

#![deny(clippy::print_stdout, clippy::print_stderr)]

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

pub mod dot;
pub mod review;
pub mod simulate;
pub mod tabular;
pub mod who_can;

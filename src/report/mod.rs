//! This module renders results. Every renderer writes to `impl Write`; the
//! binary decides where that goes.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod dot;
pub mod review;
pub mod simulate;
pub mod tabular;
pub mod who_can;

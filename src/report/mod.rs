//! This module renders results. Every renderer writes to `impl Write`; the
//! binary decides where that goes.

pub mod dot;
pub mod simulate;

//! JSON: the crate's own value type, reader and writer (no serde), and the hand
//! readers every request and response goes through.

#[macro_use]
mod macros;
mod number;
mod read;
mod value;
mod write;

pub use number::Number;
pub use read::*;
pub use value::{Map, ToValue, Value};
pub use write::{object, to_string, to_value, write_string, ObjectWriter, ToJson};

pub use crate::scan::{parse, ParseError};

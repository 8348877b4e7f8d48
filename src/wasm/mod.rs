//! The Wasm shell: the only code that touches wasm-bindgen, js-sys and web-sys.
//! It converts JS values to core types and back, performs fetches for the core's
//! [`crate::client::Transport`], and exposes a stream reader to the JS glue in
//! `pkg-template/`, which gives it its `OpenAI` / `Stream` face.

mod client;
mod convert;
mod fetch;
mod stream;
mod timers;

pub use client::Client;
pub use stream::{stream_from_response, StreamReader};

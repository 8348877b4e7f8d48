//! onellm: one OpenAI-shaped chat client for every LLM provider.
//!
//! The crate is a sans-I/O core — requests become [`http::HttpRequest`] values, bytes
//! become events and events become OpenAI chunks, all testable natively — wrapped by
//! a thin WebAssembly shell in [`wasm`] that does the fetching for JavaScript.

pub mod accumulate;
pub mod bytes;
pub mod client;
pub mod config;
pub mod error;
pub mod gateway;
pub mod http;
pub mod http_date;
pub mod json;
pub mod model;
pub mod providers;
pub mod retry;
pub mod scan;
pub mod sort;
pub mod sse;
pub mod stream;
pub mod types;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, ErrorKind, Result};

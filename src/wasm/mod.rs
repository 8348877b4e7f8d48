//! The Wasm shell: the only code that touches wasm-bindgen, js-sys and web-sys.
//! It converts JS values to core types and back, performs fetches for the core's
//! [`crate::client::Transport`], and exposes a stream reader to the JS glue in
//! `pkg-template/`, which gives it its `OpenAI` / `Stream` face.

//!
//! Two modules are built from it: the client (the default feature `client`), and the
//! gateway's decisions (`--no-default-features --features gateway`), each with only
//! its own exports, so neither pays for the other.

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod convert;
#[cfg(feature = "client")]
mod fetch;
#[cfg(feature = "client")]
mod stream;
#[cfg(feature = "client")]
mod timers;

#[cfg(feature = "gateway")]
mod gateway;

#[cfg(feature = "client")]
pub use client::Client;
#[cfg(feature = "gateway")]
pub use gateway::GatewayCore;
#[cfg(feature = "client")]
pub use stream::{stream_from_response, StreamReader};

/// Talc instead of Rust's default dlmalloc: about 4 KB less Wasm and faster
/// (<https://github.com/SFBdragon/talc/blob/master/BENCHMARKS_WASM.md>). It grows
/// memory as dlmalloc does and coalesces freed neighbours, so a long stream's memory
/// stays flat.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

//! Providers: how each one is reached (a preset row) and how its wire format is
//! spoken (an adapter module per format).

pub mod openai;
pub mod presets;

pub use presets::{preset, Auth, Preset, PRESETS};

/// The wire formats OneLLM speaks. Most providers speak OpenAI's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireFormat {
    OpenAi,
}

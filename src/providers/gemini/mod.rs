//! Google Gemini's `generateContent` behind the OpenAI shape.
//! Reference: <https://ai.google.dev/api/generate-content>.

pub mod error;
pub mod request;
pub mod response;
pub mod schema;
pub mod stream;
pub mod thinking;

pub use error::error_from_response;
pub use request::build_request;
pub use response::parse_completion;
pub use stream::GeminiStream;

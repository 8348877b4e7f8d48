//! OpenAI chat completions, and every provider that speaks its wire format.
//! Reference: <https://platform.openai.com/docs/api-reference/chat>.

pub mod chunk;
pub mod effort;
pub mod error;
pub mod fixups;
pub mod request;
pub mod response;
pub mod stream;

pub use error::error_from_response;
pub use request::build_request;
pub use response::parse_completion;
pub use stream::OpenAiStream;

//! Anthropic's Messages API behind the OpenAI shape.
//! Reference: <https://docs.anthropic.com/en/api/messages> and
//! <https://docs.anthropic.com/en/api/messages-streaming>.

pub mod error;
pub mod request;
pub mod response;
pub mod stream;
pub mod thinking;

pub use error::error_from_response;
pub use request::build_request;
pub use response::parse_completion;
pub use stream::AnthropicStream;

//! Cohere's v2 chat behind the OpenAI shape.
//! Reference: <https://docs.cohere.com/reference/chat> and
//! <https://docs.cohere.com/reference/chat-stream>.

pub mod request;
pub mod response;
pub mod stream;

pub use request::build_request;
pub use response::parse_completion;
pub use stream::CohereStream;

//! OpenAI-shaped data: the request a caller sends and the objects it gets back.

pub mod completion;
pub mod request;

pub use completion::{
    ChatCompletion, ChatCompletionChunk, Choice, ChunkChoice, CompletionMessage, Delta,
    FunctionDelta, ToolCallDelta, Usage,
};
pub use request::{ChatParams, ChatRequest, Content, ContentPart, Message, ONELLM_PARAMS};

//! Hostile input never panics: arbitrary bytes through the SSE decoder and the OpenAI
//! adapter's body and stream parsers come back as values or errors, never a panic
//! (which in Wasm would be a trap that takes the whole client down).

use onellm::providers::{error_from_response, parse_completion, Translation, WireFormat};
use onellm::sse::SseDecoder;
use onellm::stream::ChatStream;
use proptest::prelude::*;

/// Bytes that look like an event stream often enough to reach deep paths.
fn stream_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"data: ".to_vec()),
        Just(b"data:".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b": c\n".to_vec()),
        Just(b"event: error\n".to_vec()),
        Just(b"id: 1\n".to_vec()),
        Just(b"retry: 99999999999999999999999\n".to_vec()),
        Just(b"[DONE]".to_vec()),
        Just(br#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"x"}}]}"#.to_vec()),
        Just(br#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":4294967295,"delta":{"tool_calls":[{"index":4000000000,"function":{"arguments":"{"}}]}}]}"#.to_vec()),
        Just(br#"{"error":{"message":5}}"#.to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"event: message_start\n".to_vec()),
        Just(br#"{"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":1}}}"#.to_vec()),
        Just(br#"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"f"}}"#.to_vec()),
        Just(br#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{"}}"#.to_vec()),
        Just(br#"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":4294967296}}"#.to_vec()),
        Just(br#"{"type":"message_stop"}"#.to_vec()),
        Just(br#"{"type":"error","error":{"type":"overloaded_error"}}"#.to_vec()),
        Just(br#"{"candidates":[{"index":7,"content":{"parts":[{"text":"a","thought":true},{"functionCall":{"name":"f","args":5}}]},"finishReason":"STOP","logprobsResult":{"chosenCandidates":[{"token":"x"}]}}],"usageMetadata":{"promptTokenCount":18446744073709551615,"thoughtsTokenCount":18446744073709551615}}"#.to_vec()),
        Just(br#"{"promptFeedback":{"blockReason":"SAFETY"}}"#.to_vec()),
        Just(br#"{"type":"tool-call-start","index":4294967295,"delta":{"message":{"tool_calls":{"id":"t","function":{"name":"f"}}}}}"#.to_vec()),
        Just(br#"{"type":"tool-call-delta","delta":{"message":{"tool_calls":{"function":{"arguments":"{"}}}}}"#.to_vec()),
        Just(br#"{"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"tokens":{"input_tokens":1e308}}}}"#.to_vec()),
        Just(br#"{"choices":[],"x_groq":{"usage":{"total_tokens":-1}}}"#.to_vec()),
        Just(br#"{"choices":[{"delta":{}}],"x_groq":{"usage":{"prompt_tokens":2,"completion_tokens":3}}}"#.to_vec()),
        Just(br#"{"candidates":[{"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":18446744073709551615,"candidatesTokenCount":18446744073709551615}}"#.to_vec()),
        Just(br#"{"type":"message_start","message":{"usage":{"input_tokens":18446744073709551615,"cache_read_input_tokens":18446744073709551615,"output_tokens":18446744073709551615}}}"#.to_vec()),
        Just(br#"{"error":{"code":99999999,"details":[{"reason":"API_KEY_INVALID"}]}}"#.to_vec()),
        Just(b"\xFF\xFE".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..16),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|ps| ps.concat())
}

/// Feeds bytes split at `at` through a stream of `format`, checking that whatever
/// reaches JS is one valid JSON array, then ends it and builds its final completion.
fn feed_any(
    format: WireFormat,
    translation: &Translation,
    bytes: &[u8],
    at: usize,
) -> Result<(), TestCaseError> {
    let mut s = ChatStream::new(format, translation, 0);
    for part in [&bytes[..at], &bytes[at..]] {
        if let Ok(batch) = s.feed(part) {
            if !batch.is_empty() {
                let parsed = onellm::json::parse(&batch);
                prop_assert!(parsed.is_ok_and(|v| v.is_array()), "{batch}");
            }
        }
    }
    let _ = s.end();
    let _ = onellm::json::to_string(&s.final_completion());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sse_decoder_takes_any_bytes(bytes in stream_bytes(), cut in any::<prop::sample::Index>()) {
        let mut d = SseDecoder::with_limit(256);
        let mut out = Vec::new();
        let at = cut.index(bytes.len() + 1);
        let _ = d.feed(&bytes[..at], &mut out);
        let _ = d.feed(&bytes[at..], &mut out);
        let _ = d.has_partial_event();
    }

    #[test]
    fn openai_stream_takes_any_bytes(bytes in stream_bytes(), cut in any::<prop::sample::Index>()) {
        let translation = Translation { include_usage: true, stream_usage_field: Some("x_groq"), ..Translation::default() };
        feed_any(WireFormat::OpenAi, &translation, &bytes, cut.index(bytes.len() + 1))?;
    }

    #[test]
    fn anthropic_stream_takes_any_bytes(bytes in stream_bytes(), cut in any::<prop::sample::Index>(), json_mode in any::<bool>()) {
        let translation = Translation { json_tool: json_mode.then(|| "f".to_string()), include_usage: true, ..Translation::default() };
        feed_any(WireFormat::Anthropic, &translation, &bytes, cut.index(bytes.len() + 1))?;
    }

    #[test]
    fn gemini_stream_takes_any_bytes(bytes in stream_bytes(), cut in any::<prop::sample::Index>()) {
        let translation = Translation { include_usage: true, ..Translation::default() };
        feed_any(WireFormat::Gemini, &translation, &bytes, cut.index(bytes.len() + 1))?;
    }

    #[test]
    fn cohere_stream_takes_any_bytes(bytes in stream_bytes(), cut in any::<prop::sample::Index>()) {
        let translation = Translation { include_usage: true, ..Translation::default() };
        feed_any(WireFormat::Cohere, &translation, &bytes, cut.index(bytes.len() + 1))?;
        let _ = parse_completion(WireFormat::Cohere, 200, &[], String::from_utf8_lossy(&bytes).into_owned(), &translation, 0);
    }

    #[test]
    fn gemini_bodies_take_any_bytes(bytes in stream_bytes(), status in 100u16..1000) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = parse_completion(WireFormat::Gemini, status, &[], text.clone(), &Translation::default(), 0);
        let _ = error_from_response(WireFormat::Gemini, status, vec![], &text);
    }

    #[test]
    fn anthropic_bodies_take_any_bytes(bytes in stream_bytes(), status in 100u16..1000) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = parse_completion(WireFormat::Anthropic, status, &[], text.clone(), &Translation::default(), 0);
        let _ = error_from_response(WireFormat::Anthropic, status, vec![], &text);
    }

    #[test]
    fn openai_bodies_take_any_text(text in "\\PC{0,200}", status in 100u16..1000) {
        let _ = parse_completion(WireFormat::OpenAi, status, &[], text.clone(), &Translation::default(), 0);
        let e = error_from_response(WireFormat::OpenAi, status, vec![], &text);
        prop_assert!(e.message.starts_with(&status.to_string()));
    }

    #[test]
    fn openai_bodies_take_any_bytes(bytes in stream_bytes(), status in 100u16..1000) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = parse_completion(WireFormat::OpenAi, status, &[], text.clone(), &Translation::default(), 0);
        let _ = error_from_response(WireFormat::OpenAi, status, vec![], &text);
    }
}

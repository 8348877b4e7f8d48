"""The official Python `openai` SDK against onellm's gateway: `client.py <base_url> <key>`.
Prints one JSON line: [{"name", "ok", "error"}]. Each case asserts what a Python user sees."""
import json
import sys

import openai

base_url, key = sys.argv[1], sys.argv[2]
client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)
user = [{"role": "user", "content": "hello from python"}]
results = []


def case(name):
    def run(fn):
        try:
            fn()
            results.append({"name": name, "ok": True})
        except Exception as e:  # noqa: BLE001 - every failure is reported, not raised
            results.append({"name": name, "ok": False, "error": f"{type(e).__name__}: {e}"})
        return fn
    return run


@case("python openai: plain answer, fallback named in the headers")
def _():
    raw = client.chat.completions.with_raw_response.create(model="fast", messages=user)
    r = raw.parse()
    assert r.choices[0].message.content == "Echo: hello from python", r
    assert raw.headers["x-onellm-model"] == "openai/gpt-4o-mini", raw.headers
    assert raw.headers["x-onellm-attempts"] == "1", raw.headers


@case("python openai: streamed answer")
def _():
    text = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(model="mini", messages=user, stream=True) if c.choices)
    assert text == "Echo: hello from python", text


@case("python openai: tools through a translated provider")
def _():
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
    r = client.chat.completions.create(model="smart", messages=user, tools=tools, tool_choice={"type": "function", "function": {"name": "get_weather"}})
    call = r.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather", r
    assert json.loads(call.function.arguments) == {"echo": "hello from python"}, call


@case("python openai: a bad gateway key is AuthenticationError (401)")
def _():
    try:
        openai.OpenAI(base_url=base_url, api_key="not-the-key-0123456789", max_retries=0).chat.completions.create(model="mini", messages=user)
    except openai.AuthenticationError as e:
        assert e.status_code == 401 and e.code == "invalid_api_key", e
        return
    raise AssertionError("no error")


@case("python openai: bad input is BadRequestError (400) with param")
def _():
    try:
        client.chat.completions.create(model="mini", messages=user, temperature="hot")
    except openai.BadRequestError as e:
        assert e.status_code == 400 and e.param == "temperature", (e.param, e)
        return
    raise AssertionError("no error")


@case("python openai: models.list names the public models")
def _():
    ids = [m.id for m in client.models.list()]
    assert "fast" in ids and "mini" in ids, ids


print(json.dumps(results))

// The tool-calling demo: a `get_weather` tool the model may call and the page runs.
// Its "weather" is made up (deterministic per city), so the demo needs no network.

export const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather in a city.",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string", description: "City name, e.g. Paris" },
        unit: { type: "string", enum: ["celsius", "fahrenheit"] },
      },
      required: ["city"],
    },
  },
};

const conditions = ["sunny", "cloudy", "light rain", "windy", "foggy", "clear skies"];

/** Runs a tool call from the model; returns the result as the JSON text sent back. */
export function runTool(call) {
  const name = call.function?.name;
  let args;
  try {
    args = JSON.parse(call.function?.arguments || "{}");
  } catch {
    return JSON.stringify({ error: "arguments are not valid JSON" });
  }
  if (name !== "get_weather") return JSON.stringify({ error: `unknown tool ${name}` });
  const city = String(args.city ?? "somewhere");
  let h = 0;
  for (const c of city.toLowerCase()) h = (h * 31 + c.codePointAt(0)) >>> 0;
  const celsius = 8 + (h % 20);
  const fahrenheit = args.unit === "fahrenheit";
  return JSON.stringify({
    city,
    temperature: fahrenheit ? Math.round(celsius * 1.8 + 32) : celsius,
    unit: fahrenheit ? "fahrenheit" : "celsius",
    conditions: conditions[h % conditions.length],
  });
}

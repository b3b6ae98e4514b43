import { test } from "node:test";
import assert from "node:assert/strict";
import { greet } from "../lib/index.js";

test("greets by name", () => {
  assert.equal(greet("npm"), "Hello, npm!");
});

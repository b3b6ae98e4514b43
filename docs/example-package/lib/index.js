/** Greet someone by name. */
export function greet(name = "world") {
  return `Hello, ${name}!`;
}

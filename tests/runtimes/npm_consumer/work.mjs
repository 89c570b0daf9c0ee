// Work modules of the consumer: loaded by the package's thread pool through
// a dynamic import of this file's URL.
export function add(a, b) {
  return a + b;
}

export function* twice(x) {
  return x * 2;
}

// A bare Worker that echoes each message: the postMessage round-trip floor
// toThread is compared with. Plain JS (no type check per start).
self.onmessage = (e) => self.postMessage(e.data);

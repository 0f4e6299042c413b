// The iframe's side of the handshake and of every later message with the storefront page.
//
// Only messages from window.parent *and* from the origin the server vouched for (the shop's
// page that framed us) are read; everything we post names that origin as its target, so no
// other page can receive the token-bearing conversation.

let parentOrigin = '';
let token = '';
let waiting = [];
const handlers = {};

/** Start listening and post the handshake nonce taken from the URL fragment. */
export function start(origin) {
  parentOrigin = origin;
  const nonce = new URLSearchParams(location.hash.slice(1)).get('nonce') || '';
  // Keep the nonce out of history and out of anything that reads our URL later.
  history.replaceState(null, '', location.pathname + location.search);
  window.addEventListener('message', onMessage);
  send({ type: 'handshake', nonce });
}

function onMessage(event) {
  if (event.source !== window.parent || event.origin !== parentOrigin) return;
  const msg = event.data;
  if (!msg || msg.luneo !== 1 || typeof msg.type !== 'string') return;
  if (msg.type === 'token' && typeof msg.token === 'string') {
    const first = !token;
    token = msg.token;
    const resolve = waiting;
    waiting = [];
    resolve.forEach((fn) => fn(token));
    if (first && handlers.firstToken) handlers.firstToken();
    return;
  }
  const handler = handlers[msg.type];
  if (handler) handler(msg);
}

/** Post a message to the storefront page (and nowhere else). */
export function send(msg) {
  window.parent.postMessage({ ...msg, luneo: 1 }, parentOrigin);
}

/** Register a handler for a message type from the page ('open', 'cart-result', 'firstToken'). */
export function on(type, handler) {
  handlers[type] = handler;
}

/** The current token (waits for the first one). */
export function currentToken() {
  return token ? Promise.resolve(token) : new Promise((resolve) => waiting.push(resolve));
}

/** Ask the page for a fresh token; resolves with it (the shopper's work stays untouched). */
export function refreshToken() {
  const stale = token;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('token refresh timed out')), 15000);
    waiting.push((fresh) => {
      clearTimeout(timer);
      resolve(fresh);
    });
    if (token === stale) send({ type: 'refresh' });
  });
}

// Counts what a page holds that can keep old DOM and data alive: listeners on window and
// document, and observers (Resize, Mutation, Intersection) observing and not disconnected.
// Installed before the bundle runs by wrapping addEventListener/removeEventListener and the
// observer constructors.

export interface LiveListeners {
  /** Listeners on window and document, by "target type". */
  listeners: Record<string, number>;
  /** Observers by constructor name. */
  observers: Record<string, number>;
}

export const COUNT_LIVE_LISTENERS = `(() => {
  const records = [];
  const watched = (target) => target === window || target === document;
  const captureOf = (options) => typeof options === 'boolean' ? options : Boolean(options && options.capture);
  const indexOf = (target, type, listener, capture) =>
    records.findIndex((r) => r.target === target && r.type === type && r.listener === listener && r.capture === capture);
  const forget = (record) => { const at = records.indexOf(record); if (at >= 0) records.splice(at, 1); };
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    const target = this ?? window;
    const capture = captureOf(options);
    if (watched(target) && listener && indexOf(target, type, listener, capture) < 0) {
      const record = { target, type, listener, capture };
      records.push(record);
      if (options && typeof options === 'object') {
        if (options.signal) options.signal.addEventListener('abort', () => forget(record));
        if (options.once) add.call(target, type, () => forget(record), { once: true, capture });
      }
    }
    return add.call(target, type, listener, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    const target = this ?? window;
    const at = indexOf(target, type, listener, captureOf(options));
    if (at >= 0) records.splice(at, 1);
    return remove.call(target, type, listener, options);
  };
  const observers = new Set();
  for (const name of ['ResizeObserver', 'MutationObserver', 'IntersectionObserver']) {
    const Original = window[name];
    window[name] = class extends Original {
      observe(...args) { observers.add(this); return super.observe(...args); }
      disconnect() { observers.delete(this); return super.disconnect(); }
    };
  }
  window.__liveListeners = () => {
    const listeners = {};
    for (const r of records) {
      const key = (r.target === window ? 'window ' : 'document ') + r.type;
      listeners[key] = (listeners[key] ?? 0) + 1;
    }
    const counts = {};
    for (const o of observers) {
      const name = Object.getPrototypeOf(Object.getPrototypeOf(o)).constructor.name;
      counts[name] = (counts[name] ?? 0) + 1;
    }
    return { listeners, observers: counts };
  };
})();`;

// A small EventEmitter: memfs's watchers and file handles extend it; the in-memory tree never emits.
export class EventEmitter {
  #listeners = new Map();

  on(event, listener) {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
    return this;
  }

  addListener(event, listener) {
    return this.on(event, listener);
  }

  once(event, listener) {
    const once = (...args) => {
      this.off(event, once);
      listener.apply(this, args);
    };
    return this.on(event, once);
  }

  off(event, listener) {
    this.#listeners.set(event, (this.#listeners.get(event) ?? []).filter((l) => l !== listener));
    return this;
  }

  removeListener(event, listener) {
    return this.off(event, listener);
  }

  removeAllListeners(event) {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  emit(event, ...args) {
    const listeners = this.#listeners.get(event) ?? [];
    for (const l of listeners) l.apply(this, args);
    return listeners.length > 0;
  }

  listenerCount(event) {
    return (this.#listeners.get(event) ?? []).length;
  }
}

export default { EventEmitter };

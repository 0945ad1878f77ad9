// The review page's image cache: an item's image needs the reviewer (or admin) token as a
// Bearer header, which an <img src> cannot send, and the dashboard's CSP allows blob: images.
// So each image is fetched once with the token, kept as an object URL and decoded ahead of
// time; the next few are prefetched, so a key press swaps in an image that is ready to paint.

export interface ImageCacheOptions {
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  createUrl?: (blob: Blob) => string;
  revokeUrl?: (url: string) => void;
  /** Decodes the image behind an object URL (so the first paint does not wait for it). */
  decode?: (objectUrl: string) => Promise<unknown>;
  /** How many images are kept (the oldest not wanted go first). */
  keep?: number;
  /** How many prefetches run at once. */
  concurrency?: number;
}

interface Entry {
  promise: Promise<string>;
  objectUrl?: string;
  error?: unknown;
  held?: unknown; // the decoded <img>, kept alive so its decoded pixels stay cached
}

function browserDecode(objectUrl: string): Promise<unknown> {
  if (typeof Image === "undefined") return Promise.resolve(undefined);
  const img = new Image();
  img.src = objectUrl;
  return typeof img.decode === "function" ? img.decode().then(() => img, () => img) : Promise.resolve(img);
}

export class ImageCache {
  private entries = new Map<string, Entry>(); // in use order: the first is the least recent
  private waiting: string[] = [];
  private running = 0;
  private wanted = new Set<string>();
  private listeners = new Set<() => void>();
  private closed = false;
  /** Goes up each time an image finishes loading (or fails): a snapshot for React. */
  version = 0;
  private readonly options: Required<ImageCacheOptions>;

  constructor(
    private readonly token: string,
    options: ImageCacheOptions = {},
  ) {
    this.options = {
      fetch: options.fetch ?? ((url, init) => globalThis.fetch(url, init)),
      createUrl: options.createUrl ?? ((blob) => URL.createObjectURL(blob)),
      revokeUrl: options.revokeUrl ?? ((url) => URL.revokeObjectURL(url)),
      decode: options.decode ?? browserDecode,
      keep: options.keep ?? 40,
      concurrency: options.concurrency ?? 3,
    };
  }

  /** The object URL of an image already loaded, or undefined. */
  peek(url: string): string | undefined {
    return this.entries.get(url)?.objectUrl;
  }

  /** Why an image could not be loaded, if it could not. */
  failure(url: string): unknown {
    return this.entries.get(url)?.error;
  }

  /** The image now (ahead of any prefetch waiting its turn). */
  load(url: string): Promise<string> {
    const known = this.entries.get(url);
    if (known && known.error === undefined) {
      this.touch(url, known);
      return known.promise;
    }
    this.waiting = this.waiting.filter((u) => u !== url);
    return this.start(url);
  }

  /**
   * Loads these images in this order (the first is needed soonest), a few at a time; the
   * ones wanted stay cached, the others may be dropped once more than `keep` are held.
   */
  prefetch(urls: string[]): void {
    this.wanted = new Set(urls);
    this.waiting = urls.filter((url) => !this.entries.has(url));
    this.pump();
    this.evict();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every object URL revoked; nothing more is loaded. */
  close(): void {
    this.closed = true;
    this.waiting = [];
    for (const entry of this.entries.values()) if (entry.objectUrl) this.options.revokeUrl(entry.objectUrl);
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private pump(): void {
    while (!this.closed && this.running < this.options.concurrency && this.waiting.length) {
      const url = this.waiting.shift()!;
      if (this.entries.has(url)) continue;
      this.running += 1;
      this.start(url).catch(() => undefined).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private start(url: string): Promise<string> {
    const entry: Entry = { promise: Promise.resolve("") };
    entry.promise = (async () => {
      try {
        const response = await this.options.fetch(url, { headers: { Authorization: `Bearer ${this.token}` } });
        if (!response.ok) throw new Error(`The image could not be loaded (HTTP ${response.status}).`);
        const objectUrl = this.options.createUrl(await response.blob());
        if (this.closed || this.entries.get(url) !== entry) {
          this.options.revokeUrl(objectUrl);
          return objectUrl;
        }
        entry.held = await this.options.decode(objectUrl);
        entry.objectUrl = objectUrl;
        return objectUrl;
      } catch (error) {
        entry.error = error;
        throw error;
      } finally {
        this.notify();
      }
    })();
    this.entries.set(url, entry);
    this.evict();
    return entry.promise;
  }

  private touch(url: string, entry: Entry): void {
    this.entries.delete(url);
    this.entries.set(url, entry);
  }

  private evict(): void {
    for (const [url, entry] of this.entries) {
      if (this.entries.size <= this.options.keep) break;
      if (this.wanted.has(url) || !entry.objectUrl) continue;
      this.options.revokeUrl(entry.objectUrl);
      this.entries.delete(url);
    }
  }

  private notify(): void {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }
}

/**
 * The lab's models, loaded on demand for a prediction and kept in a small cache: at most
 * `capacity` versions stay loaded, the least recently used one is disposed when another comes
 * in (docs/decisions/067). The model in use is not held here: the server already keeps it.
 *
 * A model that leaves the cache while a prediction still uses it is disposed once that
 * prediction is done, never under it.
 */
import * as tf from "@tensorflow/tfjs";
import { startWasmBackend } from "~/classifier/backend.server";
import { prepareClassifier, type LoadedClassifier } from "~/classifier/classify";
import { loadModelFrom, loadRuntimeFrom, type ModelSource } from "~/classifier/files.server";

export type DisposableClassifier = { classifier: LoadedClassifier; dispose: () => void };

/**
 * Load a version's files so that every tensor they make can be freed: the network's variables
 * go with its layers, and the tensors the classifier keeps for its folded inference (made while
 * it is prepared, which runs synchronously) are collected from a scope of their own.
 */
export async function loadDisposableClassifier(source: ModelSource): Promise<DisposableClassifier> {
  await startWasmBackend();
  const [model, config] = await Promise.all([loadModelFrom(source), loadRuntimeFrom(source)]);
  const engine = tf.engine();
  engine.startScope("lab-model");
  let classifier: LoadedClassifier | undefined;
  let kept: tf.Tensor[] = [];
  try {
    classifier = prepareClassifier(model, config);
  } finally {
    kept = engine.state.activeScope.track.filter((t) => t.kept);
    engine.endScope();
  }
  const prepared = classifier;
  return {
    classifier: prepared,
    dispose: () => {
      // The probe shares the network's layers: disposing it frees their weights, and the
      // layers it does not reach are disposed one by one (a model cannot be disposed twice).
      const shared = new Set(prepared.probe.layers);
      prepared.probe.dispose();
      for (const layer of model.layers) if (!shared.has(layer)) layer.dispose();
      for (const t of kept) if (!t.isDisposed) t.dispose();
    },
  };
}

type Entry = {
  loading: Promise<DisposableClassifier>;
  loaded?: DisposableClassifier;
  users: number;
  evicted: boolean;
  disposed: boolean;
};

export class ModelCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly capacity: number,
    private readonly load: (source: ModelSource) => Promise<DisposableClassifier> = (source) =>
      loadDisposableClassifier(source),
  ) {}

  /** Run `work` with the model of `source`, loading it (and evicting the oldest) when needed. */
  async use<T>(
    source: ModelSource,
    work: (classifier: LoadedClassifier) => T | Promise<T>,
  ): Promise<T> {
    const entry = this.entries.get(source.key) ?? this.add(source);
    // The most recently used is the last one the map iterates.
    this.entries.delete(source.key);
    this.entries.set(source.key, entry);
    this.evict();
    entry.users++;
    try {
      const { classifier } = await entry.loading;
      return await work(classifier);
    } finally {
      entry.users--;
      this.disposeIfIdle(entry);
    }
  }

  /** The keys of the sources loaded now, oldest first (for tests and the memory figures). */
  held(): string[] {
    return [...this.entries.keys()];
  }

  /** Dispose every model (tests; a server that stops). */
  clear() {
    for (const entry of this.entries.values()) {
      entry.evicted = true;
      this.disposeIfIdle(entry);
    }
    this.entries.clear();
  }

  private add(source: ModelSource): Entry {
    const dir = source.key;
    const entry: Entry = { loading: this.load(source), users: 0, evicted: false, disposed: false };
    entry.loading.then(
      (loaded) => {
        entry.loaded = loaded;
        this.disposeIfIdle(entry);
      },
      () => {
        // A failed load is not cached: the next request tries again.
        if (this.entries.get(dir) === entry) this.entries.delete(dir);
      },
    );
    return entry;
  }

  private evict() {
    while (this.entries.size > this.capacity) {
      const [dir, oldest] = this.entries.entries().next().value!;
      this.entries.delete(dir);
      oldest.evicted = true;
      this.disposeIfIdle(oldest);
    }
  }

  private disposeIfIdle(entry: Entry) {
    if (!entry.evicted || entry.users > 0 || !entry.loaded || entry.disposed) return;
    entry.disposed = true;
    entry.loaded.dispose();
  }
}

package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * An informer's store that keeps less of each object than the API server sends, for memory: the
 * informers hold every ModelDeployment and every object the operator manages, for as long as the
 * operator runs (at 1,000 ModelDeployments, about 5,000 objects; see bench/scale.sh).
 *
 * <p>Every object loses its {@code metadata.managedFields}: server-side apply's record of who set
 * which field, often the largest part of an object's metadata, which the operator never reads (it
 * decides what to write from the spec, and compares with {@link Drift}). A Pod also loses its spec:
 * the operator reads only a pod's labels and status. Objects are trimmed as they enter the store,
 * so the events the informer hands on carry the trimmed object too.
 */
public class TrimmedStore<R extends HasMetadata> implements ItemStore<R> {
  private final BasicItemStore<R> items = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);
  private final UnaryOperator<R> trim;

  /** Drops managedFields only; the store of the ModelDeployments' own informer. */
  public TrimmedStore() {
    this(TrimmedStore::withoutManagedFields);
  }

  private TrimmedStore(UnaryOperator<R> trim) {
    this.trim = trim;
  }

  /** A store for an informer of {@code kind}: Pods without their spec, others as they come. */
  @SuppressWarnings("unchecked")
  public static <R extends HasMetadata> TrimmedStore<R> of(Class<R> kind) {
    return kind == Pod.class
        ? (TrimmedStore<R>) new TrimmedStore<Pod>(TrimmedStore::podWithoutSpec)
        : new TrimmedStore<>();
  }

  static <R extends HasMetadata> R withoutManagedFields(R r) {
    if (r.getMetadata() != null) {
      r.getMetadata().setManagedFields(null);
    }
    return r;
  }

  static Pod podWithoutSpec(Pod p) {
    withoutManagedFields(p).setSpec(null);
    return p;
  }

  @Override
  public R put(String key, R obj) {
    return items.put(key, trim.apply(obj));
  }

  @Override
  public String getKey(R obj) {
    return items.getKey(obj);
  }

  @Override
  public R remove(String key) {
    return items.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return items.keySet();
  }

  @Override
  public Stream<R> values() {
    return items.values();
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public R get(String key) {
    return items.get(key);
  }
}

namespace KubeMacPool.Manager.Kubernetes.Informers.Packing;

/// <summary>
/// How a cache holds the objects of a kind that numbers in the hundred thousands: as bytes, opened into a fresh
/// object on every read. A pod or VM held as an object graph costs ~500–700 bytes (metadata, maps, a UID string), the
/// same fields packed ~100 plus the VM's interfaces. <see cref="Pack"/> keeps exactly the fields the kind's trim
/// (<see cref="CacheTrims"/>) keeps; the name and namespace stay in the cache's key and are not packed again.
/// </summary>
internal interface IObjectPacker<T>
{
    byte[] Pack(T item);

    T Unpack(ObjectKey key, ReadOnlySpan<byte> packed);
}

using System.Runtime.CompilerServices;
using System.Text.Json;

namespace KubeMacPool.Core.Networks;

/// <summary>
/// The values of up to <see cref="Capacity"/> keys of one object, read in one pass by
/// <see cref="JsonNav.ReadFields"/> (a lookup per key scans every key again), with no allocation.
/// </summary>
[InlineArray(Capacity)]
public struct JsonFields
{
    public const int Capacity = 9;

    private JsonElement? _first;
}

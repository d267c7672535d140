using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Collisions;

/// <summary>
/// A MAC whose collision changed: <see cref="Keys"/> are the colliding objects now (sorted, ordinal), empty when the
/// collision is over.
/// </summary>
public sealed record CollisionChange(MacAddress Mac, IReadOnlyList<string> Keys)
{
    public bool IsCollision => Keys.Count > 1;

    /// <summary>The Event message upstream writes: <c>MAC &lt;mac&gt;: Collision between &lt;sorted keys&gt;</c>.</summary>
    public string Message => $"MAC {Mac}: Collision between {string.Join(", ", Keys)}";
}

using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Pool;

/// <summary>
/// What a reservation did, or why it did nothing. <see cref="Assignments"/> follow the order of the allocate and
/// requested items of the request (touches give none); <see cref="SharedWithOtherOwners"/> lists the requested
/// MACs another owner also holds, admitted under <see cref="DuplicatePolicy.Allow"/>.
/// </summary>
public sealed record ReservationResult(
    IReadOnlyList<MacAssignment> Assignments, string? Error, IReadOnlyList<MacAddress> SharedWithOtherOwners)
{
    public bool Succeeded => Error is null;

    public static ReservationResult Failure(string error) => new([], error, []);
}

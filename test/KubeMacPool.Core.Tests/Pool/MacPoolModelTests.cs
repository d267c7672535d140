using CsCheck;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;

namespace KubeMacPool.Core.Tests.Pool;

/// <summary>
/// Random interleavings of reserve / register / commit / release checked against a plain dictionary model:
/// the pool never loses or invents an entry, never gives a MAC that is held to an allocation, and under
/// <see cref="DuplicatePolicy.Reject"/> a reservation never makes two owners of one MAC. An allocation may hand out
/// again only a MAC the same owner holds pending for the same interface and nobody else holds (a re-admission).
/// </summary>
public class MacPoolModelTests
{
    private static readonly MacOwner[] Owners =
        [MacOwner.VirtualMachine("a", "vm1"), MacOwner.VirtualMachine("b", "vm2"), MacOwner.Pod("a", "p1"), MacOwner.Pod("c", "p2")];

    private static readonly string[] Interfaces = ["eth0", "net1", "net2"];

    // Range of 16; requested MACs are drawn from 12 inside it and 4 outside it.
    private static readonly MacAddress[] Macs = [.. Enumerable.Range(0, 12).Select(i => new MacAddress(0x02_00_00_00_00_00UL + (ulong)i)),
        .. Enumerable.Range(0, 4).Select(i => new MacAddress(0x06_00_00_00_00_00UL + (ulong)i))];

    private sealed record Op(int Kind, int Owner, (int Kind, int Iface, int Mac)[] Requests, int Time, bool DryRun, int Mask);

    private static readonly Gen<Op> OpGen =
        Gen.Select(
            Gen.Int[0, 4], Gen.Int[0, Owners.Length - 1],
            Gen.Select(Gen.Int[0, 2], Gen.Int[0, Interfaces.Length - 1], Gen.Int[0, Macs.Length - 1]).Array[0, 3],
            Gen.Int[0, 5], Gen.Bool, Gen.Int[0, 7])
        .Select((k, o, r, t, d, m) => new Op(k, o, r, t, d, m));

    [Theory]
    [InlineData(DuplicatePolicy.Reject)]
    [InlineData(DuplicatePolicy.Allow)]
    public void The_pool_agrees_with_the_model(DuplicatePolicy policy)
    {
        MacRange.TryParse("02:00:00:00:00:00", "02:00:00:00:00:0f", out var range, out _);
        OpGen.Array[1, 60].Sample(ops =>
        {
            var pool = new MacPool(range!, policy);
            var model = new Dictionary<(MacAddress Mac, MacOwner Owner, string Iface), long?>();
            var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

            // Register (the startup rebuild) may record duplicates under any policy; reservations never may under Reject.
            var registered = false;
            foreach (var op in ops)
            {
                var owner = Owners[op.Owner];
                var ts = t0.AddSeconds(op.Time);
                switch (op.Kind)
                {
                    case 0 or 1:
                        var requests = op.Requests.Select(r => r.Kind switch
                        {
                            0 => MacRequest.Allocate(Interfaces[r.Iface]),
                            1 => MacRequest.Requested(Interfaces[r.Iface], Macs[r.Mac].ToString()),
                            _ => MacRequest.Touch(Interfaces[r.Iface], Macs[r.Mac]),
                        }).ToList();
                        var heldBefore = model.Keys.Select(k => k.Mac).ToHashSet();
                        var result = pool.Reserve(owner, requests, op.Kind == 0 ? ts : null, op.DryRun);
                        var requestedMacs = requests.Where(r => r.Kind == MacRequestKind.Requested).Select(r => MacAddress.Parse(r.RequestedMac!)).ToList();
                        var takenByOther = requestedMacs.Any(m => model.Keys.Any(k => k.Mac == m && k.Owner != owner));
                        if (requestedMacs.Count != requestedMacs.Distinct().Count())
                        {
                            if (result.Succeeded || !result.Error!.StartsWith("duplicate MAC address", StringComparison.Ordinal))
                            {
                                return false;
                            }
                        }
                        else if (policy == DuplicatePolicy.Reject && takenByOther)
                        {
                            if (result.Error != MacPool.RequestedMacTakenError)
                            {
                                return false;
                            }
                        }
                        else if (result.Succeeded)
                        {
                            // An allocation is inside the range, free before (or the owner's own pending entry for that
                            // interface, held by nobody else), and different from every other MAC of the answer.
                            bool Reused(MacAssignment a) =>
                                model.TryGetValue((a.Mac, owner, a.InterfaceKey), out var since) && since is not null
                                && !model.Keys.Any(k => k.Mac == a.Mac && k.Owner != owner);
                            if (result.Assignments.Any(a => a.Allocated && ((heldBefore.Contains(a.Mac) && !Reused(a)) || !range!.Contains(a.Mac)))
                                || result.Assignments.Select(a => a.Mac).Distinct().Count() != result.Assignments.Count)
                            {
                                return false;
                            }

                            if (!op.DryRun)
                            {
                                foreach (var a in result.Assignments)
                                {
                                    model[(a.Mac, owner, a.InterfaceKey)] = op.Kind == 0 ? ts.UtcTicks : model.GetValueOrDefault((a.Mac, owner, a.InterfaceKey));
                                }

                                foreach (var touch in requests.Where(r => r.Kind == MacRequestKind.Touch && op.Kind == 0))
                                {
                                    if (model.ContainsKey((touch.TouchedMac, owner, touch.InterfaceKey)))
                                    {
                                        model[(touch.TouchedMac, owner, touch.InterfaceKey)] = ts.UtcTicks;
                                    }
                                }
                            }
                        }
                        else if (result.Error != "the range is full")
                        {
                            return false;
                        }

                        break;
                    case 2:
                        registered = true;
                        var mac = Macs[op.Mask % Macs.Length];
                        pool.Register(owner, Interfaces[op.Mask % Interfaces.Length], mac);
                        model[(mac, owner, Interfaces[op.Mask % Interfaces.Length])] = null;
                        break;
                    case 3:
                        // Persist a subset of the owner's entries, chosen by the mask bits.
                        var mine = model.Keys.Where(k => k.Owner == owner).OrderBy(k => k.Mac).ThenBy(k => k.Iface, StringComparer.Ordinal).ToList();
                        var persisted = mine.Where((_, i) => (op.Mask & (1 << (i % 3))) != 0).ToList();
                        pool.Commit(owner, ts, persisted.Select(k => (k.Iface, k.Mac)));
                        foreach (var k in mine.Where(k => model[k] is long p && p <= ts.UtcTicks))
                        {
                            if (persisted.Contains(k))
                            {
                                model[k] = null;
                            }
                            else
                            {
                                model.Remove(k);
                            }
                        }

                        break;
                    default:
                        pool.Release(owner);
                        foreach (var k in model.Keys.Where(k => k.Owner == owner).ToList())
                        {
                            model.Remove(k);
                        }

                        break;
                }

                var actual = Owners.SelectMany(pool.EntriesOf).ToDictionary(e => (e.Mac, e.Owner, e.InterfaceKey), e => e.PendingSince?.UtcTicks);
                if (actual.Count != model.Count || model.Any(kv => !actual.TryGetValue(kv.Key, out var p) || p != kv.Value))
                {
                    return false;
                }

                if (pool.HeldCount != model.Keys.Select(k => k.Mac).Distinct().Count())
                {
                    return false;
                }

                if (policy == DuplicatePolicy.Reject && !registered && Macs.Any(m => pool.EntriesAt(m).Select(e => e.Owner).Distinct().Count() > 1))
                {
                    return false;
                }
            }

            return true;
        }, iter: 400);
    }
}

using KubeMacPool.Core.Ipam;
using static KubeMacPool.Core.Ipam.ObjectState;

namespace KubeMacPool.Core.Tests.Ipam;

public class ClaimCleanupTests
{
    // ipam-extensions' shouldCleanFinalizers table, plus the "VM present, not deleting" rows.
    [Theory]
    [InlineData(Absent, Absent, false, true)] // neither exists: VMI deleted and VM absent
    [InlineData(Present, Absent, false, false)] // VM stopped: claims (and IPs) kept
    [InlineData(Deleting, Absent, false, true)] // VM being deleted, VMI gone
    [InlineData(Deleting, Present, true, false)] // foreground deletion: wait for the VMI
    [InlineData(Deleting, Deleting, false, false)] // VM deleting, VMI still going
    [InlineData(Present, Present, true, false)] // running
    [InlineData(Absent, Deleting, false, true)] // standalone VMI deleting, no active pods
    [InlineData(Absent, Deleting, true, false)] // standalone VMI deleting, pods still active
    [InlineData(Absent, Present, false, false)] // standalone VMI running
    public void Finalizers_go_only_when_nothing_can_use_the_ips_any_more(ObjectState vm, ObjectState vmi, bool activePods, bool expected) =>
        Assert.Equal(expected, ClaimCleanup.ShouldRemoveFinalizers(vm, vmi, activePods));

    [Fact]
    public void A_claim_is_owned_by_the_vm_when_there_is_one_else_by_the_vmi()
    {
        Assert.True(ClaimOwnership.OwnedByVm(Present));
        Assert.True(ClaimOwnership.OwnedByVm(Deleting));
        Assert.False(ClaimOwnership.OwnedByVm(Absent));
    }

    [Fact]
    public void Only_a_claim_whose_single_owner_is_ours_is_used()
    {
        Assert.True(ClaimOwnership.IsOwnedBy(["uid-1"], "uid-1"));
        Assert.False(ClaimOwnership.IsOwnedBy(["uid-2"], "uid-1"));
        Assert.False(ClaimOwnership.IsOwnedBy([], "uid-1"));
        Assert.False(ClaimOwnership.IsOwnedBy(null, "uid-1"));
        Assert.False(ClaimOwnership.IsOwnedBy(["uid-1", "uid-2"], "uid-1"));
        Assert.False(ClaimOwnership.IsOwnedBy([null], null));
        Assert.StartsWith("failed since it found an existing IPAMClaim for \"vm1.net\"", ClaimOwnership.ConflictMessage("vm1.net"), StringComparison.Ordinal);
    }
}

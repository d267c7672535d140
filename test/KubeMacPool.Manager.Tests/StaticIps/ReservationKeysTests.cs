using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.StaticIps;
using static KubeMacPool.Manager.Tests.StaticIps.DhcpModels;

namespace KubeMacPool.Manager.Tests.StaticIps;

/// <summary>Which keys a change wakes in the reservation controller's queue, and what a key is about.</summary>
public class ReservationKeysTests
{
    [Fact]
    public void A_pool_change_wakes_the_pool()
    {
        Assert.Equal(["pool:blue"], ReservationKeys.Of(NewPool("blue", "ns/blue", "10.0.0.0/24", "10.0.0.1")));
    }

    [Fact]
    public void A_reservation_change_wakes_the_reservation_and_the_vm_its_spec_names()
    {
        Assert.Equal(["reservation:ns/vm.net1", "vm:ns/vm"], ReservationKeys.Of(NewReservation("vm.net1", "ns/blue", "02:00:00:00:00:01")));
    }

    [Fact]
    public void A_reservation_naming_no_vm_wakes_only_itself()
    {
        var reservation = NewReservation("loose", "ns/blue", "02:00:00:00:00:01");
        reservation.Spec.VirtualMachine = "";
        Assert.Equal(["reservation:ns/loose"], ReservationKeys.Of(reservation));
    }

    [Fact]
    public void A_vm_change_wakes_the_vm()
    {
        var vm = new VirtualMachine { Metadata = new V1ObjectMeta { Name = "vm", NamespaceProperty = "ns" } };
        Assert.Equal(["vm:ns/vm"], ReservationKeys.Of(vm));
    }

    [Theory]
    [InlineData("pool:blue", "Pool", "blue")]
    [InlineData("reservation:ns/vm.net1", "Reservation", "ns/vm.net1")]
    [InlineData("vm:ns/vm", "VirtualMachine", "ns/vm")]
    public void A_key_says_what_it_is_about_and_the_cache_key(string key, string kind, string name)
    {
        Assert.Equal(new ReservationKey(Enum.Parse<ReservationKeyKind>(kind), name), ReservationKeys.Parse(key));
    }

    [Fact]
    public void Keys_round_trip()
    {
        Assert.Equal(new ReservationKey(ReservationKeyKind.Pool, "p"), ReservationKeys.Parse(ReservationKeys.Pool("p")));
        Assert.Equal(new ReservationKey(ReservationKeyKind.Reservation, "ns/r"), ReservationKeys.Parse(ReservationKeys.Reservation("ns/r")));
        Assert.Equal(new ReservationKey(ReservationKeyKind.VirtualMachine, "ns/v"), ReservationKeys.Parse(ReservationKeys.VirtualMachine("ns", "v")));
    }

    [Fact]
    public void A_foreign_key_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ReservationKeys.Parse("ns/vm"));
    }
}

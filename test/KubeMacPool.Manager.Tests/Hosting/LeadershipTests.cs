using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Hosting;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Tests.Hosting;

public class LeadershipTests
{
    private static Leadership New(string? podIp = null) =>
        new(Options.Create(new ManagerOptions { PodName = "kubemacpool-abc", PodIp = podIp, WebhookPort = 8000 }), TimeProvider.System);

    [Fact]
    public void Identity_names_the_pod_and_is_unique_per_process_and_the_url_is_the_pod_ip()
    {
        var a = New("10.1.2.3");
        var b = New("10.1.2.3");
        Assert.StartsWith("kubemacpool-abc_", a.Identity, StringComparison.Ordinal);
        Assert.NotEqual(a.Identity, b.Identity);
        Assert.Equal("https://10.1.2.3:8000", a.SelfUrl);
        Assert.Equal("https://[fd00::1]:8000", New("fd00::1").SelfUrl);
    }

    [Fact]
    public async Task Only_a_leader_enters_leader_work_and_stopping_waits_for_work_in_flight()
    {
        var leadership = New();
        Assert.False(leadership.TryEnterLeaderWork());
        leadership.StartLeading();
        Assert.True(leadership.TryEnterLeaderWork());

        var stopping = leadership.StopLeadingAsync(TestContext.Current.CancellationToken);
        Assert.False(leadership.IsLeader);
        Assert.False(leadership.TryEnterLeaderWork());
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(stopping.IsCompleted); // the review that entered is still allocating
        leadership.ExitLeaderWork();
        await stopping.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Observing_a_new_leader_signals_waiters_and_its_own_url_is_never_a_leader_to_forward_to()
    {
        var leadership = New("10.1.2.3");
        var changed = leadership.Changed;
        leadership.ObserveLeader(leadership.SelfUrl);
        Assert.False(changed.IsCompleted);
        Assert.Null(leadership.LeaderUrl);

        leadership.ObserveLeader("https://10.9.9.9:8000");
        await changed.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal("https://10.9.9.9:8000", leadership.LeaderUrl);

        var waiting = leadership.WhenLeaderAsync(TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        leadership.StartLeading();
        await waiting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }
}

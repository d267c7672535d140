namespace KubeMacPool.Plugin.Tests;

public class CommandLineTests
{
    [Fact]
    public void Reads_the_verb_its_arguments_and_kubectl_style_flags()
    {
        Assert.True(CommandLine.TryParse(["check-range", "02:00:00:00:00:00", "--output=yaml", "02:00:00:00:ff:ff", "-n", "team-a", "--context", "dev"], out var command, out _));
        Assert.Equal(new CommandLine("check-range", command.Arguments, OutputFormat.Yaml, null, "dev", "team-a", "kubemacpool-system"), command);
        Assert.Equal(["02:00:00:00:00:00", "02:00:00:00:ff:ff"], command.Arguments);
    }

    [Theory]
    [InlineData(new string[0], "no verb given")]
    [InlineData(new[] { "frobnicate" }, "unknown verb \"frobnicate\": use status, who-has, check-range or collisions")]
    [InlineData(new[] { "who-has" }, "who-has takes 1 argument, got 0")]
    [InlineData(new[] { "status", "-o", "xml" }, "unknown output format \"xml\": use table, json or yaml")]
    [InlineData(new[] { "status", "--kubeconfig" }, "flag --kubeconfig needs a value")]
    [InlineData(new[] { "status", "--bogus" }, "unknown flag --bogus")]
    public void Bad_invocations_say_what_is_wrong(string[] args, string expected)
    {
        Assert.False(CommandLine.TryParse(args, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public async Task Usage_errors_exit_2_before_any_cluster_call_and_help_exits_0()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(2, await PluginApp.RunAsync(["who-has", "02:00:00:00:00:0g", "--kubeconfig", "/nonexistent"], stdout, stderr, TestContext.Current.CancellationToken));
        Assert.Equal("error: address 02:00:00:00:00:0g: invalid MAC address\n", stderr.ToString());

        stderr = new StringWriter();
        Assert.Equal(2, await PluginApp.RunAsync(["check-range", "02:00:00:00:00:10", "02:00:00:00:00:01", "--kubeconfig", "/nonexistent"], stdout, stderr, TestContext.Current.CancellationToken));
        Assert.StartsWith("error: invalid range.", stderr.ToString(), StringComparison.Ordinal);

        Assert.Equal(0, await PluginApp.RunAsync(["--help"], stdout, stderr, TestContext.Current.CancellationToken));
        Assert.Contains("Exit codes:", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_kubeconfig_is_exit_3_with_the_reason()
    {
        var stderr = new StringWriter();
        Assert.Equal(3, await PluginApp.RunAsync(["collisions", "--kubeconfig", "/nonexistent/kubeconfig"], new StringWriter(), stderr, TestContext.Current.CancellationToken));
        Assert.StartsWith("error: no usable kubeconfig: ", stderr.ToString(), StringComparison.Ordinal);
    }
}

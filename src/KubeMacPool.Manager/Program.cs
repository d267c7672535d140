using KubeMacPool.Manager;
using KubeMacPool.Manager.DhcpAgent;

// One binary, several modes (as upstream's /manager): the MAC manager by default.
if (args is [DhcpAgentHost.Mode, ..])
{
    await DhcpAgentHost.RunAsync(args[1..]);
    return;
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddManager();

var app = builder.Build();
app.MapManagerEndpoints();
await app.RunAsync();

/// <summary>Entry point; public so that tests can start the real host.</summary>
public partial class Program;

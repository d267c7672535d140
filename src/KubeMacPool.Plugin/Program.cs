using KubeMacPool.Plugin;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await PluginApp.RunAsync(args, Console.Out, Console.Error, cancel.Token);

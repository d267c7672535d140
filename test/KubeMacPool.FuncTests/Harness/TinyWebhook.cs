using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeMacPool.FuncTests.Harness;

/// <summary>
/// A minimal HTTPS mutating webhook on 127.0.0.1, run inside a test: it records the namespaces it was called for
/// and answers with a patch that adds one annotation. Proves the API server really calls webhooks over TLS.
/// </summary>
public sealed class TinyWebhook : IAsyncDisposable
{
    public const string AnnotationKey = "kmp-test/mutated";

    private readonly WebApplication _app;

    private TinyWebhook(WebApplication app) => _app = app;

    public ConcurrentQueue<string> CalledFor { get; } = new();

    public int Port { get; private set; }

    public static async Task<TinyWebhook> StartAsync(TestCertificateAuthority ca)
    {
        var certificate = ca.IssueServingCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var webhook = new TinyWebhook(app);
        app.MapPost("/mutate", async (HttpRequest request) =>
        {
            var review = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            var req = review["request"]!;
            webhook.CalledFor.Enqueue(req["namespace"]?.GetValue<string>() ?? "");
            var patch = new JsonArray(new JsonObject
            {
                ["op"] = "add",
                ["path"] = "/metadata/annotations",
                ["value"] = new JsonObject { [AnnotationKey] = "yes" },
            }).ToJsonString();
            var response = new JsonObject
            {
                ["apiVersion"] = review["apiVersion"]?.GetValue<string>() ?? "admission.k8s.io/v1",
                ["kind"] = "AdmissionReview",
                ["response"] = new JsonObject
                {
                    ["uid"] = req["uid"]!.GetValue<string>(),
                    ["allowed"] = true,
                    ["patchType"] = "JSONPatch",
                    ["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(patch)),
                },
            };
            return Results.Text(response.ToJsonString(), "application/json");
        });
        await app.StartAsync();
        webhook.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return webhook;
    }

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

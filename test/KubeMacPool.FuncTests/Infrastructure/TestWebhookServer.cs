using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>One AdmissionReview request the API server sent to a <see cref="TestWebhookServer"/>.</summary>
public sealed record AdmissionCall(
    string ReviewApiVersion,
    string Uid,
    string Kind,
    string Namespace,
    string Name,
    string Operation,
    bool DryRun,
    JsonObject? ObjectJson,
    JsonObject Request,
    DateTimeOffset ReceivedAt);

/// <summary>What a <see cref="TestWebhookServer"/> answers: allowed or denied, optionally with a JSON Patch.</summary>
public sealed record AdmissionReply(bool Allowed = true, JsonArray? Patch = null, string? Message = null, int? Code = null)
{
    public static AdmissionReply Allow() => new();

    public static AdmissionReply AllowWithPatch(JsonArray patch) => new(Patch: patch);

    public static AdmissionReply Deny(string message, int code = 403) => new(Allowed: false, Message: message, Code: code);

    /// <summary>A JSON Patch that adds one annotation (creating the annotations map when the object has none).</summary>
    public static JsonArray AddAnnotationPatch(JsonObject? obj, string key, string value)
    {
        var escaped = key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
        return obj?["metadata"]?["annotations"] is JsonObject
            ? [new JsonObject { ["op"] = "add", ["path"] = $"/metadata/annotations/{escaped}", ["value"] = value }]
            : [new JsonObject { ["op"] = "add", ["path"] = "/metadata/annotations", ["value"] = new JsonObject { [key] = value } }];
    }
}

/// <summary>
/// A real HTTPS admission webhook on 127.0.0.1 (Kestrel, random port) that records every AdmissionReview and answers
/// through <see cref="Handler"/>. The local API server reaches it through a <c>url</c> clientConfig whose caBundle is the
/// test CA that signed the serving certificate given to <see cref="StartAsync"/>.
/// </summary>
public sealed class TestWebhookServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<AdmissionCall> _calls = new();
    private bool _stopped;

    private TestWebhookServer(WebApplication app, string path)
    {
        _app = app;
        Path = path;
    }

    public int Port { get; private set; }

    public string Path { get; }

    /// <summary>Decides the answer for each call (default: allow, no patch). May be swapped while running.</summary>
    public Func<AdmissionCall, AdmissionReply> Handler { get; set; } = _ => AdmissionReply.Allow();

    public IReadOnlyList<AdmissionCall> Calls => [.. _calls];

    public IReadOnlyList<AdmissionCall> CallsFor(string ns, string? name = null) =>
        [.. _calls.Where(c => c.Namespace == ns && (name is null || c.Name == name))];

    public static async Task<TestWebhookServer> StartAsync(
        X509Certificate2 serverCertificate,
        string path = "/mutate",
        CancellationToken cancellationToken = default)
    {
        path = "/" + path.TrimStart('/');
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(TestWebhookServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(serverCertificate));
        });

        var app = builder.Build();
        var server = new TestWebhookServer(app, path);
        app.MapPost(path, server.HandleAsync);
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.Single()
            ?? throw new InvalidOperationException("Kestrel reported no address.");
        server.Port = new Uri(address).Port;
        return server;
    }

    /// <summary>Waits until a call matching <paramref name="match"/> has arrived, and returns it.</summary>
    public async Task<AdmissionCall> WaitForCallAsync(Func<AdmissionCall, bool> match, string what, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var found = await Eventually.ValueAsync(
            () => Task.FromResult(_calls.FirstOrDefault(match)),
            c => c is not null,
            what,
            timeout,
            TimeSpan.FromMilliseconds(50),
            describe: _ => $"{_calls.Count} calls so far: " + string.Join(", ", _calls.Select(c => $"{c.Operation} {c.Kind} {c.Namespace}/{c.Name}")),
            cancellationToken: cancellationToken);
        return found!;
    }

    /// <summary>Stops listening: the port refuses connections afterwards.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        JsonObject review;
        try
        {
            review = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject
                ?? throw new InvalidOperationException("The body is not a JSON object.");
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("invalid AdmissionReview: " + ex.Message, context.RequestAborted);
            return;
        }

        var request = review["request"] as JsonObject ?? [];
        var obj = request["object"] as JsonObject;
        var call = new AdmissionCall(
            ReviewApiVersion: review["apiVersion"]?.GetValue<string>() ?? "admission.k8s.io/v1",
            Uid: request["uid"]?.GetValue<string>() ?? "",
            Kind: request["kind"]?["kind"]?.GetValue<string>() ?? "",
            Namespace: request["namespace"]?.GetValue<string>() ?? "",
            Name: request["name"]?.GetValue<string>() ?? obj?["metadata"]?["name"]?.GetValue<string>() ?? "",
            Operation: request["operation"]?.GetValue<string>() ?? "",
            DryRun: request["dryRun"]?.GetValue<bool>() ?? false,
            ObjectJson: obj,
            Request: request,
            ReceivedAt: DateTimeOffset.UtcNow);
        _calls.Enqueue(call);

        AdmissionReply reply;
        try
        {
            reply = Handler(call);
        }
        catch (Exception ex)
        {
            reply = AdmissionReply.Deny($"test webhook handler threw {ex.GetType().Name}: {ex.Message}", 500);
        }

        var response = new JsonObject { ["uid"] = call.Uid, ["allowed"] = reply.Allowed };
        if (reply.Patch is not null)
        {
            response["patchType"] = "JSONPatch";
            response["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(reply.Patch.ToJsonString()));
        }

        if (reply.Message is not null || reply.Code is not null)
        {
            response["status"] = new JsonObject { ["message"] = reply.Message, ["code"] = reply.Code };
        }

        var answer = new JsonObject
        {
            ["apiVersion"] = call.ReviewApiVersion,
            ["kind"] = "AdmissionReview",
            ["response"] = response,
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }
}

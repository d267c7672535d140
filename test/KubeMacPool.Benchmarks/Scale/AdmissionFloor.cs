using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KubeMacPool.Benchmarks.Scale;

/// <summary>
/// The floor of the admission benchmark: Kestrel with TLS on loopback answering every POST with one fixed
/// AdmissionReview, with the manager's TLS key type (ECDSA P-256), GC mode (workstation, background gen2) and
/// body handling (the request is read in full), and nothing else: no routing, no logging, no parsing. What the real
/// webhook serves is read as a ratio of this, measured by the same client in the same run.
/// It runs as its own process, as the manager does, so neither shares a heap or thread pool with the client.
/// </summary>
internal static class AdmissionFloor
{
    public const string ServeArgument = "--admission-floor-serve";
    public const string FrameworkArgument = "framework";

    /// <summary>
    /// The child process: serves until its stdin closes. Prints the URL on its first line. With
    /// <paramref name="framework"/> it is the second floor, the framework without the service: the full web host
    /// (hosting diagnostics, routing), a minimal-API endpoint, the review parsed into a JSON DOM and a response
    /// serialised, as the manager's endpoint does before and after it calls a webhook.
    /// </summary>
    public static async Task ServeAsync(bool framework)
    {
        var builder = framework ? WebApplication.CreateBuilder() : WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        using var certificate = SelfSigned();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
        });
        await using var app = builder.Build();
        if (framework)
        {
            app.MapPost("/{**path}", async (HttpContext context) =>
            {
                var review = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                var uid = review?["request"]?["uid"]?.GetValue<string>();
                return Results.Json(new JsonObject
                {
                    ["apiVersion"] = "admission.k8s.io/v1",
                    ["kind"] = "AdmissionReview",
                    ["response"] = new JsonObject { ["uid"] = uid, ["allowed"] = true, ["patchType"] = "JSONPatch", ["patch"] = FixedPatch },
                });
            });
        }

        else
        {
            app.Run(async context =>
            {
                // Read the whole body, as the webhook must before it can parse it.
                var reader = context.Request.BodyReader;
                while (true)
                {
                    var read = await reader.ReadAsync(context.RequestAborted);
                    reader.AdvanceTo(read.Buffer.End);
                    if (read.IsCompleted)
                    {
                        break;
                    }
                }

                context.Response.ContentType = "application/json";
                context.Response.ContentLength = AdmissionReviews.FixedAnswer.Length;
                await context.Response.Body.WriteAsync(AdmissionReviews.FixedAnswer, context.RequestAborted);
            });
        }

        await app.StartAsync();
        var address = app.Urls.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        Console.WriteLine(address);
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
    }

    private static readonly string FixedPatch = Convert.ToBase64String("[{\"op\":\"add\",\"path\":\"/metadata/annotations/x\",\"value\":\"02:00:00:00:00:00\"}]"u8);

    /// <summary>Starts a floor beside this process, with the manager's GC settings; returns it and its URL.</summary>
    public static (Process Process, Uri Url) Start(bool framework)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(AdmissionFloor).Assembly.Location);
        }

        start.ArgumentList.Add(ServeArgument);
        if (framework)
        {
            start.ArgumentList.Add(FrameworkArgument);
        }

        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_gcConcurrent"] = "1";
        var process = Process.Start(start)!;
        var url = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the floor server did not start");
        return (process, new Uri(url));
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        // Through PKCS#12, so the key is usable by the TLS stack on Linux.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using k8s.Autorest;

namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>
/// A failed API call with what the API server said (the Status message), which
/// <see cref="HttpOperationException"/>'s own message leaves out.
/// </summary>
public sealed class KubernetesApiException : Exception
{
    public KubernetesApiException()
    {
    }

    public KubernetesApiException(string message)
        : base(message)
    {
    }

    public KubernetesApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KubernetesApiException(string operation, HttpOperationException inner)
        : base(BuildMessage(operation, inner), inner)
    {
        StatusCode = inner.Response?.StatusCode;
        Body = inner.Response?.Content ?? "";
        StatusMessage = TryStatusField(Body, "message") ?? Body;
        Reason = TryStatusField(Body, "reason");
    }

    public HttpStatusCode? StatusCode { get; }

    /// <summary>The raw response body (usually a <c>Status</c> object).</summary>
    public string Body { get; } = "";

    /// <summary><c>Status.message</c>, e.g. <c>Internal error occurred: failed calling webhook "x": ...</c>.</summary>
    public string StatusMessage { get; } = "";

    /// <summary><c>Status.reason</c>, e.g. <c>NotFound</c>, <c>AlreadyExists</c>, <c>Forbidden</c>.</summary>
    public string? Reason { get; }

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    /// <summary>Runs an API call and rethrows its <see cref="HttpOperationException"/> with the server's message.</summary>
    public static async Task<T> WrapAsync<T>(string operation, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (HttpOperationException ex)
        {
            throw new KubernetesApiException(operation, ex);
        }
    }

    public static async Task WrapAsync(string operation, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException ex)
        {
            throw new KubernetesApiException(operation, ex);
        }
    }

    /// <summary>True for a 404 from either exception type.</summary>
    public static bool IsNotFoundError(Exception ex) => ex switch
    {
        KubernetesApiException k => k.IsNotFound,
        HttpOperationException h => h.Response?.StatusCode == HttpStatusCode.NotFound,
        _ => false,
    };

    private static string BuildMessage(string operation, HttpOperationException inner)
    {
        var status = inner.Response?.StatusCode;
        var body = inner.Response?.Content ?? "";
        var message = TryStatusField(body, "message") ?? (body.Length > 2000 ? body[..2000] + "..." : body);
        return $"{operation} failed: {(status is null ? "no response" : $"{(int)status} {status}")}: {message}";
    }

    private static string? TryStatusField(string body, string field)
    {
        try
        {
            return JsonNode.Parse(body)?[field]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}

using System.Collections.Frozen;

namespace KubeMacPool.Manager.Admission;

/// <summary>
/// The webhook paths, dispatched by one middleware ahead of routing: a POST to a webhook path goes straight to its
/// endpoint, without the route matching and endpoint machinery every review paid before (the admission path is the
/// service's hot path; health and metrics still go through routing). The endpoints stay mapped too, so any other
/// method on a webhook path gets routing's usual answer.
/// </summary>
internal sealed class AdmissionRoutes
{
    private readonly Dictionary<string, RequestDelegate> _paths = new(StringComparer.OrdinalIgnoreCase);
    private FrozenDictionary<string, RequestDelegate>? _frozen;

    public void Add(string path, RequestDelegate endpoint)
    {
        if (_frozen is not null)
        {
            throw new InvalidOperationException("webhook paths are mapped before the host starts");
        }

        _paths.Add(path, endpoint);
    }

    /// <summary>The middleware: webhook POSTs to their endpoint, everything else on down the pipeline.</summary>
    public RequestDelegate Middleware(RequestDelegate next)
    {
        return context =>
        {
            var paths = _frozen ??= _paths.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
            return HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Value is { } path && paths.TryGetValue(path, out var endpoint)
                ? endpoint(context)
                : next(context);
        };
    }
}

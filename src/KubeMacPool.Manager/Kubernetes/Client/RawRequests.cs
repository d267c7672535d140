using System.Net.Http.Headers;
using System.Text;
using k8s;
using k8s.Autorest;

namespace KubeMacPool.Manager.Kubernetes.Client;

/// <summary>
/// GETs sent through the client's own HttpClient and credentials, for responses read with a reader of our own
/// (KubernetesClient's generated methods deserialize only into their model types). A failure status is the
/// <see cref="HttpOperationException"/> the generated methods throw, so callers (a 410 on a list) see no difference.
/// </summary>
internal sealed class RawRequests
{
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    private readonly k8s.Kubernetes _kubernetes;

    public RawRequests(IKubernetes client) =>
        _kubernetes = client as k8s.Kubernetes ?? throw new InvalidOperationException(
            "raw API requests need the k8s.Kubernetes client (for its HttpClient, BaseUri and Credentials), not "
            + client.GetType().FullName);

    /// <summary><paramref name="path"/> (no leading '/') under the API server's address, with the non-null query values.</summary>
    public Uri Url(string path, params ReadOnlySpan<(string Name, string? Value)> query) =>
        Url(_kubernetes.BaseUri, path, query);

    public static Uri Url(Uri baseUri, string path, params ReadOnlySpan<(string Name, string? Value)> query)
    {
        var url = new StringBuilder(baseUri.AbsoluteUri.TrimEnd('/')).Append('/').Append(path);
        var separator = '?';
        foreach (var (name, value) in query)
        {
            if (value is not null)
            {
                url.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
                separator = '&';
            }
        }

        return new Uri(url.ToString());
    }

    /// <summary>The response once its headers are read (the body is still to stream); a failure status throws.</summary>
    public async Task<HttpResponseMessage> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(Json);
        if (_kubernetes.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        var response = await _kubernetes.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpOperationException(
                "GET " + url.AbsolutePath + " returned " + (int)response.StatusCode + " (" + response.StatusCode + ")")
            {
                Request = new HttpRequestMessageWrapper(request, null),
                Response = new HttpResponseMessageWrapper(response, body),
            };
        }
    }
}

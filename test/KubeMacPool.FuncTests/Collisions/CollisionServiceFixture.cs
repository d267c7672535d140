using System.Net;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>
/// One real manager per test class with duplicates allowed (HEAD behaviour, so colliding pods are admitted) and a
/// metrics port, plus two ServiceAccount tokens from the TokenRequest API: one whose user is granted
/// <c>get</c> on the non-resource URL <c>/metrics</c> by a ClusterRole, one without that grant.
/// </summary>
public sealed partial class CollisionServiceFixture(ClusterFixture cluster) : IAsyncLifetime
{
    public const int WaitTimeSeconds = 5;

    private readonly string _suffix = TestCluster.UniqueName("kmp-metrics");
    private readonly HttpClient _http = new(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
    {
        Timeout = TimeSpan.FromSeconds(20),
    };

    public KubeMacPoolService Service { get; private set; } = null!;

    public string AllowedToken { get; private set; } = "";

    public string UngrantedToken { get; private set; } = "";

    private IKubernetes Client => cluster.Client;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(cluster.IsLocal, "the manager runs as a process on 127.0.0.1, which only the local control plane can call");
        Service = await KubeMacPoolService.StartAsync(cluster, WaitTimeSeconds, duplicateMacs: "allow");

        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = _suffix, Labels = new Dictionary<string, string> { [TestCluster.FunctestLabel] = "true" } } });
        foreach (var sa in new[] { "scraper", "ungranted" })
        {
            await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = sa } }, _suffix);
        }

        await Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = _suffix },
            Rules = [new V1PolicyRule { NonResourceURLs = ["/metrics"], Verbs = ["get"] }],
        });
        await Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = _suffix },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = _suffix },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "scraper", NamespaceProperty = _suffix }],
        });
        AllowedToken = await TokenAsync("scraper");
        UngrantedToken = await TokenAsync("ungranted");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (Service is null)
        {
            return;
        }

        await Service.DisposeAsync();
        await Ignore(() => Client.RbacAuthorizationV1.DeleteClusterRoleBindingAsync(_suffix));
        await Ignore(() => Client.RbacAuthorizationV1.DeleteClusterRoleAsync(_suffix));
        await Ignore(() => Client.CoreV1.DeleteNamespaceAsync(_suffix));
    }

    /// <summary>GET /metrics with the given bearer token (none when null).</summary>
    public async Task<(HttpStatusCode Status, string Body)> ScrapeAsync(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Service.MetricsUrl);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The exposition text, scraped as an allowed client.</summary>
    public async Task<string> ScrapeAsync()
    {
        var (status, body) = await ScrapeAsync(AllowedToken);
        Assert.True(status == HttpStatusCode.OK, $"scrape answered {(int)status}: {body}");
        return body;
    }

    /// <summary>The value of <c>kmp_mac_collisions{mac="..."}</c>, 0 when the series is absent (as upstream's helper).</summary>
    public async Task<int> CollisionGaugeAsync(string mac)
    {
        var text = await ScrapeAsync();
        var line = $"kmp_mac_collisions{{mac=\"{mac.ToLowerInvariant().Replace('-', ':')}\"}} ";
        var found = text.Split('\n').FirstOrDefault(l => l.StartsWith(line, StringComparison.Ordinal));
        return found is null ? 0 : int.Parse(found[line.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The value of <c>kubevirt_kmp_duplicate_macs</c>; the line must be there, in upstream's exact form.</summary>
    public async Task<long> DuplicateMacsAsync()
    {
        var match = DuplicateLine().Match(await ScrapeAsync());
        Assert.True(match.Success, "no kubevirt_kmp_duplicate_macs line in the scrape");
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<string> TokenAsync(string serviceAccount)
    {
        var request = await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 3600 } }, serviceAccount, _suffix);
        return request.Status.Token;
    }

    private static async Task Ignore(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception e) when (KubernetesApiException.IsNotFoundError(e))
        {
        }
    }

    [GeneratedRegex(@"(?m)^kubevirt_kmp_duplicate_macs (\d+)$")]
    private static partial Regex DuplicateLine();
}

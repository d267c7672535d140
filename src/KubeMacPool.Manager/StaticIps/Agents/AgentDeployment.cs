using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeMacPool.Core.Ipam;
using KubeMacPool.Core.Ipv4;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.StaticIps.Agents;

/// <summary>What the agent of one pool is rendered from: the image and account of the manager's configuration.</summary>
internal sealed record AgentSettings(string Namespace, string Image, string ServiceAccount);

/// <summary>
/// The DHCP agent Deployment of one IPPool, as <c>config/dhcp-agent</c> describes it for manual use: one replica
/// (two agents would answer twice), Recreate, non-root under the restricted Pod Security level (port 67 through the
/// <c>ip_unprivileged_port_start</c> sysctl), attached to the pool's network by Multus with the pool's
/// <c>serverIP</c>. Only the network, the server address and the settings go into the pod template, so an option
/// edit (DNS, lease time, ...) renders the same template and never restarts the agent: it reads options live.
/// </summary>
internal static class AgentDeployment
{
    private const int MaxNameLength = 63;

    /// <summary>
    /// <c>kubemacpool-dhcp-agent-POOL</c>; a longer pool name is cut and suffixed with a hash of the whole name, so the
    /// name stays a label value (the selector uses it) and two long pools never share one.
    /// </summary>
    public static string NameOf(string pool)
    {
        var name = WellKnown.DhcpAgentPrefix + "-" + pool;
        if (name.Length <= MaxNameLength)
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(pool)))[..8];
        return name[..(MaxNameLength - hash.Length - 1)].TrimEnd('-', '.') + "-" + hash;
    }

    /// <summary>The Deployment, or why the pool cannot have one (its network or server address is unusable).</summary>
    public static V1Deployment? Render(IpPool pool, AgentSettings settings, out string? error)
    {
        if (NetworkOf(pool) is not { } network)
        {
            error = $"spec.network \"{pool.Spec.Network}\" is not a NetworkAttachmentDefinition as namespace/name";
            return null;
        }

        if (!Ipv4Cidr.TryParse(pool.Spec.Cidr, out var cidr, out var cidrError) || !Ipv4.TryParse(pool.Spec.ServerIp, out var server))
        {
            error = cidrError ?? $"spec.serverIP \"{pool.Spec.ServerIp}\" is not an IPv4 address";
            return null;
        }

        error = null;
        var name = NameOf(pool.Metadata.Name);
        var selector = new Dictionary<string, string> { [WellKnown.AppLabel] = WellKnown.DhcpAgentPrefix, [WellKnown.DhcpAgentLabel] = name };
        var labels = new Dictionary<string, string>(selector) { [WellKnown.IpPoolLabel] = ObjectPatches.LabelValue(pool.Metadata.Name) };
        var attachment = new JsonArray(new JsonObject
        {
            ["name"] = network.Name,
            ["namespace"] = network.Namespace,
            ["interface"] = WellKnown.DhcpAgentInterface,
            ["ips"] = new JsonArray(string.Create(CultureInfo.InvariantCulture, $"{Ipv4.Format(server)}/{cidr.PrefixLength}")),
        });
        var template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta
            {
                Labels = labels,
                Annotations = new Dictionary<string, string> { [WellKnown.NetworksAnnotation] = attachment.ToJsonString() },
            },
            Spec = PodSpec(pool.Metadata.Name, settings),
        };
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = settings.Namespace,
                Labels = labels,
                Annotations = new Dictionary<string, string> { [WellKnown.DhcpAgentTemplateAnnotation] = HashOf(template) },

                // A namespaced dependent of a cluster-scoped owner: the garbage collector deletes the agent with its pool.
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = pool.ApiVersion, Kind = pool.Kind, Name = pool.Metadata.Name, Uid = pool.Metadata.Uid, Controller = true,
                    },
                ],
            },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Strategy = new V1DeploymentStrategy { Type = "Recreate" },
                Selector = new V1LabelSelector { MatchLabels = selector },
                Template = template,
            },
        };
    }

    /// <summary>The pool's NetworkAttachmentDefinition (<c>spec.network</c> = namespace/name), or null when malformed.</summary>
    public static NadReference? NetworkOf(IpPool pool) =>
        pool.Spec.Network?.Split('/') is [{ Length: > 0 } ns, { Length: > 0 } name] ? new NadReference(ns, name) : null;

    /// <summary>The pool that controls <paramref name="deployment"/>, by its ownerReference (name and UID).</summary>
    public static V1OwnerReference? PoolOf(V1Deployment deployment) =>
        deployment.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == "IPPool" && o.ApiVersion == $"{IpPool.Group}/{IpPool.Version}");

    public static string? TemplateHashOf(V1Deployment deployment) =>
        deployment.Metadata.Annotations.ValueOrNull(WellKnown.DhcpAgentTemplateAnnotation);

    private static string HashOf(V1PodTemplateSpec template) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(KubernetesJson.Serialize(template))))[..16];

    private static V1PodSpec PodSpec(string pool, AgentSettings settings) => new()
    {
        ServiceAccountName = settings.ServiceAccount,
        TerminationGracePeriodSeconds = 5,
        SecurityContext = new V1PodSecurityContext
        {
            RunAsNonRoot = true,
            RunAsUser = 107,
            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            Sysctls = [new V1Sysctl { Name = "net.ipv4.ip_unprivileged_port_start", Value = "67" }],
        },
        Containers =
        [
            new V1Container
            {
                Name = "agent",
                Image = settings.Image,
                ImagePullPolicy = "IfNotPresent",
                Args =
                [
                    "dhcp-agent", "--pool=" + pool, "--interface=" + WellKnown.DhcpAgentInterface,
                    string.Create(CultureInfo.InvariantCulture, $"--health-port={WellKnown.DhcpAgentHealthPort}"),
                ],
                Ports = [new V1ContainerPort { Name = "health", ContainerPort = WellKnown.DhcpAgentHealthPort, Protocol = "TCP" }],
                ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/readyz", Port = "health" }, PeriodSeconds = 10 },
                LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = "health" }, PeriodSeconds = 20 },
                Resources = new V1ResourceRequirements
                {
                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("48Mi") },
                },
                SecurityContext = new V1SecurityContext
                {
                    AllowPrivilegeEscalation = false,
                    ReadOnlyRootFilesystem = true,
                    Capabilities = new V1Capabilities { Drop = ["ALL"] },
                },
                TerminationMessagePolicy = "FallbackToLogsOnError",
            },
        ],
    };
}

using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace KubeMacPool.Manager.Kubernetes.Client;

/// <summary>
/// Reads a kubeconfig file without the client library's <c>KubernetesYaml</c>: that class prepares, once per process,
/// YAML of every Kubernetes kind by reflecting over all ~5,900 types of the library, which loads every one of them
/// (~25 MB of runtime type data resident for good, and most of a second of CPU before the first request). A
/// kubeconfig needs only its own handful of model types.
/// </summary>
internal static class KubeconfigFile
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().IgnoreUnmatchedProperties().Build();

    /// <param name="path">The file; null is the default location (<c>~/.kube/config</c>).</param>
    public static KubernetesClientConfiguration Load(string? path)
    {
        var file = Path.GetFullPath(path ?? KubernetesClientConfiguration.KubeConfigDefaultLocation);
        K8SConfiguration? config;
        try
        {
            config = Yaml.Deserialize<K8SConfiguration?>(File.ReadAllText(file));
        }
        catch (YamlException e)
        {
            throw new KubeConfigException($"kubeconfig {file} is not valid YAML: {e.Message}");
        }

        if (config is null)
        {
            throw new KubeConfigException($"kubeconfig {file} is empty");
        }

        // Relative certificate and key paths are relative to the file, as kubectl reads them.
        config.FileName = file;
        return KubernetesClientConfiguration.BuildConfigFromConfigObject(config);
    }
}

using System.Diagnostics.CodeAnalysis;

namespace KubeMacPool.Plugin;

internal enum OutputFormat
{
    Table,
    Json,
    Yaml,
}

/// <summary>A parsed invocation: the verb, its arguments and the global flags (kubectl's spelling).</summary>
internal sealed record CommandLine(
    string Verb,
    IReadOnlyList<string> Arguments,
    OutputFormat Output,
    string? Kubeconfig,
    string? Context,
    string? Namespace,
    string ServiceNamespace)
{
    public const string DefaultServiceNamespace = "kubemacpool-system";

    public static readonly IReadOnlyDictionary<string, int> Arity = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["status"] = 0,
        ["who-has"] = 1,
        ["check-range"] = 2,
        ["collisions"] = 0,
    };

    public const string Usage = """
        Usage: kubectl macpool VERB [ARGS] [flags]

        Verbs:
          status                    the pool: range, size, held, pending, free, reserved, collisions, readiness
          who-has MAC               every VM, VMI and Pod you can list that holds MAC (any spelling)
          check-range START END     held MACs a proposed range would leave outside, before the ConfigMap is edited
          collisions                running VMIs and pods you can list that share a MAC

        Flags:
          -o, --output table|json|yaml   output format (default table)
          -n, --namespace NS             look only in NS (default: all namespaces you may list, else your current one)
              --kubeconfig PATH          kubeconfig (default $KUBECONFIG, then ~/.kube/config)
              --context NAME             kubeconfig context
              --service-namespace NS     where kubemacpool runs (default kubemacpool-system)
          -h, --help                     this text

        Exit codes: 0 ok; 1 answered, with findings (who-has: nobody holds it; check-range: MACs left outside;
        collisions: some; status: not ready); 2 usage error; 3 cluster unreachable or access refused;
        4 kubemacpool not reporting (status).
        """;

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out CommandLine? command, out string? error)
    {
        command = null;
        string? problem = null;
        string? verb = null, kubeconfig = null, context = null, ns = null;
        var serviceNamespace = DefaultServiceNamespace;
        var output = OutputFormat.Table;
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var (name, inline) = arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0
                ? (arg[..eq], arg[(eq + 1)..])
                : (arg, null);
            string? Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 < args.Count)
                {
                    return args[++i];
                }

                problem ??= $"flag {name} needs a value";
                return null;
            }

            switch (name)
            {
                case "-h" or "--help" or "help":
                    error = "";
                    return false;
                case "-o" or "--output":
                    var format = Value();
                    if (!Enum.TryParse(format, ignoreCase: true, out output) || format is null || !Enum.IsDefined(output))
                    {
                        problem ??= $"unknown output format \"{format}\": use table, json or yaml";
                    }

                    break;
                case "-n" or "--namespace":
                    ns = Value();
                    break;
                case "--kubeconfig":
                    kubeconfig = Value();
                    break;
                case "--context":
                    context = Value();
                    break;
                case "--service-namespace":
                    serviceNamespace = Value() ?? serviceNamespace;
                    break;
                default:
                    if (name.StartsWith('-') && name.Length > 1)
                    {
                        problem ??= $"unknown flag {name}";
                    }
                    else if (verb is null)
                    {
                        verb = name;
                    }
                    else
                    {
                        positional.Add(name);
                    }

                    break;
            }
        }

        error = problem;
        if (error is not null)
        {
            return false;
        }

        if (verb is null)
        {
            error = "no verb given";
            return false;
        }

        if (!Arity.TryGetValue(verb, out var arity))
        {
            error = $"unknown verb \"{verb}\": use status, who-has, check-range or collisions";
            return false;
        }

        if (positional.Count != arity)
        {
            error = $"{verb} takes {arity} argument{(arity == 1 ? "" : "s")}, got {positional.Count}";
            return false;
        }

        command = new CommandLine(verb, positional, output, kubeconfig, context, ns, serviceNamespace);
        return true;
    }
}

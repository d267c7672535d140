using System.Text.Json.Serialization;

namespace KubeMacPool.Manager.Admission;

/// <summary>Source-generated (de)serialisation for the admission hot path.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AdmissionReview))]
internal sealed partial class AdmissionJsonContext : JsonSerializerContext;

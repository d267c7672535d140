using System.Buffers;
using System.Text.Json;

namespace KubeMacPool.Manager.Admission;

/// <summary>
/// Writes the AdmissionReview that answers a request straight into a pooled buffer: the same JSON a serialised
/// response DTO gives (fields in the API's order, the patch as base64), without the DTOs or the patch's own array.
/// </summary>
internal static class AdmissionAnswer
{
    // A typical answer (a VM's two MACs and the timestamp) is well under this; the buffer grows when it is not.
    private const int TypicalSize = 1024;

    // One writer each for the answer and its patch per thread, reset onto every answer's buffers: a writer is a few
    // hundred bytes, and every review made two. Write never awaits, so a thread's writers serve one answer at a time.
    [ThreadStatic]
    private static Utf8JsonWriter? _answerWriter;

    [ThreadStatic]
    private static Utf8JsonWriter? _patchWriter;

    /// <summary>The answer in a pooled buffer; the caller disposes it once it is sent.</summary>
    public static PooledBufferWriter Write(string? apiVersion, string uid, AdmissionResult result)
    {
        var answer = new PooledBufferWriter(TypicalSize);
        var writer = Reset(ref _answerWriter, answer);
        writer.WriteStartObject();
        writer.WriteString("apiVersion"u8, apiVersion ?? AdmissionReview.DefaultApiVersion);
        writer.WriteString("kind"u8, "AdmissionReview"u8);
        writer.WriteStartObject("response"u8);
        writer.WriteString("uid"u8, uid);
        writer.WriteBoolean("allowed"u8, result.Allowed);
        if (result.Patch is { } patch)
        {
            writer.WriteString("patchType"u8, "JSONPatch"u8);
            using var patchJson = new PooledBufferWriter(TypicalSize);
            var patchWriter = Reset(ref _patchWriter, patchJson);
            patch.WriteTo(patchWriter);
            patchWriter.Flush();

            writer.WriteBase64String("patch"u8, patchJson.WrittenSpan);
        }

        if (!result.Allowed || result.Message is not null)
        {
            writer.WriteStartObject("status"u8);
            writer.WriteNumber("code"u8, result.Code);
            if (result.Message is { } message)
            {
                writer.WriteString("message"u8, message);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        return answer;
    }

    private static Utf8JsonWriter Reset(ref Utf8JsonWriter? cached, IBufferWriter<byte> output)
    {
        if (cached is null)
        {
            cached = new Utf8JsonWriter(output);
        }
        else
        {
            cached.Reset(output);
        }

        return cached;
    }
}

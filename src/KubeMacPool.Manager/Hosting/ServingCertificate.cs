using System.Security.Cryptography.X509Certificates;

namespace KubeMacPool.Manager.Hosting;

/// <summary>
/// The certificate Kestrel presents, swapped atomically at runtime. Kestrel asks for it on every TLS handshake
/// (ServerCertificateSelector), so a rotated certificate is served from the next connection on, without a restart.
/// </summary>
internal sealed class ServingCertificate
{
    private volatile X509Certificate2? _current;

    public X509Certificate2? Current => _current;

    /// <summary>Completes when the first certificate is available.</summary>
    public Task Available => _available.Task;

    private readonly TaskCompletionSource _available = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Update(X509Certificate2 certificate)
    {
        // The old certificate is not disposed: a handshake in flight may still be using it.
        _current = certificate;
        _available.TrySetResult();
    }
}

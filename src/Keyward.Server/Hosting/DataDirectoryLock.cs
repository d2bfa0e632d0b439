using Keyward.Core.Storage;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Hosting;

/// <summary>
/// One Keyward per data directory on SQLite: an exclusive lock on <c>keyward.lock</c> in the data directory, taken
/// before anything is written at start and held until Keyward stops. A second <c>keyward serve</c> on the same directory
/// stops with a clear message instead of migrating, rotating keys or signing an audit tree head beside the first.
/// PostgreSQL deployments are several nodes by design, and may share a data directory, so they take no lock.
/// </summary>
internal sealed class DataDirectoryLock(IOptions<KeywardOptions> keyward, IConfiguration configuration) : IDisposable
{
    public const string FileName = "keyward.lock";

    private FileStream? _held;

    /// <summary>Takes the lock (once); throws <see cref="KeywardStartupException"/> when another Keyward holds it.</summary>
    public void Acquire()
    {
        // The provider as configured, read without validating the storage section: Kestrel asks for the lock while it is
        // composed, before start-up validation reports every problem at once.
        var storage = new StorageOptions();
        configuration.GetSection("Keyward:Storage").Bind(storage);
        if (_held is not null || storage.Provider != StorageProvider.Sqlite)
        {
            return;
        }

        var directory = keyward.Value.DataDirectory;
        PrivateDirectory.Create(directory);
        var path = Path.Combine(directory, FileName);
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix, held while the stream is open.
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            _held = new FileStream(path, options);
        }
        catch (IOException)
        {
            throw new KeywardStartupException(
                $"Another Keyward is already running on the data directory {directory} (it holds {FileName}). Stop it, or give this one its own directory with --data-dir (Keyward:DataDirectory).");
        }
    }

    public void Dispose() => _held?.Dispose();
}

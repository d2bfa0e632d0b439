using System.Collections.Concurrent;
using Keyward.Core.Vault;

namespace Keyward.Server.Tests.Vault;

/// <summary>A stand-in for the approvals slice: approved sensitive reads, each spent once.</summary>
internal sealed class TestApprovals : ISensitiveReadApprovals
{
    private readonly ConcurrentDictionary<VaultAddress, int> _approved = new();

    public void Approve(VaultAddress address) => _approved.AddOrUpdate(address, 1, (_, n) => n + 1);

    public ValueTask<bool> TrySpendAsync(VaultAddress address, CancellationToken cancellationToken = default)
    {
        while (_approved.TryGetValue(address, out var left) && left > 0)
        {
            if (_approved.TryUpdate(address, left - 1, left))
            {
                return ValueTask.FromResult(true);
            }
        }

        return ValueTask.FromResult(false);
    }
}

using Keyward.Core.Storage;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests.Agents;

/// <summary>Fail closed: an agent key that cannot be checked opens nothing.</summary>
public sealed class AgentKeyStoreTests(AgentHost host) : IClassFixture<AgentHost>
{
    [Fact]
    public async Task Connect_KeyStoreUnreadable_IsRefused503_ThenWorksOnceItIsBack()
    {
        var (_, key) = await host.EnrollMachineAsync();
        var database = host.Host.GetRequiredService<KeywardDatabase>();
        await using (var db = database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE machines RENAME TO machines_away");
        }

        var refused = await host.ProbeConnectAsync(key);

        await using (var db = database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE machines_away RENAME TO machines");
        }

        ProblemAssert.Problem(refused, 503, "agent_key_store_unavailable");
        using var agent = await host.ConnectAsync(key);
    }
}

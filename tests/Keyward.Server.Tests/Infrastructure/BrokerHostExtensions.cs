using Microsoft.Extensions.Time.Testing;

namespace Keyward.Server.Tests.Infrastructure;

/// <summary>What these tests add to a <see cref="KeywardTestHost"/>: its fake clock and the switchable audit log.</summary>
internal static class BrokerHostExtensions
{
    extension(KeywardTestHost host)
    {
        /// <summary>The fake clock the broker runs on.</summary>
        public FakeTimeProvider Time => (FakeTimeProvider)host.Options.Time!;

        /// <summary>The audit log the broker records to, with a switch to make it fail.</summary>
        public SwitchableAuditLog Audit => host.GetRequiredService<SwitchableAuditLog>();

        public T GetService<T>()
            where T : notnull => host.GetRequiredService<T>();
    }
}

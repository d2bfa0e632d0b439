using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Keyward.Server.Hosting;

/// <summary>
/// Where ASP.NET Core Data Protection keeps its key ring in Keyward: in memory. Authentication registers Data
/// Protection and its hosted service loads (and on a first start creates) a key ring, by default as an unencrypted file
/// under <c>~/.aspnet</c>: outside the data directory, and a warning at every start under a service account without a
/// home. Keyward protects nothing with it (its tokens, cookies and keys are its own), so nothing is lost at a restart.
/// </summary>
internal sealed class UnusedDataProtectionKeys : IXmlRepository
{
    private readonly Lock _lock = new();
    private readonly List<XElement> _elements = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_lock)
        {
            return [.. _elements.Select(e => new XElement(e))];
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        lock (_lock)
        {
            _elements.Add(new XElement(element));
        }
    }
}

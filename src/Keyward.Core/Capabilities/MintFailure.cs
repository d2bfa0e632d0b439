namespace Keyward.Core.Capabilities;

/// <summary>Why a capability was not minted (layer a of the negative isolation, docs/capabilities.md).</summary>
public enum MintFailure
{
    /// <summary>The operation, data class or path is not defined or not well formed.</summary>
    RequestInvalid = 1,

    /// <summary>No live scope of the actor allows that operation on that class at that path (for that operator).</summary>
    ScopeMissing,

    /// <summary>No operator was named and the actor has scopes from more than one.</summary>
    OperatorAmbiguous,
}

using Microsoft.Extensions.Options;

namespace Keyward.Samples.Counter;

/// <summary>Refuses to start with unusable settings, listing every problem and how to fix it.</summary>
internal sealed class CounterOptionsValidator : IValidateOptions<CounterOptions>
{
    public ValidateOptionsResult Validate(string? name, CounterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using Microsoft.Extensions.Options;

namespace Keyward.Server.Http;

/// <summary>
/// Validates an options class by its rules (a function listing every problem, each naming the setting and the fix),
/// so start-up fails once with all of them (<c>ValidateOnStart</c>).
/// </summary>
/// <typeparam name="TOptions">The options class.</typeparam>
internal sealed class RuleValidator<TOptions>(Func<TOptions, IEnumerable<string>> rules) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = rules(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using Microsoft.Extensions.Options;

namespace Keyward.Server.Http;

/// <summary>Validates <see cref="KeywardOptions"/>; insecure switches are refused outside Development.</summary>
internal sealed class KeywardOptionsValidator(IHostEnvironment environment) : IValidateOptions<KeywardOptions>
{
    public ValidateOptionsResult Validate(string? name, KeywardOptions options)
    {
        var errors = options.Validate(environment.IsDevelopment());
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
